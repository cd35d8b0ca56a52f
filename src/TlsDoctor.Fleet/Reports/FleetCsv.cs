using System.Globalization;
using System.Text;

namespace TlsDoctor.Fleet;

/// <summary>One CSV row per device (RFC 4180), for spreadsheets; inventory attributes become extra columns.</summary>
public static class FleetCsv
{
    public static string Render(FleetReportJson r)
    {
        var attributes = r.DeviceRows.SelectMany(d => d.Attributes.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        Line(sb, ["device", "scan", "source", "name", "host", "port", "model", "site", "status", "error", "versions", "suites", "preferred_suite", "weak_suites",
            "dh_bits", "certificate_key", "certificate_signature", "certificate_not_after", "behaviours", "handshake", "reason", "findings", "connections", "elapsed_ms",
            "grade", "grade_reasons", "warning", "not_checked", .. attributes]);
        foreach (var d in r.DeviceRows)
        {
            Line(sb, [d.Key, I(d.ScanId), d.Source, d.Name, d.Host, I(d.Port), d.Model, d.Site, d.Status, d.Error, string.Join(" ", d.Versions), I(d.Suites),
                d.PreferredSuite, string.Join(" ", d.WeakSuites), d.DhBits is { } b ? I(b) : "", d.CertificateKey, d.CertificateSignature,
                d.CertificateNotAfter?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), string.Join(" ", d.Behaviours),
                d.Outcome is null ? "" : d.Outcome.Healthy ? "works" : "fails", d.Outcome?.Reason, string.Join(" ", d.Findings.Select(f => f.Id)),
                I(d.Handshakes), I(d.ElapsedMs), d.Rating?.Grade, d.Rating is null ? "" : string.Join("; ", d.Rating.Reasons.Select(x => $"{x.Cap}: {x.Reason}")),
                d.Rating?.Warning, string.Join(" ", d.NotChecked.IsDefault ? [] : d.NotChecked), .. attributes.Select(a => d.Attributes.TryGetValue(a, out var v) ? v : "")]);
        }
        return sb.ToString();
    }

    private static string I(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static void Line(StringBuilder sb, IEnumerable<string?> fields)
    {
        var first = true;
        foreach (var f in fields)
        {
            if (!first) sb.Append(',');
            first = false;
            sb.Append(Quote(f ?? ""));
        }
        sb.Append("\r\n");
    }

    private static string Quote(string s)
    {
        // Device-supplied text (certificate subjects) must not become a spreadsheet formula.
        if (s.Length > 0 && s[0] is '=' or '+' or '-' or '@' && !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) s = "'" + s;
        return s.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
    }
}
