using System.Text;
using System.Text.Json;
using TlsDoctor.Lab;

namespace TlsDoctor.Cli.Tests;

/// <summary>Lab devices for the scan output tests: a modern one, the SSL-only one, the weak-DH one and one that never answers.</summary>
public sealed class ScanOutputLab : IAsyncLifetime
{
    private LabHost? _host;

    public string Target(string profile) => $"127.0.0.1:{_host!.Devices.First(d => d.Profile == profile).Endpoint.Port}";

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "tlsdoctor-scanout-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Dir);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _host = await LabHost.StartAsync([LabProfiles.MfdModern, LabProfiles.MfdSslOnly, LabProfiles.MfdWeakDh, LabProfiles.HostileSilent], new LabOptions(), cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}

public sealed class ScanOutputTests(ScanOutputLab lab) : IClassFixture<ScanOutputLab>
{
    private static JsonElement Scan(JsonDocument doc, int i = 0) => doc.RootElement.GetProperty("scans")[i];

    [Fact]
    public async Task Json_carries_schema_tool_version_time_and_a_rating_per_target()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var run = await CliHarness.RunAsync("scan", lab.Target(LabProfiles.MfdModern), lab.Target(LabProfiles.MfdWeakDh), "--json", "--timeout", "10");
        Assert.True(run.ExitCode == 0, run.Error);
        using var doc = JsonDocument.Parse(run.Out);
        var root = doc.RootElement;
        Assert.Equal(2, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("tlsdoctor", root.GetProperty("tool").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+", root.GetProperty("toolVersion").GetString()!);
        Assert.InRange(root.GetProperty("generated").GetDateTimeOffset(), before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal("A", Scan(doc, 0).GetProperty("rating").GetProperty("grade").GetString());
        var weak = Scan(doc, 1).GetProperty("rating");
        Assert.Equal("F", weak.GetProperty("grade").GetString());
        Assert.Contains(weak.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("cap").GetString() == "F" && r.GetProperty("reason").GetString()!.Contains("DH group of 512 bits"));
        Assert.Contains(weak.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("reason").GetString() == "no TLS 1.2 or 1.3");
    }

    [Fact]
    public async Task An_ssl_only_device_is_graded_F_with_a_warning_in_text_and_json()
    {
        var json = await CliHarness.RunAsync("scan", lab.Target(LabProfiles.MfdSslOnly), "--json", "--timeout", "2");
        using var doc = JsonDocument.Parse(json.Out);
        var rating = Scan(doc).GetProperty("rating");
        Assert.Equal("F", rating.GetProperty("grade").GetString());
        Assert.Contains("only SSLv2 and SSLv3", rating.GetProperty("warning").GetString(), StringComparison.Ordinal);
        var text = await CliHarness.RunAsync("scan", lab.Target(LabProfiles.MfdSslOnly), "--timeout", "2");
        Assert.Contains("Security rating: F", text.Out, StringComparison.Ordinal);
        Assert.Contains("WARNING: this device answers only SSLv2 and SSLv3", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Targets_from_a_file_output_to_a_file_quiet_and_per_device()
    {
        var list = Path.Combine(lab.Dir, "targets.txt");
        await File.WriteAllTextAsync(list, $"# printers\n{lab.Target(LabProfiles.MfdModern)}\n\n{lab.Target(LabProfiles.MfdWeakDh)}  # old one\n");
        var output = Path.Combine(lab.Dir, "scan.json");
        var run = await CliHarness.RunAsync("scan", "-iL", list, "-o", output, "--json", "--quiet", "--per-device", "1", "--timeout", "10");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal("", run.Out);
        Assert.DoesNotContain("scanning", run.Error, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        Assert.Equal([lab.Target(LabProfiles.MfdModern), lab.Target(LabProfiles.MfdWeakDh)], doc.RootElement.GetProperty("scans").EnumerateArray().Select(s => s.GetProperty("target").GetString()));

        var text = Path.Combine(lab.Dir, "scan.txt");
        var plain = await CliHarness.RunAsync("scan", lab.Target(LabProfiles.MfdModern), "-o", text, "--per-host", "1", "-q");
        Assert.True(plain.ExitCode == 0, plain.Error);
        Assert.Contains("Security rating: A", await File.ReadAllTextAsync(text), StringComparison.Ordinal);

        await File.WriteAllTextAsync(list, "printer-1:notaport\n");
        var bad = await CliHarness.RunAsync("scan", "-iL", list);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains($"{list}:1:", bad.Error, StringComparison.Ordinal);
        var none = await CliHarness.RunAsync("scan");
        Assert.Equal(2, none.ExitCode);
    }

    [Fact]
    public async Task Ctrl_c_during_a_multi_target_json_scan_writes_the_finished_targets_and_marks_the_rest_cancelled()
    {
        var output = new StringWriter();
        var error = new SignallingWriter(": done,");
        var console = TestConsoles.Create(output, error);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        // One target at a time: the modern device finishes quickly, the silent one keeps the scan busy when Ctrl+C comes.
        var run = CliApp.RunAsync(["scan", lab.Target(LabProfiles.MfdModern), lab.Target(LabProfiles.HostileSilent), "--json", "--concurrency", "1", "--timeout", "30"], console, cts.Token);
        await error.Seen.WaitAsync(TimeSpan.FromSeconds(60));
        await cts.CancelAsync();
        var code = await run;

        Assert.Equal(130, code);
        using var doc = JsonDocument.Parse(output.ToString());
        var done = Scan(doc, 0);
        Assert.True(done.GetProperty("reachable").GetBoolean());
        Assert.Contains(done.GetProperty("protocols").EnumerateArray(), p => p.GetProperty("supported").GetBoolean());
        var cancelled = Scan(doc, 1);
        Assert.True(cancelled.GetProperty("cancelled").GetBoolean());
        Assert.Contains("cancelled", cancelled.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(done.TryGetProperty("cancelled", out _));
    }

    /// <summary>A writer that completes <see cref="Seen"/> once the text written to it contains a marker.</summary>
    private sealed class SignallingWriter(string marker) : StringWriter
    {
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly StringBuilder _text = new();

        public Task Seen => _seen.Task;

        public override void Write(char value)
        {
            lock (_text)
            {
                _text.Append(value);
                if (value == '\n' && _text.ToString().Contains(marker, StringComparison.Ordinal)) _seen.TrySetResult();
            }
        }

        public override void Write(string? value)
        {
            if (value is null) return;
            lock (_text)
            {
                _text.Append(value);
                if (_text.ToString().Contains(marker, StringComparison.Ordinal)) _seen.TrySetResult();
            }
        }
    }
}
