using System.Globalization;
using Spectre.Console;
using TlsDoctor.Core;
using TlsDoctor.Probe.Capture;

namespace TlsDoctor.Cli.Commands;

/// <summary>Draws captured ClientHellos as tables; device-supplied text is escaped before it enters markup.</summary>
public static class ListenRenderer
{
    public static void Render(IAnsiConsole console, ListenResult r)
    {
        console.MarkupLineInterpolated($"[bold]listen {r.Local}[/]: {r.Captures.Length} connection(s), {r.Captured} ClientHello(s), stopped by {ListenJsonMapper.StopName(r.Stop)}");
        foreach (var c in r.Captures)
        {
            console.Heading($"[bold]#{c.Connection.ToString(CultureInfo.InvariantCulture)} {Markup.Escape(c.Remote)}[/] {c.Time:yyyy-MM-dd HH:mm:ss}Z");
            if (c.Hello is not { } h)
            {
                console.MarkupLineInterpolated($"[red]no ClientHello:[/] {c.Error}");
                continue;
            }
            var json = ListenJsonMapper.ToJson(h);
            var t = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumns("Field", "Value");
            void Row(string k, string v) => t.AddRow(new Markup($"[bold]{Markup.Escape(k)}[/]"), new Text(v.Length == 0 ? "-" : v));
            Row("Format", json.Format + (json.RecordVersion is { } rv ? $" (record {rv})" : ""));
            Row("legacy_version", json.LegacyVersion);
            Row("supported_versions", string.Join(", ", json.SupportedVersions));
            Row("Versions (profile)", string.Join(", ", c.Profile!.Versions.Select(v => v.Name())));
            Row("Server name (SNI)", h.ServerName ?? "");
            Row("ALPN", string.Join(", ", h.Alpn));
            Row("Groups", string.Join(", ", json.Groups));
            Row("Signature algorithms", string.Join(", ", json.SignatureAlgorithms));
            Row("EC point formats", string.Join(", ", json.EcPointFormats));
            Row("Extensions", string.Join(", ", json.Extensions));
            if (json.Sslv2CipherKinds.Length > 0) Row("SSLv2 cipher kinds", string.Join(", ", json.Sslv2CipherKinds));
            Row("JA3", $"{c.Ja3!.Hash} ({c.Ja3.Text})");
            Row("JA4", c.Ja4 ?? "");
            Row("Answered with", c.Response);
            console.Write(t);

            var suites = new Table().Border(TableBorder.Simple).Title("cipher suites (client order)").AddColumns("#", "Suite", "Code", "Key exchange");
            var i = 1;
            foreach (var code in h.CipherSuites.Where(s => !Grease.IsGrease(s)))
            {
                var s = CipherSuites.Get(code);
                suites.AddRow(new Text(i++.ToString(CultureInfo.InvariantCulture)),
                    s.IsWeak() ? new Markup($"[yellow]{Markup.Escape(s.Name)}[/]") : new Text(s.Name), new Text(s.Hex), new Text(s.KeyExchange.Name()));
            }
            console.Write(suites);
        }

        foreach (var device in r.Captures.Where(c => c.Learning is not null).GroupBy(c => c.RemoteAddress))
        {
            var learning = device.First().Learning!;
            var x = new Table().Border(TableBorder.Rounded).Title($"learning exchanges of {Markup.Escape(device.Key)}")
                .AddColumns("Conn", "Question", "Answered", "Certificate", "Verdict", "Shows");
            foreach (var e in learning.Exchanges)
                x.AddRow(new Text(e.Connection.ToString(CultureInfo.InvariantCulture)), new Text(e.Question.Name()),
                    new Text($"{e.AnsweredVersion?.Name()} {e.AnsweredSuite}".Trim()), new Text(e.Result.Certificate), new Text(e.Verdict), new Text(e.Shows));
            console.Write(x);
            var l = new Table().Border(TableBorder.Rounded).Title($"learned limits of {Markup.Escape(device.Key)}").AddColumns("Limit", "Value", "Basis", "Source");
            foreach (var limit in learning.Limits)
                l.AddRow(new Text(limit.Name), new Text(limit.Value),
                    new Markup(limit.Basis == LimitBasis.Observed ? "[green]observed[/]" : "[yellow]assumed[/]"), new Text(limit.Source));
            console.Write(l);
            console.MarkupLineInterpolated($"[bold]Learning:[/] {learning.Explanation}");
        }

        foreach (var device in r.Captures.Where(c => c.CertificateSummary is not null && c.Learning is null).GroupBy(c => c.RemoteAddress))
        {
            var first = device.First();
            var t = new Table().Border(TableBorder.Rounded).Title($"certificate probe of {Markup.Escape(device.Key)}")
                .AddColumns("Conn", "Certificate", "Verdict", "Alert", "Version / suite", "Detail");
            foreach (var a in first.CertificateProbe)
            {
                var verdict = a.Verdict switch
                {
                    CertificateVerdict.Accepted => "[green]accepted[/]",
                    CertificateVerdict.Untrusted => "[yellow]untrusted (algorithm OK)[/]",
                    CertificateVerdict.Rejected => "[red]rejected[/]",
                    CertificateVerdict.NotApplicable => "[grey]not applicable[/]",
                    _ => "[grey]error[/]",
                };
                t.AddRow(new Text(a.Connection?.ToString(CultureInfo.InvariantCulture) ?? "-"), new Text(a.Certificate), new Markup(verdict),
                    new Text(a.Alert is { } al ? al.Name() + (a.AlertSentByDevice ? " (device)" : " (us)") : ""),
                    new Text($"{a.Version?.Name()} {a.CipherSuite}".Trim()), new Text(a.Detail));
            }
            console.Write(t);
            console.MarkupLineInterpolated($"[bold]Result:[/] {first.CertificateSummary!.Explanation}");
        }
    }
}
