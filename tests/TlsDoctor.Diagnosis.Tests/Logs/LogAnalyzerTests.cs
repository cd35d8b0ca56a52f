using System.Runtime.CompilerServices;
using TlsDoctor.Diagnosis.Logs;

namespace TlsDoctor.Diagnosis.Tests.Logs;

/// <summary>terminalserver.log analysis against realistic samples (Samples/) and hostile input.</summary>
public sealed class LogAnalyzerTests
{
    internal static string Sample(string name, [CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "Samples", name);

    private static LogReport Analyze(params string[] names) => LogAnalyzer.AnalyzeFiles([.. names.Select(n => Sample(n))], TimeSpan.FromMinutes(10));

    [Fact]
    public void Log4net_sample_groups_failures_by_device_with_the_right_findings()
    {
        var r = Analyze("terminalserver.log");
        Assert.Empty(r.Warnings);
        // 9 failure entries; the INFO/WARN lines and the stack frames are not failures.
        Assert.Equal(9, r.Failures);
        var byDevice = r.Devices.ToDictionary(d => d.Device);
        Assert.Equal(["10.20.30.41:443", "10.20.30.57:443", "10.20.31.12", "fd00:10:20::35", "payment.example.local:8443", "(no address)"],
            r.Devices.Select(d => d.Host is "fd00:10:20::35" ? d.Host : d.Device).OrderBy(x => x == "(no address)").ThenBy(x => x, StringComparer.Ordinal));

        var weakDh = byDevice["10.20.30.41:443"];
        Assert.Equal(2, weakDh.Count);
        Assert.Equal(new DateTime(2024, 3, 5, 14, 22, 3, 456), weakDh.FirstSeen);
        Assert.Equal(new DateTime(2024, 3, 5, 14, 22, 33, 902), weakDh.LastSeen);
        // "The Local Security Authority cannot be contacted" narrows the generic message down to the DH cases.
        Assert.Equal("TD001", weakDh.Findings[0].Id);
        Assert.Equal("weak-dh", weakDh.Findings[0].Slug);
        Assert.Equal("tlsdoctor diagnose --device 10.20.30.41:443", weakDh.DiagnoseCommand);
        Assert.Single(weakDh.Windows);
        Assert.Contains(weakDh.Messages, m => m.Pattern == "secure-channel" && m.Count == 1);
        Assert.Contains(weakDh.Messages, m => m.Pattern == "lsa-unreachable" && m.Count == 1);

        var illegal = byDevice["10.20.30.57:443"];
        Assert.Equal(2, illegal.Count);
        Assert.Contains(illegal.Findings, f => f.Id == "TD002" && f.Failures == 2);
        Assert.Contains(illegal.Findings, f => f.Id == "TD003" && f.Failures == 2);

        // Inbound: the device closed the stream on port 5012; its ephemeral ports are not device ports.
        var inbound = r.Devices.Single(d => d.Host == "10.20.31.12");
        Assert.Null(inbound.Port);
        Assert.Equal(2, inbound.Count);
        Assert.Contains(inbound.Findings, f => f.Id == "TD006");
        Assert.Contains(inbound.Findings, f => f.Id == "TD007");
        Assert.Equal("tlsdoctor diagnose --device 10.20.31.12:443", inbound.DiagnoseCommand);
        Assert.Contains("--probe-certs", inbound.ListenCommand);

        var v6 = r.Devices.Single(d => d.Host == "fd00:10:20::35");
        Assert.Equal("tlsdoctor diagnose --device [fd00:10:20::35]:443", v6.DiagnoseCommand);
        Assert.Equal(["TD006", "TD104", "TD105"], v6.Findings.Select(f => f.Id).Order());

        var payment = byDevice["payment.example.local:8443"];
        Assert.Contains(payment.Findings, f => f.Id == "TD004");
        Assert.Equal("tlsdoctor diagnose --payment payment.example.local:8443", payment.DiagnoseCommand);
        Assert.Null(payment.ListenCommand);

        var unknown = byDevice["(no address)"];
        Assert.Null(unknown.DiagnoseCommand);
        Assert.Contains(unknown.Findings, f => f.Id == "TD005");
        // Assembly versions (Version=4.0.0.0) are not devices.
        Assert.DoesNotContain(r.Devices, d => d.Host == "4.0.0.0");
    }

    [Fact]
    public void A_payment_service_failure_suggests_diagnose_payment_and_never_the_device_side_findings()
    {
        var entry = new LogEntry("terminalserver.log", 1, new DateTime(2024, 3, 6, 9, 0, 0),
            "ERROR TerminalServer.Payment.PaymentClient - Payment system request to https://pay.example.local:8443/api failed\n" +
            "System.IO.IOException: Authentication failed because the remote party has closed the transport stream.");
        var d = Assert.Single(LogAnalyzer.Analyze(["terminalserver.log"], [entry], 2, TimeSpan.FromMinutes(10)).Devices);
        Assert.Equal("tlsdoctor diagnose --payment pay.example.local:8443", d.DiagnoseCommand);
        Assert.Null(d.ListenCommand);
        Assert.DoesNotContain(d.Findings, f => f.Id is "TD006" or "TD007");
        Assert.Contains(d.Findings, f => f.Id == "TD005");
    }

    [Fact]
    public void German_layout_without_milliseconds_and_time_windows()
    {
        var r = Analyze("terminalserver-de.log");
        var d = Assert.Single(r.Devices);
        Assert.Equal("192.168.10.23:443", d.Device);
        Assert.Equal(3, d.Count);
        Assert.Equal(new DateTime(2024, 3, 5, 14, 22, 2), d.FirstSeen);
        // 14:22 alone, then 14:52 and 14:53 within ten minutes of each other.
        Assert.Equal([1, 2], d.Windows.Select(w => w.Count));
        // The stack trace line belongs to the first failure, not a failure of its own.
        Assert.Equal(3, r.Failures);
    }

    [Fact]
    public void Schannel_event_texts_map_alert_codes_to_findings()
    {
        var r = Analyze("schannel-events.txt");
        var byHost = r.Devices.ToDictionary(d => d.Host ?? "-");
        // 36887 with alert 48 (unknown_ca) from the device: it does not trust our certificate.
        Assert.Equal(["TD006"], byHost["10.20.31.12"].Findings.Select(f => f.Id));
        Assert.Equal(new DateTime(2024, 3, 5, 16, 46, 10), byHost["10.20.31.12"].FirstSeen);
        // 36888 with alert 71 (insufficient_security) generated by us towards the device: weak DH.
        Assert.Contains(byHost["10.20.30.41"].Findings, f => f.Id == "TD001");
        // 36874 names no address: no common suite with some client.
        Assert.Contains(byHost["-"].Findings, f => f.Id == "TD101");
    }

    [Fact]
    public void Several_files_merge_per_device()
    {
        var r = Analyze("terminalserver.log", "schannel-events.txt");
        var d = r.Devices.Single(x => x.Host == "10.20.30.41");
        Assert.Equal(3, d.Count);
        Assert.Equal(new DateTime(2024, 3, 5, 16, 47, 10), d.LastSeen);
        Assert.Equal(2, d.Windows.Length);
    }

    [Fact]
    public void Clean_log_has_no_failures()
    {
        var r = Analyze("clean.log");
        Assert.Equal(0, r.Failures);
        Assert.Empty(r.Devices);
        Assert.Equal(3, r.Entries);
    }

    [Fact]
    public void Missing_and_binary_files_throw_a_clear_message()
    {
        var e = Assert.Throws<LogFileException>(() => LogAnalyzer.AnalyzeFiles([Sample("nope.log")], TimeSpan.FromMinutes(10)));
        Assert.Contains("file not found", e.Message);
        var bin = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(bin, [0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00, 0x01, 0x02]);
            Assert.Contains("binary", Assert.Throws<LogFileException>(() => LogAnalyzer.AnalyzeFiles([bin], TimeSpan.FromMinutes(10))).Message);
            File.WriteAllText(bin, "");
            var empty = LogAnalyzer.AnalyzeFiles([bin], TimeSpan.FromMinutes(10));
            Assert.Equal(0, empty.Failures);
            Assert.Contains(empty.Warnings, w => w.Contains("empty", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(bin);
        }
    }

    [Fact]
    public void Utf16_log_with_bom_is_read()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "2024-01-02T03:04:05Z ERROR https://10.1.2.3:8443/x Could not create SSL/TLS secure channel\r\n", System.Text.Encoding.Unicode);
            var r = LogAnalyzer.AnalyzeFiles([path], TimeSpan.FromMinutes(10));
            Assert.Equal("10.1.2.3:8443", Assert.Single(r.Devices).Device);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("2024-03-05 14:22:01,123 [1] ERROR x", 2024, 3, 5, 14, 22, 1, 123)]
    [InlineData("[2024-03-05T14:22:01.123+01:00] x", 2024, 3, 5, 14, 22, 1, 123)]
    [InlineData("ERROR 05.03.2024 14:22:01 x", 2024, 3, 5, 14, 22, 1, 0)]
    [InlineData("25/12/2023 23:59:59.5 x", 2023, 12, 25, 23, 59, 59, 500)]
    [InlineData("3/5/2024 12:05:00 AM x", 2024, 3, 5, 0, 5, 0, 0)]
    [InlineData("05-Mar-2024 14:22:01 x", 2024, 3, 5, 14, 22, 1, 0)]
    [InlineData("2024/03/05 14:22:01 x", 2024, 3, 5, 14, 22, 1, 0)]
    public void Timestamps_in_many_layouts(string line, int y, int mo, int d, int h, int mi, int s, int ms)
    {
        Assert.True(LogReader.TryParseTime(line, out var t));
        Assert.Equal(new DateTime(y, mo, d, h, mi, s, ms), t);
    }

    [Theory]
    [InlineData("   at System.Net.HttpWebRequest.GetResponse()")]
    [InlineData("Version=4.0.0.0 loaded")]
    [InlineData("31.02.2024 10:00:00 impossible date")]
    public void Non_timestamps_are_not_taken_for_one(string line) => Assert.False(LogReader.TryParseTime(line, out _));

    [Theory]
    [InlineData("failed for https://printer7.corp.local/x", "printer7.corp.local", 443)]
    [InlineData("device 10.0.0.5:8443 failed", "10.0.0.5", 8443)]
    [InlineData("device 10.0.0.5 failed", "10.0.0.5", null)]
    [InlineData("device [2001:db8::7]:443 failed", "2001:db8::7", 443)]
    [InlineData("device 2001:db8::7 failed at 14:22:01", "2001:db8::7", null)]
    [InlineData("url http://[fe80::1]:8080/path", "fe80::1", 8080)]
    public void Addresses_are_found(string text, string host, int? port)
    {
        var e = LogAddresses.Find(text);
        Assert.NotNull(e);
        Assert.Equal(host, e.Host);
        Assert.Equal(port, e.Port);
    }

    [Theory]
    [InlineData("Version=4.0.0.0")]
    [InlineData("listening on 0.0.0.0:5012 and 127.0.0.1")]
    [InlineData("build 1.2.3.4.5")]
    [InlineData("at 14:22:01")]
    public void Non_addresses_are_ignored(string text) => Assert.Null(LogAddresses.Find(text));
}
