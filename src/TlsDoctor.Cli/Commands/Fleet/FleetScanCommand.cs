using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using TlsDoctor.Fleet;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor fleet scan INVENTORY.csv`: scans every device of an inventory into the fleet database.</summary>
public static class FleetScanCommand
{
    public static readonly Argument<string> InventoryFile = new("inventory")
    {
        Description = "CSV with a header: name, host, port, model, site in any order; other columns are kept as attributes",
    };

    public static readonly Option<string> Db = FleetOptions.Db();
    public static readonly Option<int> Concurrency = new("--concurrency") { Description = "Devices scanned at once", DefaultValueFactory = _ => 64, HelpName = "N" };
    public static readonly Option<double> Rate = new("--rate") { Description = "New connections per second, whole fleet (long-run average)", DefaultValueFactory = _ => FleetScanOptions.DefaultRate, HelpName = "R" };
    public static readonly Option<bool> Resume = new("--resume") { Description = "Finish the newest unfinished scan in the database instead of starting a new one" };
    public static readonly Option<bool> Json = CommonOptions.Json();
    private static readonly FleetScanSettings Settings = new();

    public static Command Create(CliConsole console)
    {
        var cmd = new Command("scan", "Scan every device of an inventory CSV into the fleet database; each result is committed as it completes (--resume continues after a kill)")
        {
            InventoryFile, Db, Concurrency, Rate, Resume, Json,
        };
        Settings.AddTo(cmd);
        cmd.SetAction(FleetOptions.Action(console, RunAsync));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        var concurrency = FleetOptions.CheckConcurrency(parse.GetValue(Concurrency));
        var rate = FleetOptions.CheckRate(parse.GetValue(Rate));
        var options = Settings.Build(parse, concurrency, rate);
        var perDevice = options.Probe.MaxConnectionsPerHost;
        var json = parse.GetValue(Json);
        var path = parse.GetValue(InventoryFile)!;
        var dbPath = parse.GetValue(Db)!;
        var inventory = Settings.ReadInventory(parse, console, path);
        using var store = FleetStore.Open(dbPath);
        {
            var scanner = new FleetScanner(store, options);
            long scanId;
            var resumed = parse.GetValue(Resume);
            if (resumed)
            {
                var open = store.LatestUnfinished() ?? throw new UsageException($"{store.Path}: no unfinished scan to resume (run without --resume to start a new scan)");
                if (!string.Equals(open.InventorySha256, inventory.Sha256, StringComparison.OrdinalIgnoreCase))
                    throw new UsageException($"{path} changed since scan {open.Id} started from {open.InventoryPath}; run without --resume to start a new scan with it");
                scanId = open.Id;
                if (StoredOptions(open) is { } stored)
                {
                    options = Settings.Resume(parse, stored, Concurrency, Rate);
                    scanner = new FleetScanner(store, options);
                }
                console.Error.MarkupLineInterpolated($"[grey]resuming scan {scanId}: {open.Results} of {open.Devices} devices already done ({options.Concurrency} at once, {options.Probe.MaxConnectionsPerHost}/device, {options.ConnectionsPerSecond:0.#} conn/s, delay {options.Probe.DelayBetweenConnections.TotalMilliseconds:0} ms)[/]");
            }
            else
            {
                if (inventory.Devices.IsEmpty) throw new UsageException($"{path}: no usable device rows ({inventory.Errors.Length} skipped)");
                scanId = scanner.Create(inventory, Path.GetFullPath(path));
                console.Error.MarkupLineInterpolated($"[grey]scan {scanId}: {inventory.Devices.Length} devices → {store.Path} ({concurrency} at once, {perDevice}/device, {rate:0.#} conn/s)[/]");
            }

            FleetScanSummary summary;
            try
            {
                summary = await RunWithProgressAsync(console, scanner, scanId, resumed, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                var s = store.Scan(scanId);
                console.Error.MarkupLineInterpolated($"[yellow]scan {scanId} interrupted with {s?.Results} of {s?.Devices} devices committed; `tlsdoctor fleet scan {path} --db {store.Path} --resume` finishes it[/]");
                throw;
            }

            if (json)
            {
                var doc = new FleetScanJson(summary.ScanId, store.Path, summary.Resumed, summary.Total, summary.AlreadyDone, summary.Scanned,
                    inventory.Errors, summary.Statuses, summary.Connections, (long)summary.Elapsed.TotalMilliseconds, summary.Finished);
                await console.RawOut.WriteLineAsync(JsonSerializer.Serialize(doc, FleetJson.Output.FleetScanJson)).ConfigureAwait(false);
            }
            else
            {
                FleetRenderer.RenderScan(console.Out, summary, store.Path, inventory.Errors.Length);
            }
            return summary.Statuses.Keys.Any(k => k is "unreachable" or "backed-off" or "error") ? ExitCodes.Unreachable : ExitCodes.Ok;
        }
    }

    private static FleetOptionsJson? StoredOptions(ScanRecord scan)
    {
        try
        {
            return JsonSerializer.Deserialize(scan.Options, FleetJsonContext.Default.FleetOptionsJson);
        }
        catch (JsonException e)
        {
            throw new UsageException($"scan {scan.Id}: its stored options are damaged ({e.Message}); start a new scan without --resume");
        }
    }

    // A live bar when stderr is a terminal; otherwise a plain line every few seconds (logs, CI, pipes).
    private static async Task<FleetScanSummary> RunWithProgressAsync(CliConsole console, FleetScanner scanner, long scanId, bool resumed, CancellationToken ct)
    {
        if (console.Error.Profile.Capabilities.Interactive)
        {
            FleetScanSummary? result = null;
            await console.Error.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask("devices", maxValue: 1);
                    var progress = new InlineProgress<FleetProgress>(p =>
                    {
                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = p.Done;
                        task.Description = $"{p.Done}/{p.Total} devices · ok {p.Ok} · failed {p.Failed} · {p.InFlight} in flight · {p.Connections} connections";
                    });
                    result = await scanner.RunAsync(scanId, resumed, progress, ct).ConfigureAwait(false);
                }).ConfigureAwait(false);
            return result!;
        }
        var last = DateTime.MinValue;
        var finalShown = false;
        var gate = new object();
        var plain = new InlineProgress<FleetProgress>(p =>
        {
            lock (gate)
            {
                var now = DateTime.UtcNow;
                var complete = p.Done >= p.Total;
                if (complete ? finalShown : now - last < TimeSpan.FromSeconds(5)) return;
                last = now;
                finalShown |= complete;
                var eta = !complete && p.Eta is { } e ? $", ~{e.TotalSeconds:0} s left" : "";
                console.Error.MarkupLineInterpolated($"[grey]fleet: {p.Done}/{p.Total} devices, ok {p.Ok}, failed {p.Failed}, {p.Connections} connections, {p.Elapsed.TotalSeconds:0} s{eta}[/]");
            }
        });
        return await scanner.RunAsync(scanId, resumed, plain, ct).ConfigureAwait(false);
    }
}
