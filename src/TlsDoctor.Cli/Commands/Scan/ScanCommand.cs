using System.CommandLine;
using Spectre.Console;
using TlsDoctor.Probe;
using TlsDoctor.Probe.Json;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor scan`: what a TLS server accepts, version by version.</summary>
public static class ScanCommand
{
    public static readonly Argument<string[]> Targets = new("targets")
    {
        Description = "HOST[:PORT] to scan (IPv6 as [::1]:443); several allowed",
        Arity = ArgumentArity.OneOrMore,
    };

    public static readonly Option<int> Port = CommonOptions.Port("Port for targets given without one", 443);
    public static readonly Option<bool> NoHandshake = new("--no-handshake") { Description = "Skip the full handshake per version (fewer connections; misses failures after ServerHello)" };
    public static readonly Option<string?> Sni = new("--sni") { Description = "Server name to send (default: the host name; none for IP addresses)" };
    public static readonly Option<int> Concurrency = new Option<int>("--concurrency") { Description = "Targets scanned at once", DefaultValueFactory = _ => 4 }.Within(1, 256);
    public static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Show every connection the scan made" };
    public static readonly Option<bool> Json = CommonOptions.Json();
    public static readonly Option<double> ConnectTimeout = CommonOptions.ConnectTimeout();
    public static readonly Option<double> ReadTimeout = CommonOptions.ReadTimeout();
    public static readonly Option<double> Deadline = CommonOptions.Deadline();
    public static readonly Option<int> PerHost = CommonOptions.PerHost();
    public static readonly Option<int> Delay = CommonOptions.Delay();

    public static Command Create(CliConsole console)
    {
        var cmd = new Command("scan", "Find the protocol versions, cipher suites (in the server's order), DH sizes, groups and certificates a TLS server accepts")
        {
            Targets, Port, Json, NoHandshake, Sni, Concurrency, Verbose, ConnectTimeout, ReadTimeout, Deadline, PerHost, Delay,
        };
        cmd.SetAction((parse, ct) => RunAsync(parse, console, ct));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        var port = parse.GetValue(Port);
        var targets = new List<ProbeTarget>();
        foreach (var t in parse.GetValue(Targets) ?? [])
        {
            if (!ProbeTarget.TryParse(t, port, out var target, out var error)) throw new UsageException(error!);
            targets.Add(target);
        }
        var concurrency = parse.GetValue(Concurrency);
        var options = new ProbeOptions(
            CommonOptions.Seconds(parse.GetValue(ConnectTimeout)),
            CommonOptions.Seconds(parse.GetValue(ReadTimeout)),
            CommonOptions.Seconds(parse.GetValue(Deadline)),
            parse.GetValue(PerHost),
            TimeSpan.FromMilliseconds(parse.GetValue(Delay)),
            FullHandshakes: !parse.GetValue(NoHandshake),
            ServerName: parse.GetValue(Sni));
        var json = parse.GetValue(Json);

        var scanner = new TlsScanner(options);
        var results = new ScanResult[targets.Count];
        var progress = new Progress<ScanProgress>(p => { if (!json) console.Error.MarkupLineInterpolated($"[grey]{p.Target}: {p.Step} ({p.Handshakes} connections so far)[/]"); });
        await Parallel.ForEachAsync(Enumerable.Range(0, targets.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct },
            async (i, token) =>
            {
                console.Error.MarkupLineInterpolated($"[grey]scanning {targets[i]}…[/]");
                results[i] = await scanner.ScanAsync(targets[i], progress, token).ConfigureAwait(false);
                console.Error.MarkupLineInterpolated($"[grey]{targets[i]}: done, {results[i].Handshakes} connections, {results[i].Elapsed.TotalMilliseconds:0} ms[/]");
            }).ConfigureAwait(false);

        if (json)
        {
            var doc = new ScanDocument([.. results.Select(r => ScanJsonMapper.ToJson(r, parse.GetValue(Verbose)))]);
            await console.RawOut.WriteLineAsync(ScanJsonMapper.Serialize(doc)).ConfigureAwait(false);
        }
        else
        {
            foreach (var r in results) ScanRenderer.Render(console.Out, r, parse.GetValue(Verbose));
        }
        return results.Any(r => !r.Reachable) ? ExitCodes.Unreachable : ExitCodes.Ok;
    }
}
