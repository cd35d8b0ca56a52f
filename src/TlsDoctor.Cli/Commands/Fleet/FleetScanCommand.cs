using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using TlsDoctor.Fleet;
using TlsDoctor.Probe;

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
    public static readonly Option<int> PerDevice = new("--per-device") { Description = "Connections open at once to one device (fragile devices: keep 1)", DefaultValueFactory = _ => 1, HelpName = "N" };
    public static readonly Option<double> Rate = new("--rate") { Description = "New connections per second, whole fleet (long-run average)", DefaultValueFactory = _ => FleetScanOptions.DefaultRate, HelpName = "R" };
    public static readonly Option<bool> Resume = new("--resume") { Description = "Finish the newest unfinished scan in the database instead of starting a new one" };
    public static readonly Option<int> Port = new("--port", "-p") { Description = "Port for rows without one", DefaultValueFactory = _ => 443 };
    public static readonly Option<int> MaxFailures = new("--max-failures") { Description = "Connections in a row that may reset, time out or fail before a device is left alone", DefaultValueFactory = _ => 3, HelpName = "K" };
    public static readonly Option<double> RetryBackoff = new("--retry-backoff") { Description = "Seconds before retrying a device that could not be reached (doubles per retry)", DefaultValueFactory = _ => 5, HelpName = "SECONDS" };
    public static readonly Option<string> DeviceKeyOption = MakeDeviceKey();
    public static readonly Option<bool> NoHandshake = new("--no-handshake") { Description = "Skip the full handshake per version (fewer connections; misses failures after ServerHello)" };
    public static readonly Option<bool> Json = CommonOptions.Json();
    public static readonly Option<double> ConnectTimeout = CommonOptions.ConnectTimeout();
    public static readonly Option<double> ReadTimeout = CommonOptions.ReadTimeout();
    public static readonly Option<double> Deadline = CommonOptions.Deadline();
    public static readonly Option<int> Delay = CommonOptions.Delay();

    public static Command Create(CliConsole console)
    {
        var cmd = new Command("scan", "Scan every device of an inventory CSV into the fleet database; each result is committed as it completes (--resume continues after a kill)")
        {
            InventoryFile, Db, Concurrency, PerDevice, Rate, Resume, Port, MaxFailures, RetryBackoff, DeviceKeyOption, NoHandshake, Json,
            ConnectTimeout, ReadTimeout, Deadline, Delay,
        };
        cmd.SetAction((parse, ct) => RunAsync(parse, console, ct));
        return cmd;
    }

    private static Option<string> MakeDeviceKey()
    {
        var o = new Option<string>("--device-key")
        {
            Description = "What --per-device counts as one device: host, endpoint (host:port), or auto (host; loopback: endpoint)",
            DefaultValueFactory = _ => "auto",
        };
        o.AcceptOnlyFromAmong("auto", "host", "endpoint");
        return o;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        var concurrency = parse.GetValue(Concurrency);
        if (concurrency is < 1 or > 1024) throw new UsageException("--concurrency must be 1-1024");
        var perDevice = parse.GetValue(PerDevice);
        if (perDevice is < 1 or > 16) throw new UsageException("--per-device must be 1-16");
        var rate = parse.GetValue(Rate);
        if (!(rate is >= 1 and <= 100_000)) throw new UsageException("--rate must be 1-100000 connections per second");
        var port = parse.GetValue(Port);
        if (port is < 1 or > 65535) throw new UsageException("--port must be 1-65535");
        var maxFailures = parse.GetValue(MaxFailures);
        if (maxFailures is < 1 or > 100) throw new UsageException("--max-failures must be 1-100");
        var backoff = parse.GetValue(RetryBackoff);
        if (!(backoff is >= 0 and <= 3600)) throw new UsageException("--retry-backoff must be 0-3600 seconds");
        var delay = parse.GetValue(Delay);
        if (delay is < 0 or > 60_000) throw new UsageException("--delay must be 0-60000 ms");
        var probe = new ProbeOptions(
            CommonOptions.Seconds(parse.GetValue(ConnectTimeout)),
            CommonOptions.Seconds(parse.GetValue(ReadTimeout)),
            CommonOptions.Seconds(parse.GetValue(Deadline)),
            perDevice,
            TimeSpan.FromMilliseconds(delay),
            FullHandshakes: !parse.GetValue(NoHandshake));
        var options = new FleetScanOptions(probe, concurrency, rate,
            Enum.Parse<DeviceKey>(parse.GetValue(DeviceKeyOption) ?? "auto", ignoreCase: true),
            maxFailures, backoff == 0 ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromSeconds(backoff));
        var json = parse.GetValue(Json);
        var path = parse.GetValue(InventoryFile)!;
        var dbPath = parse.GetValue(Db)!;

        Inventory inventory;
        try
        {
            inventory = InventoryCsv.ReadFile(path, port);
        }
        catch (InventoryException e)
        {
            throw new UsageException($"{path}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot read ({e.Message})");
        }
        foreach (var bad in inventory.Errors)
            console.Error.MarkupLineInterpolated($"[yellow]{path}:{bad.Line}:[/] {bad.Message} (row skipped)");

        FleetStore store;
        try
        {
            store = FleetStore.Open(dbPath);
        }
        catch (FleetStoreException e)
        {
            throw new UsageException(e.Message);
        }
        using (store)
        {
            var scanner = new FleetScanner(store, options);
            long scanId;
            var resumed = parse.GetValue(Resume);
            if (resumed)
            {
                var open = store.LatestUnfinished() ?? throw new UsageException($"{dbPath}: no unfinished scan to resume (run without --resume to start a new scan)");
                if (!string.Equals(open.InventorySha256, inventory.Sha256, StringComparison.OrdinalIgnoreCase))
                    throw new UsageException($"{path} changed since scan {open.Id} started from {open.InventoryPath}; run without --resume to start a new scan with it");
                scanId = open.Id;
                console.Error.MarkupLineInterpolated($"[grey]resuming scan {scanId}: {open.Results} of {open.Devices} devices already done[/]");
            }
            else
            {
                if (inventory.Devices.IsEmpty) throw new UsageException($"{path}: no usable device rows ({inventory.Errors.Length} skipped)");
                scanId = scanner.Create(inventory, Path.GetFullPath(path));
                console.Error.MarkupLineInterpolated($"[grey]scan {scanId}: {inventory.Devices.Length} devices → {dbPath} ({concurrency} at once, {perDevice}/device, {rate:0.#} conn/s)[/]");
            }

            FleetScanSummary summary;
            try
            {
                summary = await RunWithProgressAsync(console, scanner, scanId, resumed, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                var s = store.Scan(scanId);
                console.Error.MarkupLineInterpolated($"[yellow]scan {scanId} interrupted with {s?.Results} of {s?.Devices} devices committed; `tlsdoctor fleet scan {path} --db {dbPath} --resume` finishes it[/]");
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
            return summary.Statuses.Keys.Any(k => k is "unreachable" or "backed-off") ? ExitCodes.Unreachable : ExitCodes.Ok;
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
