using System.Globalization;
using System.Text;
using System.Text.Json;
using TlsDoctor.Lab;

namespace TlsDoctor.Cli.Tests;

/// <summary>A small lab fleet (one device per guide profile and an HTTP-only device) and a scratch folder.</summary>
public sealed class FleetCliLab : IAsyncLifetime
{
    private LabHost? _host;
    public LabHost Host => _host ?? throw new InvalidOperationException("not started");
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "tlsdoctor-fleetcli-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Dir);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _host = await LabHost.StartAsync(
            [LabProfiles.MfdWeakDh, LabProfiles.MfdBrokenDh, LabProfiles.MfdFakeTls12, LabProfiles.MfdTls12Only, LabProfiles.PaymentSha512, LabProfiles.MfdModern, LabProfiles.HostileHttp],
            new LabOptions(), cts.Token);
    }

    public string File(string name) => Path.Combine(Dir, Guid.NewGuid().ToString("N")[..6] + "-" + name);

    /// <summary>An inventory of every lab device (model = profile, two sites) followed by <paramref name="extra"/> lines.</summary>
    public string Inventory(params string[] extra)
    {
        var sb = new StringBuilder("name,host,port,model,site,asset\n");
        var i = 0;
        foreach (var d in Host.Devices)
            sb.Append(CultureInfo.InvariantCulture, $"{d.Profile},127.0.0.1,{d.Endpoint.Port},{d.Profile},{(i++ % 2 == 0 ? "north" : "south")},A{i}\n");
        foreach (var e in extra) sb.Append(e).Append('\n');
        var path = File("inventory.csv");
        System.IO.File.WriteAllText(path, sb.ToString());
        return path;
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public sealed class FleetCommandTests(FleetCliLab lab) : IClassFixture<FleetCliLab>
{
    private const string Dh512 = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\KeyExchangeAlgorithms\\Diffie-Hellman]\r\n\"ClientMinKeyBitLength\"=dword:00000200\r\n";

    private static readonly string[] Fast = ["--rate", "5000", "--timeout", "10", "--retry-backoff", "0"];

    private async Task<string> ScannedDbAsync()
    {
        var db = lab.File("fleet.db");
        var run = await CliHarness.RunAsync(["fleet", "scan", lab.Inventory(), "--db", db, .. Fast]);
        Assert.True(run.ExitCode == 0, run.Error);
        return db;
    }

    [Fact]
    public async Task Scan_json_reports_statuses_and_bad_rows_with_line_numbers()
    {
        var inventory = lab.Inventory("bad,127.0.0.1,notaport,x,y,z", ",,443,x,y,z");
        var db = lab.File("fleet.db");
        var run = await CliHarness.RunAsync(["fleet", "scan", inventory, "--db", db, "--json", .. Fast]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains($"{inventory}:9: port 'notaport' is not a number from 1 to 65535 (row skipped)", run.Error);
        Assert.Contains($"{inventory}:10: empty host (row skipped)", run.Error);
        Assert.Single(run.Error.Split('\n'), l => l.StartsWith("fleet: 7/7 devices, ok 6, failed 1", StringComparison.Ordinal)); // plain progress lines: stderr is not a terminal here
        using var doc = JsonDocument.Parse(run.Out);
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("scanId").GetInt64());
        Assert.Equal(7, root.GetProperty("devices").GetInt32());
        Assert.Equal(7, root.GetProperty("scanned").GetInt32());
        Assert.False(root.GetProperty("resumed").GetBoolean());
        Assert.True(root.GetProperty("finished").GetBoolean());
        Assert.Equal(6, root.GetProperty("statuses").GetProperty("ok").GetInt32());
        Assert.Equal(1, root.GetProperty("statuses").GetProperty("no-tls").GetInt32());
        Assert.Equal([9, 10], root.GetProperty("badRows").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()));
        Assert.True(root.GetProperty("connections").GetInt64() > 7 * 3);

        // Nothing left to resume: a usage error, not a new scan.
        var resume = await CliHarness.RunAsync(["fleet", "scan", inventory, "--db", db, "--resume"]);
        Assert.Equal(2, resume.ExitCode);
        Assert.Contains("no unfinished scan", resume.Error);
    }

    [Fact]
    public async Task Report_writes_json_html_and_csv_and_exits_1_on_error_findings()
    {
        var db = await ScannedDbAsync();
        var html = lab.File("fleet.html");
        var csv = lab.File("fleet.csv");
        var run = await CliHarness.RunAsync("fleet", "report", "--db", db, "--os", "2016", "--json", "--html", html, "--csv", csv);
        Assert.True(run.ExitCode == 1, run.Error); // the weak-DH device fails against 2016 defaults: an error finding
        using var doc = JsonDocument.Parse(run.Out);
        var root = doc.RootElement;
        Assert.Equal(7, root.GetProperty("devices").GetInt32());
        Assert.StartsWith("windows:2016 outbound", root.GetProperty("policy").GetString());
        Assert.Contains(root.GetProperty("findings").EnumerateArray(), f => f.GetProperty("name").GetString() == "TD001 weak-dh");
        var weak = root.GetProperty("deviceRows").EnumerateArray().Single(r => r.GetProperty("name").GetString() == LabProfiles.MfdWeakDh);
        Assert.Equal(512, weak.GetProperty("dhBits").GetInt32());
        Assert.Equal("dh-too-small", weak.GetProperty("outcome").GetProperty("reason").GetString());
        Assert.Equal("TD001", weak.GetProperty("findings")[0].GetProperty("id").GetString());
        Assert.Equal("A1", weak.GetProperty("attributes").GetProperty("asset").GetString());
        Assert.Equal(["north", "south"], root.GetProperty("bySite").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.Contains("<svg", File.ReadAllText(html));
        Assert.Equal(8, File.ReadAllLines(csv).Length);

        var tables = await CliHarness.RunAsync("fleet", "report", "--db", db);
        Assert.Equal(0, tables.ExitCode); // no policy, no findings
        Assert.Contains("By model", tables.Out);
        Assert.Contains(LabProfiles.MfdWeakDh, tables.Out);
    }

    [Fact]
    public async Task What_if_lists_fixed_devices_and_diff_and_merge_work()
    {
        var db = await ScannedDbAsync();
        var reg = lab.File("dh512.reg");
        File.WriteAllText(reg, Dh512);
        var run = await CliHarness.RunAsync("fleet", "what-if", "--db", db, "--os", "2016", "--reg", reg, "--json");
        Assert.True(run.ExitCode == 0, run.Error);
        using (var doc = JsonDocument.Parse(run.Out))
        {
            var root = doc.RootElement;
            Assert.Equal(1, root.GetProperty("counts").GetProperty("fixed").GetInt32());
            Assert.Equal(0, root.GetProperty("counts").GetProperty("breaks").GetInt32());
            var first = root.GetProperty("devices")[0];
            Assert.Equal(LabProfiles.MfdWeakDh, first.GetProperty("name").GetString());
            Assert.Equal("fixed", first.GetProperty("change").GetString());
            Assert.Equal("dh-too-small", first.GetProperty("before").GetProperty("reason").GetString());
            Assert.True(first.GetProperty("after").GetProperty("healthy").GetBoolean());
        }
        // Today = dh512.reg and the proposal adds nothing: every device stays as it is.
        var back = await CliHarness.RunAsync("fleet", "what-if", "--db", db, "--os", "2016", "--baseline-reg", reg);
        Assert.Equal(0, back.ExitCode);
        Assert.Contains("stays-ok", back.Out);
        Assert.Contains("changed nothing", back.Error);
        Assert.DoesNotContain("changed nothing", run.Error);
        var typo = lab.File("typo.reg");
        File.WriteAllText(typo, Dh512.Replace("ClientMinKeyBitLength", "ClientMinKeyBitLenght", StringComparison.Ordinal));
        var typoRun = await CliHarness.RunAsync("fleet", "what-if", "--db", db, "--os", "2016", "--reg", typo);
        Assert.Contains("changed nothing", typoRun.Error);
        Assert.Contains("ClientMinKeyBitLength?", typoRun.Error); // "did you mean …?" (the line may wrap)
        var missing = await CliHarness.RunAsync("fleet", "what-if", "--db", db, "--reg", reg);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--os is required", missing.Error);

        // A second scan of the same inventory: diff shows no device changes.
        var again = await CliHarness.RunAsync(["fleet", "scan", lab.Inventory(), "--db", db, .. Fast]);
        Assert.True(again.ExitCode == 0, again.Error);
        var diff = await CliHarness.RunAsync("fleet", "diff", "--db", db, "--from", "1", "--to", "2", "--json");
        Assert.True(diff.ExitCode == 0, diff.Error);
        using (var doc = JsonDocument.Parse(diff.Out))
        {
            Assert.Equal(7, doc.RootElement.GetProperty("unchanged").GetInt32() + doc.RootElement.GetProperty("changed").GetInt32());
            Assert.Equal(0, doc.RootElement.GetProperty("added").GetInt32());
            Assert.Equal(2, doc.RootElement.GetProperty("to").GetProperty("id").GetInt64());
        }

        var other = await ScannedDbAsync();
        var all = lab.File("all.db");
        var merge = await CliHarness.RunAsync("fleet", "merge", db, other, "-o", all, "--label", "north", "south", "--json");
        Assert.True(merge.ExitCode == 0, merge.Error);
        using (var doc = JsonDocument.Parse(merge.Out))
            Assert.Equal(3, doc.RootElement.GetProperty("scans").GetInt32());
        var report = await CliHarness.RunAsync("fleet", "report", "--db", all, "--json");
        using (var doc = JsonDocument.Parse(report.Out))
        {
            // The newest scan of each source: north's scan 2 and south's scan 1.
            Assert.Equal(14, doc.RootElement.GetProperty("devices").GetInt32());
            Assert.Equal(["north", "south"], doc.RootElement.GetProperty("scans").EnumerateArray().Select(s => s.GetProperty("source").GetString()));
            Assert.Contains(doc.RootElement.GetProperty("deviceRows").EnumerateArray(), r => r.GetProperty("key").GetString() == "south/" + LabProfiles.MfdModern);
        }
    }

    [Fact]
    public async Task Input_errors_exit_2_without_a_stack_trace()
    {
        var missing = await CliHarness.RunAsync("fleet", "scan", lab.File("nope.csv"), "--db", lab.File("x.db"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("cannot read", missing.Error);
        var noHost = lab.File("nohost.csv");
        File.WriteAllText(noHost, "name,model\na,b\n");
        var bad = await CliHarness.RunAsync("fleet", "scan", noHost, "--db", lab.File("x.db"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("no host column", bad.Error);
        var noDb = await CliHarness.RunAsync("fleet", "report", "--db", lab.File("absent.db"));
        Assert.Equal(2, noDb.ExitCode);
        Assert.Contains("no such fleet database", noDb.Error);
        var os = await CliHarness.RunAsync("fleet", "report", "--db", await ScannedDbAsync(), "--os", "windows-95");
        Assert.Equal(2, os.ExitCode);
        Assert.Contains("unknown Windows release", os.Error);
        Assert.DoesNotContain("   at ", missing.Error + bad.Error + noDb.Error + os.Error);
    }
}
