using System.Collections.Immutable;
using System.CommandLine;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using TlsDoctor.Core;
using TlsDoctor.Diagnosis;
using TlsDoctor.Diagnosis.Json;
using TlsDoctor.Lab;
using TlsDoctor.Probe;
using TlsDoctor.Probe.Capture;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor demo`: starts the lab's simulated devices and runs the whole diagnosis on each, without any printer.</summary>
public static class DemoCommand
{
    public static readonly Option<string> Os = new("--os") { Description = "Windows release the simulated Terminal Server runs", DefaultValueFactory = _ => "2012r2", HelpName = "RELEASE" };
    public static readonly Option<string[]> Updates = new("--updates")
    {
        Description = "Installed updates of that Windows (default: KB2919355, the May 2015 cipher suite update KB3042058 and the June 2016 DH rollup KB3161606, without the August 2014 SHA-512 rollup KB2975719)",
        DefaultValueFactory = _ => ["KB2919355", "KB3042058", "KB3161606"],
        AllowMultipleArgumentsPerToken = true,
        HelpName = "KB,…",
    };
    public static readonly Option<string> ProductSetting = new("--product-setting")
    {
        Description = "securityProtocolTypesForOutboundCommunication of the simulated Terminal Server",
        DefaultValueFactory = _ => "Tls, Tls11, Tls12",
    };
    public static readonly Option<string> Out = new("--out") { Description = "Folder for the remedy files", DefaultValueFactory = _ => "tlsdoctor-demo", HelpName = "DIR" };
    public static readonly Option<bool> Json = CommonOptions.Json();

    public static Command Create(CliConsole console)
    {
        var cmd = new Command("demo", "Start the lab's simulated devices on 127.0.0.1 and diagnose each one against a simulated Windows Terminal Server (no printer needed)")
        {
            Os, Updates, ProductSetting, Out, Json,
        };
        cmd.SetAction((parse, ct) => RunAsync(parse, console, ct));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        var policy = new PolicyOptions
        {
            Os = parse.GetValue(Os),
            Updates = [.. parse.GetValue(Updates) ?? []],
            ProductSetting = parse.GetValue(ProductSetting),
        };
        var windows = WindowsSide.Build(policy);
        var outDir = parse.GetValue(Out)!;
        var json = parse.GetValue(Json);

        console.Error.MarkupLineInterpolated($"[grey]starting the lab; the Terminal Server is simulated as {windows.Policy.Release.Name} with {string.Join(", ", policy.Updates)}…[/]");
        await using var host = await LabHost.StartAsync(LabCommand.GuideServers, new LabOptions(), ct).ConfigureAwait(false);
        var runner = new DiagnosisRunner();
        var probe = ProbeOptions.Default with { TargetDeadline = TimeSpan.FromSeconds(60) };
        var cases = new List<DemoCase>();

        foreach (var device in host.Devices)
        {
            var target = new ProbeTarget(device.Endpoint.Address.ToString(), device.Endpoint.Port);
            var payment = device.Profile == LabProfiles.PaymentSha512;
            console.Error.MarkupLineInterpolated($"[grey]diagnosing {device.Profile} at {device.Endpoint}…[/]");
            var report = await runner.RunAsync(new DiagnoseOptions
            {
                Device = payment ? null : target,
                Payment = payment ? target : null,
                Windows = windows,
                Probe = probe,
            }, null, ct).ConfigureAwait(false);
            cases.Add(new DemoCase(device.Profile, device.Reproduces, device.Endpoint.ToString(), report, Write(report, outDir, device.Profile, console)));
        }

        // The device as a client: capture its ClientHello, learn which certificates it accepts, diagnose inbound.
        console.Error.MarkupLine("[grey]capturing the mfd-legacy-client device's ClientHello and probing which certificates it accepts…[/]");
        var inbound = await DiagnoseLegacyClientAsync(runner, windows, probe, ct).ConfigureAwait(false);
        if (inbound is not null)
            cases.Add(new DemoCase(LabProfiles.MfdLegacyClient, "TLS 1.0 client that verifies only RSA ≤1024 / SHA-1 certificates it trusts", "client → listen",
                inbound, Write(inbound, outDir, LabProfiles.MfdLegacyClient, console)));

        // The inbound direction learning: the SHA-1-only device client connects again and again while listen --learn
        // answers lower versions, the certificate ladder and the Terminal Server's suite; then the learned profile is diagnosed.
        console.Error.MarkupLine("[grey]learning the mfd-sha1-client device's limits over its successive connections (listen --learn)…[/]");
        var learned = await LearnSha1ClientAsync(runner, windows, probe, ct).ConfigureAwait(false);
        if (learned is not null)
            cases.Add(new DemoCase(LabProfiles.MfdSha1Client, "TLS 1.2 client whose signature_algorithms and certificate check allow SHA-1 only; limits learned with listen --learn",
                "client → listen --learn", learned, Write(learned, outDir, LabProfiles.MfdSha1Client, console)));

        if (json)
        {
            var doc = new DemoDocument(windows.Policy.Release.Name, [.. policy.Updates],
                [.. cases.Select(c => new DemoCaseJson(c.Profile, c.Reproduces, c.Endpoint, DiagnosisJson.ToJson(c.Report, c.Written)))]);
            await console.RawOut.WriteLineAsync(JsonSerializer.Serialize(doc, DemoJson.Relaxed.DemoDocument)).ConfigureAwait(false);
        }
        else
        {
            foreach (var c in cases)
            {
                console.Out.Heading($"[bold]{Markup.Escape(c.Profile)}[/] ({Markup.Escape(c.Endpoint)}) — {Markup.Escape(c.Reproduces)}");
                DiagnoseRenderer.Render(console.Out, c.Report, c.Written, Path.Combine(outDir, c.Profile));
            }
            var summary = new Table().Border(TableBorder.Rounded).Title("Demo summary").AddColumns("Device", "Findings", "Remedy verified by re-simulation");
            foreach (var c in cases)
            {
                var ids = c.Report.Findings.Where(f => f.Severity != Severity.Info).Select(f => $"{f.Descriptor.Id} {f.Descriptor.Slug} ({f.Severity.ToString().ToLowerInvariant()})");
                var fixes = c.Report.Findings.Where(f => f.Severity == Severity.Error).Select(f =>
                    f.Remedies.FirstOrDefault(r => r.Fixes) is { } r ? $"{f.Descriptor.Id}: {r.Title}"
                    : f.Remedies.FirstOrDefault(r => r.Resimulated is { Completed: true }) is { } p
                        ? $"{f.Descriptor.Id}: {p.Title} — completes, but {p.Resimulated!.Reason?.Name()} remains (≈{p.Resimulated.FailureRate:P1} of handshakes)"
                        : $"{f.Descriptor.Id}: no remedy verified");
                summary.AddRow(Markup.Escape(c.Profile), Markup.Escape(ids.Any() ? string.Join("\n", ids) : "healthy"), Markup.Escape(string.Join("\n", fixes)));
            }
            console.Out.Write(summary);
            console.Out.MarkupLineInterpolated($"Remedy files: {Path.GetFullPath(outDir)}");
        }
        // The demo worked when every device was reached and diagnosed; its findings are the point, not a failure.
        return cases.All(c => c.Report.Unreachable.IsEmpty) && inbound is not null && learned is not null ? ExitCodes.Ok : ExitCodes.Unreachable;
    }

    private static async Task<DiagnosisReport?> DiagnoseLegacyClientAsync(DiagnosisRunner runner, WindowsSide windows, ProbeOptions probe, CancellationToken ct)
    {
        using var listener = ClientHelloListener.Start(new ListenOptions(new IPEndPoint(IPAddress.Loopback, 0), null, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5), ProbeCertificates: true));
        var listening = listener.RunAsync(null, ct);
        var endpoint = listener.LocalEndPoint;
        // One connection per probe certificate; the device retries as a real one does after each failure. Once the
        // listener has learned enough it stops serving, and a device connecting then would wait out its 10 s timeout.
        using (var device = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            for (var i = 0; i < 6 && !listening.IsCompleted; i++)
            {
                var run = LabClients.RunLegacyClientAsync(endpoint, new LegacyClientOptions(), device.Token);
                if (await Task.WhenAny(run, listening).ConfigureAwait(false) == listening) await device.CancelAsync().ConfigureAwait(false);
                try { await run.ConfigureAwait(false); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
            }
        }
        var result = await listening.ConfigureAwait(false);
        var profile = result.Captures.LastOrDefault(c => c.Profile is not null)?.Profile;
        if (profile is null) return null;
        return await runner.RunAsync(new DiagnoseOptions
        {
            ClientHello = profile,
            ClientHelloOrigin = "capture of mfd-legacy-client",
            Windows = windows,
            Probe = probe,
        }, null, ct).ConfigureAwait(false);
    }

    private static async Task<DiagnosisReport?> LearnSha1ClientAsync(DiagnosisRunner runner, WindowsSide windows, ProbeOptions probe, CancellationToken ct)
    {
        var server = new TerminalServerModel(windows.Policy.Release.Name, windows.Policy.ToServerProfile(AssumedServerCertificate.At(DateTimeOffset.UtcNow)));
        using var listener = ClientHelloListener.Start(new ListenOptions(new IPEndPoint(IPAddress.Loopback, 0), null, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5), false)
        {
            Learn = true,
            TerminalServer = server,
        });
        var listening = listener.RunAsync(null, ct);
        for (var i = 0; i < 12 && !listening.IsCompleted; i++)
            await LabClients.RunClientAsync(LabProfiles.MfdSha1Client, listener.LocalEndPoint, new LegacyClientOptions([], TimeSpan.FromSeconds(5)), ct).ConfigureAwait(false);
        var result = await listening.ConfigureAwait(false);
        var profile = result.Captures.LastOrDefault(c => c.Profile is not null)?.Profile;
        if (profile is null) return null;
        return await runner.RunAsync(new DiagnoseOptions
        {
            ClientHello = profile,
            ClientHelloOrigin = "listen --learn of mfd-sha1-client",
            Windows = windows,
            Probe = probe,
        }, null, ct).ConfigureAwait(false);
    }

    private static ImmutableArray<string> Write(DiagnosisReport report, string outDir, string profile, CliConsole console)
    {
        if (!report.Findings.Any(f => f.Remedies.Any(r => r.Files.Length > 0))) return [];
        try { return RemedyWriter.Write(report, Path.Combine(outDir, profile), new RemedyStamp(ScanCommand.ToolVersion, DateTimeOffset.UtcNow)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error.MarkupLineInterpolated($"[yellow]cannot write remedy files for {profile}: {e.Message}[/]");
            return [];
        }
    }

    private sealed record DemoCase(string Profile, string Reproduces, string Endpoint, DiagnosisReport Report, ImmutableArray<string> Written);
}

/// <summary>`demo --json`: the simulated Windows side and one diagnosis per lab device.</summary>
public sealed record DemoDocument(string Windows, ImmutableArray<string> Updates, ImmutableArray<DemoCaseJson> Devices);

/// <summary>One lab device and its diagnosis.</summary>
public sealed record DemoCaseJson(string Profile, string Reproduces, string Endpoint, DiagnosisDocument Diagnosis);

/// <summary>Serializer settings for the demo's JSON.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(DemoDocument))]
public sealed partial class DemoJsonContext : JsonSerializerContext;

/// <summary>The demo context with readable escaping (remedy files contain backslashes and quotes).</summary>
public static class DemoJson
{
    public static DemoJsonContext Relaxed { get; } = new(new JsonSerializerOptions(DemoJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
