using Spectre.Console;
using Spectre.Console.Rendering;
using TlsDoctor.Core;
using TlsDoctor.Probe;

namespace TlsDoctor.Cli.Commands;

/// <summary>Draws a scan result as tables; device-supplied text is escaped before it enters markup.</summary>
public static class ScanRenderer
{
    /// <summary>A target Ctrl+C stopped before its scan finished.</summary>
    public static void RenderCancelled(IAnsiConsole console, ProbeTarget target)
    {
        console.Heading($"[bold]{Markup.Escape(target.ToString())}[/]");
        console.MarkupLine("[yellow]cancelled (Ctrl+C) before this target's scan finished; nothing about it is known[/]");
    }

    /// <summary>The grade, each reason that capped it, and the warning for SSL-only devices.</summary>
    public static void RenderRating(IAnsiConsole console, SecurityGrade g)
    {
        var colour = g.Grade switch { "A" => "green", "B" => "yellow", null => "grey", _ => "red" };
        console.MarkupLineInterpolated($"Security rating: [{colour} bold]{g.Grade ?? "not rated"}[/]");
        foreach (var reason in g.Reasons.Where(x => x.Cap != "-")) console.MarkupLineInterpolated($"  [{colour}]caps at {reason.Cap}:[/] {reason.Reason}");
        if (g.Warning is { } w) console.MarkupLineInterpolated($"[red bold]WARNING:[/] {w}");
    }

    public static void Render(IAnsiConsole console, ScanResult r, bool verbose)
    {
        console.Heading($"[bold]{Markup.Escape(r.Target.ToString())}[/]");
        if (!r.Reachable)
        {
            console.MarkupLineInterpolated($"[red]unreachable:[/] {r.Error}");
            return;
        }
        if (r.Error is not null) console.MarkupLineInterpolated($"[yellow]{r.Error}[/]");
        RenderRating(console, SecurityRating.Rate(r.Profile));

        var versions = new Table().Border(TableBorder.Rounded).AddColumns("Version", "Supported", "Order", "Suites", "Full handshake");
        foreach (var p in r.Profile.Protocols)
        {
            versions.AddRow(
                new Text(p.Version.Name()),
                p.Supported ? new Markup(p.Version <= TlsVersion.TLSv1_1 ? "[yellow]yes[/]" : "[green]yes[/]") : new Markup("[grey]no[/]"),
                new Text(p.ServerOrder switch { true => "server", false => "client", null => "" }),
                new Text(p.Supported ? p.CipherSuites.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) : ""),
                HandshakeCell(p.FullHandshake));
        }
        console.Write(versions);

        foreach (var p in r.Profile.Protocols.Where(p => p.Supported && p.CipherSuites.Length > 0))
        {
            var t = new Table().Border(TableBorder.Simple)
                .Title($"{p.Version.Name()} cipher suites{(p.ServerOrder == true ? " (server order)" : "")}")
                .AddColumns("#", "Suite", "Code", "Key exchange", "DH / group");
            var i = 1;
            foreach (var s in p.CipherSuites)
            {
                var kx = s.DhBits is { } d
                    ? (d < 1024 ? $"[red]DH {d}[/]" : d < 2048 ? $"[yellow]DH {d}[/]" : $"DH {d}") + (s.DhBitsWithFfdhe is { } f ? $" (FFDHE offered: {f})" : "")
                    : s.Group is { } g ? Markup.Escape(g.Name) : "";
                var name = s.Suite.IsWeak() ? $"[yellow]{Markup.Escape(s.Suite.Name)}[/]" : Markup.Escape(s.Suite.Name);
                t.AddRow(new Text((i++).ToString(System.Globalization.CultureInfo.InvariantCulture)), new Markup(name), new Text(s.Suite.Hex), new Text(s.Suite.KeyExchange.Name()), new Markup(kx));
            }
            console.Write(t);
        }

        if (r.Profile.Groups.Length > 0)
            console.MarkupLineInterpolated($"[bold]Groups:[/] {string.Join(", ", r.Profile.Groups.Select(g => g.Name))}");

        if (r.Profile.Certificates.Length > 0)
        {
            var ct = new Table().Border(TableBorder.Rounded).AddColumns("Subject", "Issuer", "Key", "Signature", "Valid until", "SHA-256");
            foreach (var c in r.Profile.Certificates)
            {
                var key = c.Curve is not null ? $"{c.KeyAlgorithm} {c.Curve}" : $"{c.KeyAlgorithm} {c.KeyBits}";
                var sig = c.SignatureHash is "sha1" or "md5" or "md2" ? $"[yellow]{Markup.Escape(c.SignatureAlgorithm)}[/]" : Markup.Escape(c.SignatureAlgorithm);
                var until = c.NotAfter < DateTimeOffset.UtcNow ? $"[red]{c.NotAfter:yyyy-MM-dd} (expired)[/]" : $"{c.NotAfter:yyyy-MM-dd}";
                ct.AddRow(new Text(c.Subject), new Text(c.SelfSigned ? "(self-signed)" : c.Issuer), new Text(key), new Markup(sig), new Markup(until), new Text(c.Sha256));
            }
            console.Write(ct);
        }

        foreach (var b in r.Profile.Behaviours)
            console.MarkupLineInterpolated($"[bold]{b.Kind.Name()}[/]{(b.Version is { } v ? $" ({v.Name()})" : "")}: {b.Detail}");

        if (verbose)
        {
            var at = new Table().Border(TableBorder.Simple).Title("Connections").AddColumns("#", "Purpose", "Offered", "Answer", "ms");
            foreach (var a in r.Attempts)
                at.AddRow(a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(a.Purpose), Markup.Escape(a.Offered), Markup.Escape(a.Outcome), a.ElapsedMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
            console.Write(at);
        }
        console.MarkupLineInterpolated($"[grey]{r.Handshakes} connections, {r.Elapsed.TotalMilliseconds:0} ms[/]");
        console.WriteLine();
    }

    private static IRenderable HandshakeCell(HandshakeCheck? h) => h switch
    {
        null => new Text(""),
        { Completed: true } => new Markup($"[green]completed[/] {Markup.Escape(h.CipherSuite ?? "")}"),
        _ => new Markup($"[red]failed at {h.Stage.Name()}[/]{(h.Alert is { } a ? $" ({(h.AlertSentByUs ? "sent" : "received")} {a.Name()})" : "")}{(h.Error is { } e && h.Alert is null ? " " + Markup.Escape(e) : "")}"),
    };

}
