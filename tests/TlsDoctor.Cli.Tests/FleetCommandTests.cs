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

    [Theory]
    [InlineData("2012r2")]
    [InlineData("2016")]
    public async Task Fleet_report_and_diagnose_agree_on_the_broken_dh_device(string os)
    {
        var db = await ScannedDbAsync();
        var port = lab.Host.Devices.Single(d => d.Profile == LabProfiles.MfdBrokenDh).Endpoint.Port;
        var diagnose = await CliHarness.RunAsync("diagnose", "--device", $"127.0.0.1:{port}", "--os", os, "--out", lab.File("fixes"), "--json");
        var report = await CliHarness.RunAsync("fleet", "report", "--db", db, "--os", os, "--json");
        using var d = JsonDocument.Parse(diagnose.Out);
        using var r = JsonDocument.Parse(report.Out);
        var expected = d.RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => $"{f.GetProperty("id").GetString()} {f.GetProperty("severity").GetString()}").Order().ToList();
        var row = r.RootElement.GetProperty("deviceRows").EnumerateArray().Single(x => x.GetProperty("name").GetString() == LabProfiles.MfdBrokenDh);
        var actual = row.GetProperty("findings").EnumerateArray()
            .Select(f => $"{f.GetProperty("id").GetString()} {f.GetProperty("severity").GetString()}").Order().ToList();
        Assert.Contains(expected, f => f.StartsWith("TD002 ", StringComparison.Ordinal));
        Assert.Equal(expected, actual);
        Assert.Contains("dh-leading-zero-bug", row.GetProperty("behaviours").EnumerateArray().Select(b => b.GetString()));
    }

    [Fact]
    public async Task A_no_handshake_scan_marks_handshake_findings_not_checked_in_report_what_if_and_diff()
    {
        var db = await ScannedDbAsync();
        var quick = await CliHarness.RunAsync(["fleet", "scan", lab.Inventory(), "--db", db, "--no-handshake", .. Fast]);
        Assert.True(quick.ExitCode == 0, quick.Error);

        var full = await CliHarness.RunAsync("fleet", "report", "--db", db, "--scan", "1", "--os", "2016", "--json");
        using (var doc = JsonDocument.Parse(full.Out))
        {
            var fake = doc.RootElement.GetProperty("deviceRows").EnumerateArray().Single(x => x.GetProperty("name").GetString() == LabProfiles.MfdFakeTls12);
            Assert.Contains("TD003", fake.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("id").GetString()));
            Assert.Empty(fake.GetProperty("notChecked").EnumerateArray());
        }
        var report = await CliHarness.RunAsync("fleet", "report", "--db", db, "--scan", "2", "--os", "2016", "--json");
        using (var doc = JsonDocument.Parse(report.Out))
        {
            var rows = doc.RootElement.GetProperty("deviceRows").EnumerateArray().ToDictionary(x => x.GetProperty("name").GetString()!, x => x.Clone());
            var fake = rows[LabProfiles.MfdFakeTls12];
            Assert.DoesNotContain("TD003", fake.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("id").GetString()));
            Assert.Contains("TD003 tls12-intolerance", fake.GetProperty("notChecked").EnumerateArray().Select(n => n.GetString()));
            Assert.Contains("TD002 broken-dh", rows[LabProfiles.MfdBrokenDh].GetProperty("notChecked").EnumerateArray().Select(n => n.GetString()));
            Assert.DoesNotContain("TD002 broken-dh", rows[LabProfiles.MfdTls12Only].GetProperty("notChecked").EnumerateArray().Select(n => n.GetString()));
        }
        var text = await CliHarness.RunAsync("fleet", "report", "--db", db, "--scan", "2", "--os", "2016");
        Assert.Contains("TD003: not checked", text.Out, StringComparison.Ordinal);

        var whatIf = await CliHarness.RunAsync("fleet", "what-if", "--db", db, "--scan", "2", "--os", "2016", "--json");
        using (var doc = JsonDocument.Parse(whatIf.Out))
        {
            var changes = doc.RootElement.GetProperty("devices").EnumerateArray().ToDictionary(x => x.GetProperty("name").GetString()!, x => x.GetProperty("change").GetString());
            Assert.Equal("not-checked", changes[LabProfiles.MfdFakeTls12]);
            Assert.Equal("not-checked", changes[LabProfiles.MfdModern]);
            Assert.DoesNotContain("stays-ok", changes.Values);
        }

        var diff = await CliHarness.RunAsync("fleet", "diff", "--db", db, "--from", "1", "--to", "2", "--json");
        using (var doc = JsonDocument.Parse(diff.Out))
        {
            var fake = doc.RootElement.GetProperty("devices").EnumerateArray().Single(x => x.GetProperty("name").GetString() == LabProfiles.MfdFakeTls12);
            var fields = fake.GetProperty("changes").EnumerateArray().ToDictionary(c => c.GetProperty("field").GetString()!, c => c.Clone());
            Assert.Equal("not checked", fields["full-handshakes"].GetProperty("after").GetString());
            Assert.False(fields.ContainsKey("behaviours"), "the missing handshake evidence must not read as a fixed device");
        }
    }

    [Fact]
    public async Task Resume_keeps_the_scans_rate_delay_and_concurrency_unless_given_again()
    {
        var inventory = lab.Inventory();
        var db = lab.File("resume.db");
        void Unfinished(int concurrency, double rate, int delayMs)
        {
            using var store = TlsDoctor.Fleet.FleetStore.Open(db);
            var options = new TlsDoctor.Fleet.FleetScanOptions(
                new TlsDoctor.Probe.ProbeOptions(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(90), 1, TimeSpan.FromMilliseconds(delayMs)),
                concurrency, rate, RetryBackoff: TimeSpan.FromMilliseconds(1));
            new TlsDoctor.Fleet.FleetScanner(store, options).Create(TlsDoctor.Fleet.InventoryCsv.ReadFile(inventory), inventory);
        }

        Unfinished(2, 4000, 3);
        var kept = await CliHarness.RunAsync("fleet", "scan", inventory, "--db", db, "--resume", "--timeout", "10");
        Assert.True(kept.ExitCode == 0, kept.Error);
        Assert.Contains("(2 at once, 1/device, 4000 conn/s, delay 3 ms)", kept.Error, StringComparison.Ordinal);

        Unfinished(2, 4000, 3);
        var changed = await CliHarness.RunAsync("fleet", "scan", inventory, "--db", db, "--resume", "--rate", "3000", "--delay", "0", "--timeout", "10");
        Assert.True(changed.ExitCode == 0, changed.Error);
        Assert.Contains("(2 at once, 1/device, 3000 conn/s, delay 0 ms)", changed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Damaged_result_rows_are_shown_as_unreadable_and_the_rest_is_reported()
    {
        var db = await ScannedDbAsync();
        var again = await CliHarness.RunAsync(["fleet", "scan", lab.Inventory(), "--db", db, .. Fast]);
        Assert.True(again.ExitCode == 0, again.Error);
        var reg = lab.File("dh512.reg");
        File.WriteAllText(reg, Dh512);
        Sqlite(db, $"""
            UPDATE results SET profile = '{"protocols":[null]}' WHERE scan_id = 2 AND device = '{LabProfiles.MfdWeakDh}';
            UPDATE results SET status = 'bogus' WHERE scan_id = 2 AND device = '{LabProfiles.MfdBrokenDh}';
            UPDATE results SET handshakes = 'abc' WHERE scan_id = 2 AND device = '{LabProfiles.MfdModern}';
            UPDATE results SET profile = '{"{"}not json' WHERE scan_id = 2 AND device = '{LabProfiles.MfdFakeTls12}';
            """);
        string[] damaged = [LabProfiles.MfdWeakDh, LabProfiles.MfdBrokenDh, LabProfiles.MfdModern, LabProfiles.MfdFakeTls12];

        var report = await CliHarness.RunAsync("fleet", "report", "--db", db, "--os", "2016", "--json");
        Assert.True(report.ExitCode is 0 or 1, report.Error);
        using (var doc = JsonDocument.Parse(report.Out))
        {
            var rows = doc.RootElement.GetProperty("deviceRows").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!, r => r.Clone());
            Assert.Equal(7, rows.Count);
            foreach (var name in damaged)
            {
                Assert.Equal("unreadable", rows[name].GetProperty("status").GetString());
                Assert.Contains("damaged", rows[name].GetProperty("error").GetString(), StringComparison.Ordinal);
                Assert.Equal(JsonValueKind.Null, rows[name].GetProperty("outcome").ValueKind);
            }
            Assert.Equal("ok", rows[LabProfiles.MfdTls12Only].GetProperty("status").GetString());
            Assert.Equal(4, doc.RootElement.GetProperty("statuses").GetProperty("unreadable").GetInt32());
        }
        var text = await CliHarness.RunAsync("fleet", "report", "--db", db);
        Assert.True(text.ExitCode == 0, text.Error);
        Assert.Contains("unreadable", text.Out, StringComparison.Ordinal);

        var whatIf = await CliHarness.RunAsync("fleet", "what-if", "--db", db, "--os", "2016", "--reg", reg, "--json");
        Assert.True(whatIf.ExitCode == 0, whatIf.Error);
        using (var doc = JsonDocument.Parse(whatIf.Out))
        {
            var weak = doc.RootElement.GetProperty("devices").EnumerateArray().Single(d => d.GetProperty("name").GetString() == LabProfiles.MfdWeakDh);
            Assert.Equal("not-scanned", weak.GetProperty("change").GetString());
            Assert.Equal("unreadable", weak.GetProperty("status").GetString());
        }

        var diff = await CliHarness.RunAsync("fleet", "diff", "--db", db, "--from", "1", "--to", "2", "--json");
        Assert.True(diff.ExitCode == 0, diff.Error);
        using (var doc = JsonDocument.Parse(diff.Out))
        {
            var changed = doc.RootElement.GetProperty("devices").EnumerateArray().ToDictionary(d => d.GetProperty("name").GetString()!, d => d.Clone());
            foreach (var name in damaged)
                Assert.Contains(changed[name].GetProperty("changes").EnumerateArray(), c => c.GetProperty("field").GetString() == "status" && c.GetProperty("after").GetString() == "unreadable");
        }
    }

    [Fact]
    public async Task A_damaged_inventory_row_is_an_input_error_naming_scan_and_device()
    {
        var db = await ScannedDbAsync();
        Sqlite(db, $"UPDATE devices SET attributes = '{{broken' WHERE name = '{LabProfiles.MfdModern}'");
        foreach (var args in new[] { new[] { "fleet", "report", "--db", db }, ["fleet", "what-if", "--db", db, "--os", "2016"], ["fleet", "diff", "--db", db, "--from", "1", "--to", "1"] })
        {
            var run = await CliHarness.RunAsync(args);
            Assert.Equal(2, run.ExitCode);
            Assert.Contains($"scan 1, device {LabProfiles.MfdModern}: the stored inventory row is damaged", run.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        }
    }

    private static void Sqlite(string path, string sql)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
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
