using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using TlsDoctor.Fleet;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor fleet enqueue INVENTORY.csv --db PG`: records a scan and queues one row per device for `fleet worker`.</summary>
public static class FleetEnqueueCommand
{
    public static readonly Argument<string> InventoryFile = new("inventory") { Description = "CSV with a header: name, host, port, model, site in any order" };
    public static readonly Option<string> Db = FleetOptions.PostgresDb();
    public static readonly Option<string?> Site = new("--site") { Description = "Queue only this site's rows; rows without a site get it", HelpName = "SITE" };
    public static readonly Option<bool> Json = CommonOptions.Json();
    private static readonly FleetScanSettings Settings = new();

    public static Command Create(CliConsole console)
    {
        var cmd = new Command("enqueue", "Record a scan of an inventory in the PostgreSQL database and queue its devices for `fleet worker` processes")
        {
            InventoryFile, Db, Site, Json,
        };
        Settings.AddTo(cmd);
        cmd.SetAction(FleetOptions.Action(console, RunAsync));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        // Concurrency and rate belong to each worker; the scan keeps how devices are probed.
        var options = Settings.Build(parse, 1, FleetScanOptions.DefaultRate);
        var path = parse.GetValue(InventoryFile)!;
        var site = parse.GetValue(Site) is { Length: > 0 } s ? s.Trim() : null;
        var inventory = Settings.ReadInventory(parse, console, path);
        var mine = site is null ? inventory.Devices : [.. inventory.Devices.Where(d => d.Site is null || string.Equals(d.Site, site, StringComparison.OrdinalIgnoreCase)).Select(d => d with { Site = site })];
        var others = inventory.Devices.Length - mine.Length;
        if (mine.IsEmpty)
            throw new UsageException($"{path}: no usable device rows{(site is null ? "" : $" for site {site}")} ({inventory.Errors.Length} skipped{(others > 0 ? $", {others} of other sites" : "")})");
        using var store = FleetOptions.OpenPostgres(parse.GetValue(Db)!, "enqueue", create: true);
        var json = JsonSerializer.Serialize(options.ToJson(), FleetJsonContext.Default.FleetOptionsJson);
        var scanId = store.Enqueue(inventory with { Devices = mine }, Path.GetFullPath(path), json, options.KeyOf, DateTimeOffset.UtcNow);
        ct.ThrowIfCancellationRequested();
        var doc = new FleetEnqueueJson(scanId, store.Path, site, mine.Length, others, inventory.Errors);
        if (parse.GetValue(Json))
            await console.RawOut.WriteLineAsync(JsonSerializer.Serialize(doc, FleetJson.Output.FleetEnqueueJson)).ConfigureAwait(false);
        else
        {
            console.Out.MarkupLineInterpolated($"scan {scanId}: {mine.Length} devices queued in {store.Path}{(others > 0 ? $" ({others} rows of other sites left out)" : "")}");
            console.Out.MarkupLineInterpolated($"[grey]next: tlsdoctor fleet worker --db {store.Path}{(site is null ? "" : $" --site {site}")} (on each scanning machine), then fleet status / fleet report[/]");
        }
        return ExitCodes.Ok;
    }
}

/// <summary>`tlsdoctor fleet worker --db PG`: claims queued devices, scans them and commits each result, until the queue is empty.</summary>
public static class FleetWorkerCommand
{
    public static readonly Option<string> Db = FleetOptions.PostgresDb();
    public static readonly Option<string?> Site = new("--site") { Description = "Scan only devices of this site (default: any)", HelpName = "SITE" };
    public static readonly Option<int> Concurrency = new("--concurrency") { Description = "Devices this worker scans at once", DefaultValueFactory = _ => 64, HelpName = "N" };
    public static readonly Option<double> Rate = new("--rate") { Description = "New connections per second for THIS worker (each worker has its own budget; the fleet's is the sum)", DefaultValueFactory = _ => FleetScanOptions.DefaultRate, HelpName = "R" };
    public static readonly Option<double> Lease = new("--lease") { Description = "Seconds a claimed device stays this worker's without renewal; a dead worker's devices are taken over after it", DefaultValueFactory = _ => 30, HelpName = "SECONDS" };
    public static readonly Option<int> MaxLostLeases = new Option<int>("--max-lost-leases") { Description = "Leases that may run out on one device (each worker scanning it died or hung) before it gets an error result instead of being queued again", DefaultValueFactory = _ => PostgresFleetStore.DefaultMaxLostLeases, HelpName = "N" }.Within(1, 100);
    public static readonly Option<bool> Follow = new("--follow") { Description = "Keep waiting for newly queued devices instead of exiting when the queue is empty" };
    public static readonly Option<string?> Name = new("--name") { Description = "Worker name shown by fleet status (default: host/pid)", HelpName = "NAME" };
    public static readonly Option<bool> Json = CommonOptions.Json();

    public static Command Create(CliConsole console)
    {
        var cmd = new Command("worker", "Scan devices from the PostgreSQL queue (run any number, on any machines); exits when the queue is empty unless --follow")
        {
            Db, Site, Concurrency, Rate, Lease, MaxLostLeases, Follow, Name, Json,
        };
        cmd.SetAction(FleetOptions.Action(console, RunAsync));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        var concurrency = FleetOptions.CheckConcurrency(parse.GetValue(Concurrency));
        var rate = FleetOptions.CheckRate(parse.GetValue(Rate));
        var lease = parse.GetValue(Lease);
        if (!(lease is >= 1 and <= 3600)) throw new UsageException("--lease must be 1-3600 seconds");
        var name = parse.GetValue(Name) is { Length: > 0 } n ? n : $"{Environment.MachineName}/{Environment.ProcessId}";
        var site = parse.GetValue(Site) is { Length: > 0 } s ? s.Trim() : null;
        using var store = FleetOptions.OpenPostgres(parse.GetValue(Db)!, "worker", create: false);
        var options = new FleetWorkerOptions(name, site, concurrency, rate, TimeSpan.FromSeconds(lease), parse.GetValue(Follow),
            TimeSpan.FromSeconds(Math.Min(1, lease / 3)), parse.GetValue(MaxLostLeases));
        console.Error.MarkupLineInterpolated($"[grey]worker {name}: {store.Path}{(site is null ? "" : $", site {site}")}, {concurrency} at once, {rate:0.#} conn/s, lease {lease:0.#} s[/]");
        var last = DateTime.MinValue;
        var progress = new InlineProgress<WorkerProgress>(p =>
        {
            var now = DateTime.UtcNow;
            if (now - last < TimeSpan.FromSeconds(5)) return;
            last = now;
            console.Error.MarkupLineInterpolated($"[grey]worker {name}: done {p.Done} (ok {p.Ok}, failed {p.Failed}), {p.InFlight} in flight, {p.Retried} retried later, {p.Connections} connections, {p.Elapsed.TotalSeconds:0} s[/]");
        });
        var r = await new FleetWorker(store, options).RunAsync(progress, ct).ConfigureAwait(false);
        var doc = new FleetWorkerJson(name, store.Path, site, r.Done, r.Ok, r.Failed, r.Retried, r.Lost, r.Connections, (long)r.Elapsed.TotalMilliseconds);
        if (parse.GetValue(Json))
            await console.RawOut.WriteLineAsync(JsonSerializer.Serialize(doc, FleetJson.Output.FleetWorkerJson)).ConfigureAwait(false);
        else
            console.Out.MarkupLineInterpolated($"worker {name}: {r.Done} devices committed (ok {r.Ok}, failed {r.Failed}), {r.Lost} taken over by other workers, {r.Connections} connections, {r.Elapsed.TotalSeconds:0.0} s; the queue is empty");
        return ExitCodes.Ok;
    }
}
