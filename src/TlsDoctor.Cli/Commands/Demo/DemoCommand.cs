using System.CommandLine;
using Spectre.Console;
using TlsDoctor.Core;
using TlsDoctor.Lab;
using TlsDoctor.Probe;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor demo`: starts the lab's simulated devices and shows what TlsDoctor finds on each, without any printer.</summary>
public static class DemoCommand
{
    public static readonly Option<bool> Json = CommonOptions.Json();

    public static Command Create(CliConsole console)
    {
        var cmd = new Command("demo", "Start the lab's simulated devices on 127.0.0.1 and diagnose each one (no printer needed)") { Json };
        cmd.SetAction((parse, ct) => RunAsync(parse, console, ct));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        console.Error.MarkupLine("[grey]starting the lab…[/]");
        await using var host = await LabHost.StartAsync(LabCommand.GuideServers, new LabOptions(), ct).ConfigureAwait(false);
        var scanner = new TlsScanner(ProbeOptions.Default with { TargetDeadline = TimeSpan.FromSeconds(60) });
        var results = new List<(LabDevice device, ScanResult scan)>();
        foreach (var device in host.Devices)
        {
            console.Error.MarkupLineInterpolated($"[grey]scanning {device.Profile} at {device.Endpoint}…[/]");
            var r = await scanner.ScanAsync(new ProbeTarget(device.Endpoint.Address.ToString(), device.Endpoint.Port), null, ct).ConfigureAwait(false);
            results.Add((device, r));
        }

        if (parse.GetValue(Json))
        {
            var doc = new Probe.Json.ScanDocument([.. results.Select(x => Probe.Json.ScanJsonMapper.ToJson(x.scan, false))]);
            await console.RawOut.WriteLineAsync(Probe.Json.ScanJsonMapper.Serialize(doc)).ConfigureAwait(false);
        }
        else
        {
            foreach (var (device, scan) in results)
            {
                console.Out.Write(new Rule($"[bold]{Markup.Escape(device.Profile)}[/] — {Markup.Escape(device.Reproduces)}").LeftJustified());
                console.Out.MarkupLineInterpolated($"[bold]Found:[/] {Summary(scan)}");
                ScanRenderer.Render(console.Out, scan, verbose: false);
            }
        }
        return results.All(r => r.scan.Reachable) ? ExitCodes.Ok : ExitCodes.Unreachable;
    }

    private static string Summary(ScanResult r)
    {
        var parts = new List<string> { "versions " + string.Join(", ", r.Profile.SupportedVersions.Select(v => v.Name())) };
        var dh = r.Profile.Protocols.SelectMany(p => p.CipherSuites).Select(s => s.DhBits).Where(b => b is not null).Distinct().ToList();
        if (dh.Count > 0) parts.Add("DH " + string.Join("/", dh) + " bits");
        if (r.Profile.Certificates.FirstOrDefault() is { } c) parts.Add($"certificate {c.KeyAlgorithm}-{c.KeyBits} {c.SignatureAlgorithm}");
        foreach (var b in r.Profile.Behaviours.Where(b => b.Kind is not BehaviourKinds.SecureRenegotiation)) parts.Add(b.Kind + (b.Version is { } v ? $" ({v.Name()})" : ""));
        return string.Join("; ", parts);
    }
}
