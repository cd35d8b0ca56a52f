using System.Text.Json;
using TlsDoctor.Lab;

namespace TlsDoctor.Cli.Tests;

/// <summary>`tlsdoctor diagnose` end to end against lab devices: exit codes, JSON contract, files, rendering, bad input.</summary>
public sealed class DiagnoseCommandTests : IAsyncLifetime
{
    private LabHost? _lab;
    private readonly string _out = Path.Combine(Path.GetTempPath(), "tlsdoctor-diagnose-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _lab = await LabHost.StartAsync([LabProfiles.MfdWeakDh, LabProfiles.MfdModern, LabProfiles.HostileHttp, LabProfiles.HostileGarbage, LabProfiles.HostileResetAfterHello],
            new LabOptions(), cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (_lab is not null) await _lab.DisposeAsync();
        if (Directory.Exists(_out)) Directory.Delete(_out, true);
    }

    private string Device(string profile) => _lab!.Devices.First(d => d.Profile == profile).Endpoint.ToString();

    [Theory]
    [InlineData(LabProfiles.HostileHttp)]
    [InlineData(LabProfiles.HostileGarbage)]
    [InlineData(LabProfiles.HostileResetAfterHello)]
    public async Task A_device_that_does_not_speak_tls_is_not_checked_exit_3_never_an_all_clear(string profile)
    {
        // These devices answer at once, so the default read timeout costs nothing, and a loaded machine cannot make
        // their late answer look like silence.
        var json = await CliHarness.RunAsync("diagnose", "--device", Device(profile), "--os", "2016", "--out", _out, "--json");
        Assert.Equal(3, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Out);
        var n = Assert.Single(doc.RootElement.GetProperty("notScanned").EnumerateArray());
        Assert.Equal("not-tls", n.GetProperty("reason").GetString());
        Assert.Equal("device", n.GetProperty("role").GetString());
        Assert.Equal(Device(profile), n.GetProperty("target").GetString());

        var text = await CliHarness.RunAsync("diagnose", "--device", Device(profile), "--os", "2016", "--out", _out);
        Assert.Equal(3, text.ExitCode);
        Assert.DoesNotContain("No findings.", text.Out);
        var notChecked = text.Out.IndexOf("NOT CHECKED", StringComparison.Ordinal);
        Assert.True(notChecked >= 0, text.Out);
        Assert.True(notChecked < text.Out.IndexOf("Simulated handshake", StringComparison.Ordinal), "the unchecked target comes first");
    }

    [Fact]
    public async Task Weak_dh_device_json_names_TD001_with_dh_reg_and_a_completed_resimulation()
    {
        var run = await CliHarness.RunAsync("diagnose", "--device", Device(LabProfiles.MfdWeakDh), "--os", "2016", "--out", _out, "--json");

        Assert.Equal(1, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        var finding = doc.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("id").GetString() == "TD001");
        Assert.Equal("weak-dh", finding.GetProperty("slug").GetString());
        Assert.Equal("error", finding.GetProperty("severity").GetString());
        Assert.Equal("outbound-device", finding.GetProperty("direction").GetString());
        // On 2016 lowering the DH minimum (machine-wide, Logjam) is the last resort, never the first advice.
        var remedies = finding.GetProperty("remedies").EnumerateArray().ToList();
        Assert.DoesNotContain("dh.reg", remedies[0].GetProperty("files").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        var remedy = remedies.Last(r => r.GetProperty("files").EnumerateArray().Any(f => f.GetProperty("name").GetString() == "dh.reg"));
        Assert.Equal("registry", remedy.GetProperty("kind").GetString());
        var file = remedy.GetProperty("files")[0];
        Assert.Equal("dh.reg", file.GetProperty("name").GetString());
        Assert.Contains("\"ClientMinKeyBitLength\"=dword:00000200", file.GetProperty("content").GetString());
        var re = remedy.GetProperty("resimulated");
        Assert.True(re.GetProperty("completed").GetBoolean());
        Assert.Equal("TLSv1.0", re.GetProperty("version").GetString());
        Assert.StartsWith("TLS_DHE_RSA_", re.GetProperty("cipherSuite").GetString());
        Assert.Contains(doc.RootElement.GetProperty("assumptions").EnumerateArray(), a => a.GetProperty("id").GetString() == "updates-unknown-assume-current");
        // Files: one folder per device and finding, regedit's UTF-16 with BOM, a comment header, undo next to the change.
        var folder = Path.Combine(_out, Device(LabProfiles.MfdWeakDh).Replace(':', '_'), "TD001");
        var dh = File.ReadAllBytes(Path.Combine(folder, "dh.reg"));
        Assert.Equal(0xFF, dh[0]);
        var lines = System.Text.Encoding.Unicode.GetString(dh[2..]).Split("\r\n");
        Assert.Equal("Windows Registry Editor Version 5.00", lines[0]);
        Assert.StartsWith("; TlsDoctor ", lines[1], StringComparison.Ordinal);
        Assert.Equal($"; device: {Device(LabProfiles.MfdWeakDh)}", lines[2]);
        Assert.StartsWith("; finding: TD001 weak-dh", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("; written: 20", lines[4], StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "undo-dh.reg")));
        Assert.Equal("", run.Error.Contains("Exception") ? "stack trace" : "");
    }

    [Fact]
    public async Task Weak_dh_device_table_shows_one_panel_per_finding_with_the_verdict()
    {
        var run = await CliHarness.RunAsync("diagnose", "--device", Device(LabProfiles.MfdWeakDh), "--os", "2016", "--out", _out);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("TD001 weak-dh", run.Out);
        Assert.Contains("re-simulation: completes", run.Out);
        Assert.Contains("dh.reg", run.Out);
        Assert.Contains("Assumptions about the Windows side", run.Out);
    }

    [Fact]
    public async Task Healthy_device_exits_0()
    {
        var run = await CliHarness.RunAsync("diagnose", "--device", Device(LabProfiles.MfdModern), "--os", "2019", "--out", _out, "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        Assert.DoesNotContain(doc.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("severity").GetString() == "error");
    }

    [Fact]
    public async Task No_target_is_a_usage_error()
    {
        var run = await CliHarness.RunAsync("diagnose", "--os", "2016");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--device", run.Error);
    }

    [Fact]
    public async Task Unreachable_device_exits_3()
    {
        var run = await CliHarness.RunAsync("diagnose", "--device", "127.0.0.1:1", "--os", "2016", "--out", _out, "--json");
        Assert.Equal(3, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        Assert.Equal("127.0.0.1:1", doc.RootElement.GetProperty("unreachable")[0].GetString());
        Assert.Contains("unreachable", run.Error);
    }

    [Fact]
    public async Task Unreadable_reg_file_exits_2_with_the_line()
    {
        Directory.CreateDirectory(_out);
        var bad = Path.Combine(_out, "bad.reg");
        await File.WriteAllTextAsync(bad, "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n\"Enabled\"=dword:xyz\r\n");
        var run = await CliHarness.RunAsync("diagnose", "--device", Device(LabProfiles.MfdModern), "--os", "2016", "--reg", bad);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("line 4", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        var missing = await CliHarness.RunAsync("diagnose", "--device", Device(LabProfiles.MfdModern), "--reg", Path.Combine(_out, "nope.reg"));
        Assert.Equal(2, missing.ExitCode);
    }

    [Fact]
    public async Task Malformed_capture_exits_2()
    {
        Directory.CreateDirectory(_out);
        var bad = Path.Combine(_out, "capture.json");
        await File.WriteAllTextAsync(bad, "{ \"captures\": [ ] }");
        var run = await CliHarness.RunAsync("diagnose", "--client-hello", bad, "--os", "2016");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--client-hello", run.Error);
    }

    [Fact]
    public async Task Unknown_os_exits_2()
    {
        var run = await CliHarness.RunAsync("diagnose", "--device", Device(LabProfiles.MfdModern), "--os", "windows 95");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("unknown Windows release", run.Error);
    }
}
