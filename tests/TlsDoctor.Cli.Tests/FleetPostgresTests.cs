using TlsDoctor.Tests.Shared;
using System.Diagnostics;
using System.Text.Json;
using TlsDoctor.Core;
using TlsDoctor.Fleet;
using TlsDoctor.TestPeers;

namespace TlsDoctor.Cli.Tests;

[Collection("postgres")]
public sealed class FleetPostgresTests(FleetPostgresFixture pg)
{
    private static readonly string[] Probe = ["--timeout", "10", "--retry-backoff", "0"];

    [PostgresFact]
    public async Task Three_workers_one_killed_every_device_has_exactly_one_result_equal_to_a_sqlite_scan()
    {
        var db = await pg.NewDatabaseAsync("kill");
        var uri = pg.Cluster.Uri(db);
        var inventory = pg.Inventory();
        var enqueue = await RunCli(["fleet", "enqueue", inventory, "--db", uri, "--json", .. Probe]);
        Assert.True(enqueue.ExitCode == 0, enqueue.Output);
        Assert.Equal(pg.DeviceCount, JsonDocument.Parse(enqueue.StandardOutput).RootElement.GetProperty("devices").GetInt32());

        var workers = Enumerable.Range(1, 3).Select(i => StartWorker(uri, $"w{i}")).ToList();
        try
        {
            // Kill w1 once the scan is under way and w1 holds devices: its leases must run out and be taken over.
            var clock = Stopwatch.StartNew();
            while (true)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), "the workers made no progress in 120 s");
                var row = (await pg.Cluster.Sql(db, "SELECT count(*) FILTER (WHERE state IN ('done','failed')), count(*) FILTER (WHERE worker = 'w1' AND state = 'leased') FROM queue")).Split('|');
                if (int.Parse(row[0]) >= 12 && int.Parse(row[1]) > 0) break;
                if (workers[0].HasExited)
                    Assert.Fail($"w1 exited ({workers[0].ExitCode}) before it could be killed: {workers[0].StandardOutput.ReadToEnd()} {workers[0].StandardError.ReadToEnd()}");
                await Task.Delay(100);
            }
            workers[0].Kill(); // SIGKILL: no clean-up, its leases stay until they expire
            foreach (var w in workers.Skip(1))
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(240));
                await w.WaitForExitAsync(cts.Token);
                Assert.True(w.ExitCode == 0, w.StandardError.ReadToEnd());
            }
        }
        finally
        {
            foreach (var w in workers.Where(w => !w.HasExited)) w.Kill();
        }

        var counts = (await pg.Cluster.Sql(db, "SELECT count(*), count(DISTINCT device) FROM results")).Split('|');
        Assert.Equal([pg.DeviceCount, pg.DeviceCount], counts.Select(int.Parse));
        Assert.Equal("0", await pg.Cluster.Sql(db, "SELECT count(*) FROM queue WHERE state NOT IN ('done', 'failed')"));
        Assert.NotEqual("0", await pg.Cluster.Sql(db, "SELECT count(*) FROM queue WHERE claims >= 2 AND worker <> 'w1'")); // taken over from w1
        Assert.Equal("t", await pg.Cluster.Sql(db, "SELECT bool_and(finished IS NOT NULL) FROM scans"));

        var status = await RunCli(["fleet", "status", "--db", uri, "--json"]);
        Assert.True(status.ExitCode == 0, status.Output);
        using (var doc = JsonDocument.Parse(status.StandardOutput))
        {
            var root = doc.RootElement;
            Assert.Equal(["site-0", "site-1", "site-2"], root.GetProperty("sites").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
            var byWorker = root.GetProperty("workers").EnumerateArray().ToDictionary(w => w.GetProperty("name").GetString()!, w => w.GetProperty("done").GetInt32() + w.GetProperty("failed").GetInt32());
            Assert.Equal(pg.DeviceCount, byWorker.Values.Sum());
            Assert.True(byWorker["w2"] > 0 && byWorker["w3"] > 0);
        }

        var sqlite = Path.Combine(pg.Dir, db + ".db");
        var single = await CliHarness.RunAsync(["fleet", "scan", inventory, "--db", sqlite, "--rate", "5000", .. Probe]);
        Assert.True(single.ExitCode == 0, single.Error);
        var expected = ComparableResults.Of(sqlite);
        var actual = ComparableResults.Of(pg.Cluster.Uri(db, PostgresCluster.Password));
        ComparableResults.AssertSame(expected, actual, "sqlite", "postgres");
    }

    [PostgresFact]
    public async Task Scan_report_what_if_diff_and_merge_of_sqlite_files_work_on_postgres()
    {
        var uri = pg.Cluster.Uri(await pg.NewDatabaseAsync("cmds"), PostgresCluster.Password);
        var inventory = pg.Inventory();
        var scan = await CliHarness.RunAsync(["fleet", "scan", inventory, "--db", uri, "--json", "--rate", "5000", .. Probe]);
        Assert.True(scan.ExitCode == 0, scan.Error);
        using (var doc = JsonDocument.Parse(scan.Out))
        {
            Assert.Equal(pg.DeviceCount, doc.RootElement.GetProperty("scanned").GetInt32());
            Assert.DoesNotContain(PostgresCluster.Password, doc.RootElement.GetProperty("database").GetString());
        }
        var report = await CliHarness.RunAsync("fleet", "report", "--db", uri, "--os", "2016", "--json");
        Assert.True(report.ExitCode == 1, report.Error); // weak-DH devices fail against 2016 defaults
        using (var doc = JsonDocument.Parse(report.Out))
            Assert.Contains(doc.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("name").GetString() == "TD001 weak-dh");
        var whatIf = await CliHarness.RunAsync("fleet", "what-if", "--db", uri, "--os", "2016", "--json");
        Assert.True(whatIf.ExitCode == 0, whatIf.Error);

        // Two sites scanned offline into SQLite files, merged into the shared database.
        var site = Path.Combine(pg.Dir, Guid.NewGuid().ToString("N")[..6] + "-brno.db");
        var offline = await CliHarness.RunAsync(["fleet", "scan", inventory, "--db", site, "--rate", "5000", .. Probe]);
        Assert.True(offline.ExitCode == 0, offline.Error);
        var merge = await CliHarness.RunAsync("fleet", "merge", site, "-o", uri, "--label", "brno", "--json");
        Assert.True(merge.ExitCode == 0, merge.Error);
        using (var doc = JsonDocument.Parse(merge.Out)) Assert.Equal(2, doc.RootElement.GetProperty("scans").GetInt32());
        var again = await CliHarness.RunAsync("fleet", "merge", site, "-o", uri, "--label", "brno", "--json");
        using (var doc = JsonDocument.Parse(again.Out)) Assert.Equal(2, doc.RootElement.GetProperty("scans").GetInt32()); // replaced, not doubled
        var diff = await CliHarness.RunAsync("fleet", "diff", "--db", uri, "--from", "1", "--to", "3", "--json");
        Assert.True(diff.ExitCode == 0, diff.Error);
        using (var doc = JsonDocument.Parse(diff.Out))
            Assert.Equal(pg.DeviceCount, doc.RootElement.GetProperty("unchanged").GetInt32() + doc.RootElement.GetProperty("changed").GetInt32());
        ComparableResults.AssertSame(ComparableResults.Of(site), ComparableResults.Of(uri, scan: 3), "sqlite file", "merged into postgres");

        // A scan queued for workers is theirs: `fleet scan --resume` does not take it over.
        var queued = await CliHarness.RunAsync(["fleet", "enqueue", inventory, "--db", uri, .. Probe]);
        Assert.True(queued.ExitCode == 0, queued.Error);
        var resume = await CliHarness.RunAsync(["fleet", "scan", inventory, "--db", uri, "--resume"]);
        Assert.Equal(2, resume.ExitCode);
        Assert.Contains("no unfinished scan to resume", resume.Error);
        Assert.DoesNotContain(PostgresCluster.Password, scan.Error + report.Error + merge.Out + diff.Error);
    }

    [PostgresFact]
    public async Task Bad_databases_get_one_error_line_and_nothing_is_written()
    {
        var inventory = pg.Inventory();
        async Task<CliHarness.Run> Scan(string db) => await CliHarness.RunAsync(["fleet", "scan", inventory, "--db", db, .. Probe]);
        void OneLine(CliHarness.Run r, int exit, string text)
        {
            Assert.Equal(exit, r.ExitCode);
            var error = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
            Assert.Contains(text, error);
            Assert.DoesNotContain("   at ", r.Error);
            Assert.Empty(r.Out);
        }

        OneLine(await Scan("postgres://postgres@127.0.0.1:1/fleet"), 3, "cannot reach the PostgreSQL server");
        var wrong = await Scan(pg.Cluster.Uri("postgres", "not-the-password"));
        OneLine(wrong, 2, "password authentication failed");
        Assert.DoesNotContain("not-the-password", wrong.Error);

        var other = await pg.NewDatabaseAsync("other");
        await pg.Cluster.Sql(other, "CREATE TABLE invoices(id int PRIMARY KEY, total numeric)");
        OneLine(await Scan(pg.Cluster.Uri(other, PostgresCluster.Password)), 2, "belongs to another application (tables invoices)");
        OneLine(await CliHarness.RunAsync("fleet", "worker", "--db", pg.Cluster.Uri(other, PostgresCluster.Password)), 2, "another application");
        Assert.Equal("invoices", await pg.Cluster.Sql(other, "SELECT string_agg(table_name, ',') FROM information_schema.tables WHERE table_schema = 'public'"));

        var newer = await pg.NewDatabaseAsync("newer");
        var migrate = await CliHarness.RunAsync("fleet", "db", "migrate", "--db", pg.Cluster.Uri(newer, PostgresCluster.Password), "--json");
        Assert.True(migrate.ExitCode == 0, migrate.Error);
        using (var doc = JsonDocument.Parse(migrate.Out)) Assert.Equal((0, FleetStore.SchemaVersion), (doc.RootElement.GetProperty("from").GetInt32(), doc.RootElement.GetProperty("to").GetInt32()));
        await pg.Cluster.Sql(newer, "UPDATE fleet_meta SET value = '99' WHERE key = 'schema_version'");
        OneLine(await Scan(pg.Cluster.Uri(newer, PostgresCluster.Password)), 2, "schema version 99 was written by a newer TlsDoctor");
        Assert.Equal("0", await pg.Cluster.Sql(newer, "SELECT count(*) FROM scans"));

        // The same refusals for SQLite files.
        var foreign = Path.Combine(pg.Dir, "foreign.db");
        SqliteExec(foreign, "CREATE TABLE invoices(id INTEGER PRIMARY KEY)");
        OneLine(await Scan(foreign), 2, "not a TlsDoctor fleet database");
        var future = Path.Combine(pg.Dir, "future.db");
        Assert.Equal(0, (await CliHarness.RunAsync("fleet", "db", "migrate", "--db", future)).ExitCode);
        SqliteExec(future, "PRAGMA user_version=99");
        OneLine(await Scan(future), 2, "newer TlsDoctor");
        OneLine(await CliHarness.RunAsync("fleet", "enqueue", inventory, "--db", future), 2, "needs a PostgreSQL --db");
    }

    [PostgresFact]
    public async Task A_device_whose_workers_keep_dying_is_given_up_with_an_error_result_and_the_scan_finishes()
    {
        var db = await pg.NewDatabaseAsync("poison");
        var uri = pg.Cluster.Uri(db, PostgresCluster.Password);
        var device = pg.Lab.Devices[0];
        var inventory = Path.Combine(pg.Dir, db + "-inventory.csv");
        await File.WriteAllTextAsync(inventory, $"name,host,port\npoison,127.0.0.1,{device.Endpoint.Port}\n");
        var enqueue = await RunCli(["fleet", "enqueue", inventory, "--db", uri, .. Probe]);
        Assert.True(enqueue.ExitCode == 0, enqueue.Output);

        // Three workers claim the device and die on it (a claim that is never renewed nor completed is what a killed worker leaves).
        using (var store = (PostgresFleetStore)FleetStore.Open(uri, create: false))
        {
            for (var i = 1; i <= 3; i++)
            {
                Assert.Single(await store.ClaimAsync($"dead-{i}", null, 1, TimeSpan.FromSeconds(1), CancellationToken.None));
                await Task.Delay(1500); // until the database's clock has passed the lease
            }
        }
        var worker = await RunCli(["fleet", "worker", "--db", uri, "--name", "survivor", "--lease", "5", "--json"]);
        Assert.True(worker.ExitCode == 0, worker.Output);
        Assert.Equal("error|f|3", await pg.Cluster.Sql(db, "SELECT status, reachable, (SELECT claims FROM queue) FROM results"));
        Assert.Contains("ran out 3 times", await pg.Cluster.Sql(db, "SELECT error FROM results"), StringComparison.Ordinal);
        Assert.Equal("failed", await pg.Cluster.Sql(db, "SELECT state FROM queue"));
        Assert.Equal("t", await pg.Cluster.Sql(db, "SELECT bool_and(finished IS NOT NULL) FROM scans"));
        using var doc = JsonDocument.Parse(worker.StandardOutput);
        Assert.Equal(0, doc.RootElement.GetProperty("committed").GetInt32()); // the survivor never scanned it
    }

    private static void SqliteExec(string path, string sql)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static Process StartWorker(string uri, string name)
    {
        var psi = new ProcessStartInfo(FleetPostgresFixture.Cli)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "fleet", "worker", "--db", uri, "--name", name, "--concurrency", "6", "--lease", "3", "--rate", "5000", "--json" }) psi.ArgumentList.Add(a);
        psi.Environment["PGPASSWORD"] = PostgresCluster.Password;
        var p = Process.Start(psi)!;
        p.StandardInput.Close();
        return p;
    }

    private static Task<ProcessResult> RunCli(string[] args) =>
        ProcessRunner.RunAsync(FleetPostgresFixture.Cli, args, new Dictionary<string, string> { ["PGPASSWORD"] = PostgresCluster.Password }, TimeSpan.FromSeconds(120));

}
