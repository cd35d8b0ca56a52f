using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using TlsDoctor.Fleet;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor fleet status --db PG`: the queue per scan, per site and per worker.</summary>
public static class FleetStatusCommand
{
    public static readonly Option<string> Db = FleetOptions.PostgresDb();
    public static readonly Option<long?> Scan = new("--scan") { Description = "Scan id (default: every unfinished queued scan, else the newest one)", HelpName = "ID" };
    public static readonly Option<bool> Json = CommonOptions.Json();

    public static Command Create(CliConsole console)
    {
        var cmd = new Command("status", "Show the work queue per scan, per site and per worker: queued, leased, done, failed")
        {
            Db, Scan, Json,
        };
        cmd.SetAction(FleetOptions.Action(console, RunAsync));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        using var store = FleetOptions.OpenPostgres(parse.GetValue(Db)!, "status", create: false);
        var queued = store.QueuedScans();
        IReadOnlyCollection<long> ids;
        if (parse.GetValue(Scan) is { } id)
            ids = queued.Contains(id) ? [id] : throw new UsageException($"{store.Path}: scan {id} has no queue (queued scans: {(queued.IsEmpty ? "none" : string.Join(", ", queued))})");
        else
        {
            var open = queued.Where(s => store.Scan(s) is { Finished: null }).ToList();
            ids = open.Count > 0 ? open : queued.IsEmpty ? [] : [queued[^1]];
        }
        var (scans, sites, workers, registered) = store.Status(ids);
        var now = DateTimeOffset.UtcNow;
        var doc = new FleetStatusJson(store.Path,
            [.. scans.Select(Counts)],
            [.. sites.Select(Counts)],
            [.. registered.Select(w =>
            {
                var c = workers.FirstOrDefault(x => x.Name == w.Name) ?? new QueueCounts(w.Name, 0, 0, 0, 0);
                return new WorkerStatusJson(w.Name, w.Site, w.Started, w.Seen, w.Stopped, w.Stopped is null && now - w.Seen < TimeSpan.FromMinutes(2),
                    w.Concurrency, w.Rate, c.Leased, c.Done, c.Failed);
            }).Where(w => workers.Any(x => x.Name == w.Name) || w.Alive)]);
        ct.ThrowIfCancellationRequested();
        if (parse.GetValue(Json))
        {
            await console.RawOut.WriteLineAsync(JsonSerializer.Serialize(doc, FleetJson.Output.FleetStatusJson)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        if (doc.Scans.IsEmpty)
        {
            console.Out.MarkupLineInterpolated($"{store.Path}: nothing queued (tlsdoctor fleet enqueue INVENTORY.csv --db … queues a scan)");
            return ExitCodes.Ok;
        }
        foreach (var (title, rows) in new[] { ("Scans", doc.Scans), ("Sites", doc.Sites) })
        {
            var t = new Table().Border(TableBorder.Simple).Title(title).AddColumns(title == "Scans" ? "Scan" : "Site", "Queued", "Leased", "Done", "Failed");
            foreach (var r in rows) t.AddRow(r.Name ?? "(no site)", N(r.Queued), N(r.Leased), N(r.Done), N(r.Failed));
            console.Out.Write(t);
        }
        var wt = new Table().Border(TableBorder.Simple).Title("Workers").AddColumns("Worker", "Site", "Leased", "Done", "Failed", "Last seen", "State");
        foreach (var w in doc.Workers)
            wt.AddRow(w.Name, w.Site ?? "any", N(w.Leased), N(w.Done), N(w.Failed), $"{(now - w.Seen).TotalSeconds:0} s ago",
                w.Stopped is not null ? "stopped" : w.Alive ? "running" : "silent");
        console.Out.Write(wt);
        return ExitCodes.Ok;
    }

    private static QueueCountsJson Counts(QueueCounts c) => new(c.Name, c.Queued, c.Leased, c.Done, c.Failed);

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
}

/// <summary>`tlsdoctor fleet db migrate --db X`: brings a fleet database's schema up to this version (also done on first use).</summary>
public static class FleetDbCommand
{
    public static readonly Option<string> Db = FleetOptions.Db();
    public static readonly Option<bool> Json = CommonOptions.Json();

    public static Command Create(CliConsole console)
    {
        var migrate = new Command("migrate", "Create or upgrade the fleet schema of a SQLite file or PostgreSQL database (every command does this on first use)")
        {
            Db, Json,
        };
        migrate.SetAction(FleetOptions.Action(console, RunAsync));
        var db = new Command("db", "Fleet database maintenance");
        db.Subcommands.Add(migrate);
        return db;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        using var store = FleetStore.Open(parse.GetValue(Db)!, create: true);
        var applied = FleetSchema.After(store.OpenedAtVersion).Select(m => $"{m.Version}: {m.Title}").ToList();
        var doc = new FleetMigrateJson(store.Path, store.OpenedAtVersion, FleetStore.SchemaVersion, [.. applied]);
        ct.ThrowIfCancellationRequested();
        if (parse.GetValue(Json))
            await console.RawOut.WriteLineAsync(JsonSerializer.Serialize(doc, FleetJson.Output.FleetMigrateJson)).ConfigureAwait(false);
        else if (applied.Count == 0)
            console.Out.MarkupLineInterpolated($"{store.Path}: schema version {doc.To}, up to date");
        else
            console.Out.MarkupLineInterpolated($"{store.Path}: schema version {doc.From} → {doc.To} ({string.Join("; ", applied)})");
        return ExitCodes.Ok;
    }
}
