using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using System.Net.Sockets;
using Spectre.Console;
using TlsDoctor.Probe.Capture;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor listen`: capture the ClientHellos of devices that connect to us.</summary>
public static class ListenCommand
{
    public static readonly Option<int> Port = new Option<int>("--port", "-p") { Description = "TCP port to listen on (the device must be pointed at it)", Required = true, HelpName = "PORT" }.Within(1, 65535);
    public static readonly Option<string> Address = new("--address")
    {
        Description = "Address to listen on; 0.0.0.0 or :: to accept devices from the network",
        DefaultValueFactory = _ => "127.0.0.1",
        HelpName = "IP",
    };
    public static readonly Option<int?> Count = new Option<int?>("--count", "-n") { Description = "Stop after N ClientHellos", HelpName = "N" }.Within(1, 100_000);
    /// <summary>The run's limit: `--duration`, as in `lab start` (until issue 15 listen called it `--timeout`).</summary>
    public static readonly Option<double?> Duration = new Option<double?>("--duration")
    {
        Description = "Seconds to listen in total (exit 3 when nothing connected); default: until Ctrl+C, --count, or with --probe-certs/--learn every device is done",
        HelpName = "SECONDS",
    }.Seconds();
    /// <summary>The per-read limit: `--timeout`, as in every other command; `--read-timeout` is its old name, still accepted.</summary>
    public static readonly Option<double> Timeout = new Option<double>("--timeout", "--read-timeout")
    {
        Description = "Seconds to wait for each read from a connected client (--read-timeout: its old name; the run's limit is --duration)",
        DefaultValueFactory = _ => 10,
        HelpName = "SECONDS",
    }.Seconds();

    /// <summary>Printed (stderr) when `--timeout` is given without `--duration` or `--count`: an old script may mean the run's limit.</summary>
    public const string TimeoutNote = "note: listen --timeout is the per-read limit; the run's limit is --duration (changed in issue 15)";
    public static readonly Option<bool> ProbeCerts = new("--probe-certs")
    {
        Description = "Complete handshakes presenting RSA-2048/SHA-256, RSA-2048/SHA-1, RSA-1024/SHA-1, ECDSA P-256 and RSA-1024/SHA-256 on successive connections and record which ones the device accepts",
    };
    public static readonly Option<bool> Learn = new("--learn")
    {
        Description = "Learn the device's limits over its successive connections: answer one version lower each time (lowest accepted version), present the certificate ladder, then the suite the modelled Terminal Server would choose; the device must retry (the listener says how many more connections it needs)",
    };
    public static readonly Option<string> Os = new("--os")
    {
        Description = "With --learn: the Windows release whose SCHANNEL server (the Terminal Server) chooses the suite to try",
        DefaultValueFactory = _ => TlsDoctor.Diagnosis.WindowsSide.DefaultOs,
        HelpName = "RELEASE",
    };
    public static readonly Option<bool> Json = CommonOptions.Json();
    public static readonly Option<string?> Output = new("--output", "-o") { Description = "Also write the JSON document to this file (input for diagnose --client-hello and simulate --client)", HelpName = "FILE" };

    public static Command Create(CliConsole console)
    {
        var cmd = new Command("listen", "Accept connections from devices and capture each ClientHello (versions, suites, groups, signature schemes, extensions, JA3/JA4) as a client profile")
        {
            Port, Address, Count, Duration, Timeout, ProbeCerts, Learn, Os, Json, Output,
        };
        cmd.SetAction((parse, ct) => RunAsync(parse, console, ct));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        var port = parse.GetValue(Port);
        var addressText = parse.GetValue(Address) ?? "127.0.0.1";
        if (!IPAddress.TryParse(addressText.Trim('[', ']'), out var address)) throw new UsageException($"--address '{addressText}' is not an IP address");
        var count = parse.GetValue(Count);
        TimeSpan? duration = parse.GetValue(Duration) is { } d ? CommonOptions.Seconds(d) : null;
        var readTimeout = CommonOptions.Seconds(parse.GetValue(Timeout));
        var probe = parse.GetValue(ProbeCerts);
        var json = parse.GetValue(Json);
        var output = parse.GetValue(Output);
        if (output is not null)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(output));
            if (dir is not null && !Directory.Exists(dir)) throw new UsageException($"-o: directory '{dir}' does not exist");
        }

        var learn = parse.GetValue(Learn);
        if (learn && probe) throw new UsageException("--learn already presents the certificate ladder: give --learn or --probe-certs, not both");
        // Until issue 15, `listen --timeout` was the run's limit: a script passing only it would now run until Ctrl+C.
        if (duration is null && count is null && parse.Tokens.Any(t => t.Type == TokenType.Option && t.Value == "--timeout"))
            console.Error.MarkupLine($"[yellow]{Markup.Escape(TimeoutNote)}[/]");
        var options = new ListenOptions(new IPEndPoint(address, port), count, duration, readTimeout, probe) { Learn = learn };
        if (learn)
        {
            var windows = TlsDoctor.Diagnosis.WindowsSide.Build(new TlsDoctor.Schannel.Policy.PolicyOptions { Os = parse.GetValue(Os) }, allowLocal: false);
            options = options with
            {
                TerminalServer = new TerminalServerModel(windows.Policy.Release.Name,
                    windows.Policy.ToServerProfile(TlsDoctor.Diagnosis.AssumedServerCertificate.At(DateTimeOffset.UtcNow))),
            };
        }
        if (probe || learn) console.Error.MarkupLine("[grey]generating probe certificates…[/]");
        ClientHelloListener listener;
        try
        {
            listener = ClientHelloListener.Start(probe || learn ? options with { Certificates = CertificateProbe.CreateDefaultSet() } : options);
        }
        catch (SocketException e)
        {
            throw new UsageException($"cannot listen on {addressText}:{port}: {e.Message}");
        }
        ListenResult result;
        using (listener)
        {
            var mode = learn ? $"learning the device's limits (suite check: {options.TerminalServer!.Name})" : probe ? "presenting probe certificates" : "answering each ClientHello with handshake_failure";
            console.Error.MarkupLineInterpolated($"[grey]listening on {listener.LocalEndPoint} ({mode}); point the device at this address, Ctrl+C to stop[/]");
            var progress = new SyncProgress(c => console.Error.MarkupLineInterpolated(
                $"[grey]#{c.Connection} {c.Remote}: {(c.Error is null ? $"ClientHello captured (JA4 {c.Ja4}), answered with {c.Response}" : c.Error)}{(c.Exchange is { } x ? $" → {x.Verdict}: {x.Shows}" : c.Attempt is { } a ? $" → {ListenJsonMapper.VerdictName(a.Verdict)}{(a.Alert is { } al ? $" ({TlsDoctor.Core.AlertNames.Name(al)})" : "")}" : "")}{(c.ConnectionsNeeded is { } left ? left == 0 ? "; nothing left to learn" : $"; the device must connect up to {left} more time(s)" : "")}[/]"));
            result = await listener.RunAsync(progress, ct).ConfigureAwait(false);
        }

        var doc = ListenJsonMapper.ToJson(result);
        var text = ListenJsonMapper.Serialize(doc);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, text + Environment.NewLine, CancellationToken.None).ConfigureAwait(false);
            console.Error.MarkupLineInterpolated($"[grey]wrote {output}: use it with tlsdoctor diagnose --client-hello {output}[/]");
        }
        if (json) await console.RawOut.WriteLineAsync(text).ConfigureAwait(false);
        else ListenRenderer.Render(console.Out, result);

        if (result.Captures.Length == 0)
        {
            console.Error.MarkupLineInterpolated($"[red]nothing connected[/] to {result.Local} ({ListenJsonMapper.StopName(result.Stop)})");
            return ExitCodes.Unreachable;
        }
        return ExitCodes.Ok;
    }

    // Progress<T> posts to the thread pool; lines must come out in order and before the summary.
    private sealed class SyncProgress(Action<HelloCapture> report) : IProgress<HelloCapture>
    {
        public void Report(HelloCapture value) => report(value);
    }
}
