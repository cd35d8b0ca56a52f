using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace TlsDoctor.Fleet;

/// <summary>Progress of a fleet scan for a progress bar.</summary>
/// <param name="Done">Devices with a committed result, including those done before a resume.</param>
/// <param name="Eta">Estimated time left, once a device has finished in this run.</param>
public sealed record FleetProgress(int Total, int Done, int Ok, int Failed, int InFlight, long Connections, TimeSpan Elapsed, TimeSpan? Eta, string? LastDevice);

/// <summary>What a fleet scan run did.</summary>
/// <param name="AlreadyDone">Devices that had results before this run (resume).</param>
/// <param name="Scanned">Devices that got a result in this run.</param>
/// <param name="Statuses">Devices per status over the whole scan.</param>
public sealed record FleetScanSummary(
    long ScanId,
    bool Resumed,
    int Total,
    int AlreadyDone,
    int Scanned,
    ImmutableSortedDictionary<string, int> Statuses,
    long Connections,
    TimeSpan Elapsed,
    bool Finished);

/// <summary>
/// Scans the devices of a stored scan: at most Concurrency devices at once, the per-device limit through a
/// <see cref="TlsDoctor.Probe.HostGate"/>, a global connection budget, and a back-off for devices that reset, stay silent or cannot
/// be reached. Each device's result is committed as soon as it is known, so a killed run loses only devices in flight.
/// </summary>
public sealed class FleetScanner
{
    private readonly FleetStore _store;
    private readonly FleetScanOptions _options;
    private readonly TimeProvider _time;
    private readonly DeviceRunner _runner;

    public FleetScanner(FleetStore store, FleetScanOptions options, TimeProvider? time = null)
        : this(store, options, time, scan: null)
    {
    }

    /// <param name="scan">What scans one device; null scans the network (tests inject a scanner that fails).</param>
    internal FleetScanner(FleetStore store, FleetScanOptions options, TimeProvider? time, DeviceScan? scan)
    {
        if (options.Concurrency is < 1 or > 1024) throw new ArgumentOutOfRangeException(nameof(options), "concurrency must be 1-1024");
        _store = store;
        _options = options;
        _time = time ?? TimeProvider.System;
        _runner = new DeviceRunner(options, _time, scan);
    }

    /// <summary>Records a new scan of the inventory and runs it.</summary>
    public async Task<FleetScanSummary> StartAsync(Inventory inventory, string inventoryPath, IProgress<FleetProgress>? progress, CancellationToken ct) =>
        await RunAsync(Create(inventory, inventoryPath), resumed: false, progress, ct).ConfigureAwait(false);

    /// <summary>Records a new scan (its options and inventory rows) without scanning; returns its id.</summary>
    public long Create(Inventory inventory, string inventoryPath) =>
        _store.CreateScan(inventory, inventoryPath, JsonSerializer.Serialize(_options.ToJson(), StoreJson.Compact.FleetOptionsJson), _time.GetUtcNow());

    /// <summary>Continues a scan: only devices without a committed result are scanned.</summary>
    public Task<FleetScanSummary> ResumeAsync(long scanId, IProgress<FleetProgress>? progress, CancellationToken ct) =>
        RunAsync(scanId, resumed: true, progress, ct);

    /// <summary>Scans the devices of scan <paramref name="scanId"/> that have no result yet, then marks the scan finished.</summary>
    public async Task<FleetScanSummary> RunAsync(long scanId, bool resumed, IProgress<FleetProgress>? progress, CancellationToken ct)
    {
        var scan = _store.Scan(scanId) ?? throw new FleetStoreException($"scan {scanId} does not exist");
        var pending = _store.PendingDevices(scanId);
        var total = scan.Devices;
        var already = total - pending.Length;
        var clock = Stopwatch.StartNew();
        var budget = new ConnectionBudget(_options.ConnectionsPerSecond, Math.Max(_options.ConnectionsPerSecond, 50), time: _time);
        var channel = Channel.CreateUnbounded<DeviceWork>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
        foreach (var d in pending) channel.Writer.TryWrite(new DeviceWork(d, 1, 0, 0, 0));
        var outstanding = pending.Length;
        if (outstanding == 0) channel.Writer.TryComplete();
        int done = 0, ok = 0, failed = 0, inFlight = 0;
        long connections = 0;
        string? last = null;

        void Report()
        {
            if (progress is null) return;
            var d = Volatile.Read(ref done);
            TimeSpan? eta = d > 0 ? clock.Elapsed / d * (pending.Length - d) : null;
            progress.Report(new FleetProgress(total, already + d, Volatile.Read(ref ok), Volatile.Read(ref failed), Volatile.Read(ref inFlight),
                Interlocked.Read(ref connections), clock.Elapsed, eta, Volatile.Read(ref last)));
        }

        async Task Worker()
        {
            try
            {
                await DrainAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The store failed (a device's own failure is its result): stop the other workers instead of leaving them waiting.
                channel.Writer.TryComplete(e);
                throw;
            }
        }

        async Task DrainAsync()
        {
            await foreach (var w in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                var outcome = await _runner.RunAsync(w, budget, n => Interlocked.Add(ref inFlight, n), ct).ConfigureAwait(false);
                Interlocked.Add(ref connections, outcome.Connections);
                if (outcome.Retry is { } retry)
                {
                    _ = RetryLaterAsync(retry, outcome.RetryAfter);
                    continue;
                }
                var result = outcome.Result!;
                _store.SaveResult(scanId, result);
                Interlocked.Increment(ref done);
                if (result.Status == DeviceStatus.Ok) Interlocked.Increment(ref ok); else Interlocked.Increment(ref failed);
                Volatile.Write(ref last, w.Device.Name);
                Report();
                if (Interlocked.Decrement(ref outstanding) == 0) channel.Writer.TryComplete();
            }
        }

        async Task RetryLaterAsync(DeviceWork w, TimeSpan delay)
        {
            try
            {
                await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                channel.Writer.TryWrite(w);
            }
            catch (OperationCanceledException)
            {
                // Cancelled: the device has no result, so --resume scans it again.
            }
        }

        ThreadReserve.Ensure(_options.Concurrency);
        using var ticker = progress is null ? null : _time.CreateTimer(_ => Report(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        Report();
        var workers = Enumerable.Range(0, Math.Min(_options.Concurrency, Math.Max(1, pending.Length))).Select(_ => Task.Run(Worker, ct)).ToArray();
        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
        ct.ThrowIfCancellationRequested();
        _store.FinishScan(scanId, _time.GetUtcNow());
        Report();
        var statuses = _store.Devices(scanId).Where(d => d.Result is not null)
            .GroupBy(d => d.Result!.Status.Name()).ToImmutableSortedDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new FleetScanSummary(scanId, resumed, total, already, Volatile.Read(ref done), statuses, Interlocked.Read(ref connections), clock.Elapsed, true);
    }
}
