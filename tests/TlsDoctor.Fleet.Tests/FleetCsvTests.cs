using System.Collections.Immutable;
using System.Globalization;
using TlsDoctor.Core;

namespace TlsDoctor.Fleet.Tests;

/// <summary>`fleet report --csv`: RFC 4180 with CRLF, the column order, and no spreadsheet formulas from device or inventory text.</summary>
public class FleetCsvTests
{
    private const string Header =
        "device,scan,source,name,host,port,model,site,status,error,versions,suites,preferred_suite,weak_suites,dh_bits,certificate_key,"
        + "certificate_signature,certificate_not_after,behaviours,handshake,reason,findings,connections,elapsed_ms,grade,grade_reasons,warning,not_checked";

    private static DeviceRowJson Row(string key, ImmutableSortedDictionary<string, string> attributes) => new(
        key, 7, null, key, "10.0.0.9", 443, null, null, attributes, "pending", null, [], 0, null, [], null, null, null, null, [], null, [], 0, 0);

    private static FleetReportJson Report(params DeviceRowJson[] rows) => new(
        DateTimeOffset.UnixEpoch, [], null, rows.Length, ImmutableSortedDictionary<string, int>.Empty, [], [], [], [], [], [], [], [], [], [.. rows]);

    [Fact]
    public void Formulas_are_neutralised_quoting_follows_rfc_4180_and_negative_numbers_stay_numbers()
    {
        var tricky = new DeviceRowJson(
            Key: "=HYPERLINK(\"x\")",
            ScanId: 7,
            Source: null,
            Name: "=HYPERLINK(\"x\")",
            Host: "10.0.0.5",
            Port: 443,
            Model: "MFD, \"Pro\"\r\nrev 2",
            Site: "site-a",
            Attributes: new Dictionary<string, string> { ["rack"] = "-12", ["floor"] = "+3", ["owner"] = "@ops", ["note"] = "-x, y", ["offset"] = "-0.5" }
                .ToImmutableSortedDictionary(StringComparer.Ordinal),
            Status: "ok",
            Error: null,
            Versions: ["TLSv1.0", "TLSv1.2"],
            Suites: 12,
            PreferredSuite: "TLS_RSA_WITH_AES_128_CBC_SHA",
            WeakSuites: ["TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"],
            DhBits: 1024,
            CertificateKey: "RSA 2048",
            CertificateSignature: "sha256WithRSAEncryption",
            CertificateNotAfter: new DateTimeOffset(2030, 1, 2, 23, 0, 0, TimeSpan.Zero),
            Behaviours: ["renegotiation-refused"],
            Outcome: new FleetOutcomeJson(false, false, null, null, null, "no-shared-cipher", "client", null, "no suite in common"),
            Findings: [new FleetFinding("TD001", "weak-dh", "error", "weak DH")],
            Handshakes: 9,
            ElapsedMs: 1234,
            NotChecked: ["TD003 tls12-intolerance"],
            Rating: new SecurityGrade("F", [new RatingReason("F", "RC4, \"weak\""), new RatingReason("B", "TLS 1.0")], "answers only SSLv3"));
        var plain = new DeviceRowJson("printer-2", 7, "site-b", "printer-2", "fe80::1", 9100, null, null, ImmutableSortedDictionary<string, string>.Empty,
            "unreachable", "connection refused", [], 0, null, [], null, null, null, null, [], null, [], 0, 0);

        var csv = FleetCsv.Render(Report(tricky, plain));

        Assert.Equal(
            Header + ",floor,note,offset,owner,rack\r\n"
            + "\"'=HYPERLINK(\"\"x\"\")\",7,,\"'=HYPERLINK(\"\"x\"\")\",10.0.0.5,443,\"MFD, \"\"Pro\"\"\r\nrev 2\",site-a,ok,,TLSv1.0 TLSv1.2,12,"
            + "TLS_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_RC4_128_SHA TLS_RSA_WITH_3DES_EDE_CBC_SHA,1024,RSA 2048,sha256WithRSAEncryption,2030-01-02,"
            + "renegotiation-refused,fails,no-shared-cipher,TD001,9,1234,F,\"F: RC4, \"\"weak\"\"; B: TLS 1.0\",answers only SSLv3,TD003 tls12-intolerance,"
            + "+3,\"'-x, y\",-0.5,'@ops,-12\r\n"
            + "printer-2,7,site-b,printer-2,fe80::1,9100,,,unreachable,connection refused,,0,,,,,,,,,,,0,0,,,,,,,,,\r\n",
            csv);
    }

    /// <summary>Field by field, the writer quotes and guards exactly as the hand-written writer did before CsvHelper wrote the file.</summary>
    [Fact]
    public void Every_field_is_written_as_before()
    {
        string[] values =
        [
            "", " ", " lead", "trail ", "\ttab", "a\tb", "\r", "\n", "\r\n", "a\r\nb", "\"", "a\"b", "\"\"", ",", "a,b", ";", "'quoted",
            "=", "+", "-", "@", "=1+1", "=x,y", "@\"q\"", "-\n", " =x", "-5", "+5", "-0.5", "-1e3", "1e3", "-1,5", "-Infinity", "-∞", "NaN",
            "−5", "é", "日本", "😀", "#comment", "sep=,",
        ];
        var attributes = values.Select((v, i) => (Key: $"k{i:00}", Value: v)).ToImmutableSortedDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);

        var csv = FleetCsv.Render(Report(Row("p", attributes)));

        var expected = Header + "," + string.Join(",", attributes.Keys) + "\r\n"
            + "p,7,,p,10.0.0.9,443,,,pending,,,0,,,,,,,,,,,0,0,,,,," + string.Join(",", values.Select(Legacy)) + "\r\n";
        Assert.Equal(expected, csv);
    }

    [Fact]
    public void A_report_without_devices_is_the_header_alone()
    {
        Assert.Equal(Header + "\r\n", FleetCsv.Render(Report()));
    }

    // The quoting of FleetCsv before it used CsvHelper (issue 15), kept as the reference.
    private static string Legacy(string s)
    {
        if (s.Length > 0 && s[0] is '=' or '+' or '-' or '@' && !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) s = "'" + s;
        return s.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
    }
}
