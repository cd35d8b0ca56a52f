using System.Globalization;
using CsvHelper;

namespace TlsDoctor.Fleet;

/// <summary>One CSV row per device (RFC 4180, CRLF), for spreadsheets; inventory attributes become extra columns.</summary>
public static class FleetCsv
{
    // RFC 4180: comma, CRLF, quotes only where needed (separator, quote, CR, LF), null as an empty field, every record
    // as many fields as the header (CsvHelper's defaults, spelled out). CsvHelper's own injection guard (Injection =
    // Escape) is not used: it also quotes every guarded field and guards text that is a number ("-12"), which would
    // change the file; Guard does it as the report always has.
    private static readonly CsvWriterOptions Options = new()
    {
        Mode = CsvMode.Rfc4180,
        Separator = ',',
        NewLine = "\r\n",
        Quoting = CsvQuoting.WhenNeeded,
        Injection = CsvInjection.None,
        ValidateFieldCount = true,
    };

    public static string Render(FleetReportJson r)
    {
        var attributes = r.DeviceRows.SelectMany(d => d.Attributes.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, Options, leaveOpen: true))
        {
            csv.WriteHeader(Guarded(["device", "scan", "source", "name", "host", "port", "model", "site", "status", "error", "versions", "suites", "preferred_suite", "weak_suites",
                "dh_bits", "certificate_key", "certificate_signature", "certificate_not_after", "behaviours", "handshake", "reason", "findings", "connections", "elapsed_ms",
                "grade", "grade_reasons", "warning", "not_checked", .. attributes]));
            foreach (var d in r.DeviceRows)
            {
                csv.WriteRecord(Guarded([d.Key, I(d.ScanId), d.Source, d.Name, d.Host, I(d.Port), d.Model, d.Site, d.Status, d.Error, string.Join(" ", d.Versions), I(d.Suites),
                    d.PreferredSuite, string.Join(" ", d.WeakSuites), d.DhBits is { } b ? I(b) : "", d.CertificateKey, d.CertificateSignature,
                    d.CertificateNotAfter?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), string.Join(" ", d.Behaviours),
                    d.Outcome is null ? "" : d.Outcome.Healthy ? "works" : "fails", d.Outcome?.Reason, string.Join(" ", d.Findings.Select(f => f.Id)),
                    I(d.Handshakes), I(d.ElapsedMs), d.Rating?.Grade, d.Rating is null ? "" : string.Join("; ", d.Rating.Reasons.Select(x => $"{x.Cap}: {x.Reason}")),
                    d.Rating?.Warning, string.Join(" ", d.NotChecked.IsDefault ? [] : d.NotChecked), .. attributes.Select(a => d.Attributes.TryGetValue(a, out var v) ? v : "")]));
            }
        }
        return text.ToString();
    }

    private static string I(long n) => n.ToString(CultureInfo.InvariantCulture);

    // Absent values (null) are empty fields.
    private static string[] Guarded(string?[] fields) => Array.ConvertAll(fields, f => Guard(f ?? ""));

    // Text from devices and the inventory (names, models, errors, attributes) must not become a spreadsheet formula: a
    // field starting with = + - @ gets a leading apostrophe unless it is a number ("-12" stays a number).
    private static string Guard(string s) =>
        s.Length > 0 && s[0] is '=' or '+' or '-' or '@' && !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? "'" + s : s;
}
