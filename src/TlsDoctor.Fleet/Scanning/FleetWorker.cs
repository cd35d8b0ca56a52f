using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace TlsDoctor.Fleet;

/// <summary>How a queue worker runs.</summary>
/// <param name="Name">Unique among the workers of the database (default: host/pid).</param>
/// <param name="Site">Only devices of this site; null takes any device.</param>
/// <param name="Concurrency">Devices scanned at once by this worker.</param>
/// <param name="Rate">New connections per second for this worker (each worker has its own budget).</param>
/// <param name="Lease">How long a claim holds without renewal; a killed worker's devices go back to the queue after it.</param>
/// <param name="Follow">Keep waiting for new work when the queue is empty instead of exiting.</param>
/// <param name="Poll">Wait between two looks at an empty queue.</param>
/// <param name="MaxLostLeases">Leases that may run out on one device (its workers died on it) before it gets an error result instead of another claim.</param>
public sealed record FleetWorkerOptions(string Name, string? Site, int Concurrency, double Rate, TimeSpan Lease, bool Follow, TimeSpan Poll,
    int MaxLostLeases = PostgresFleetStore.DefaultMaxLostLeases);

/// <summary>What a worker has done so far.</summary>
/// <param name="Lost">Devices whose lease another worker took over before this one committed (their result was dropped).</param>
public sealed record WorkerProgress(int Done, int Ok, int Failed, int Retried, int Lost, int InFlight, long Connections, TimeSpan Elapsed, string? LastDevice);

/// <summary>
/// Takes devices from the PostgreSQL queue until it is empty: claims as many as it has free slots, renews its leases
/// while it scans, and commits each result with its queue row. Several workers on several machines share one queue;
/// per-device politeness holds across them because one device key is never leased twice at once.
/// </summary>
public sealed class FleetWorker
{
    private readonly PostgresFleetStore _store;
    private readonly FleetWorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<long, DeviceRunner> _runners = new();

    public FleetWorker(PostgresFleetStore store, FleetWorkerOptions options, TimeProvider? time = null)
    {
        if (options.MaxLostLeases < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxLostLeases must be at least 1");
        if (options.Concurrency is < 1 or > 1024) throw new ArgumentOutOfRangeException(nameof(options), "concurrency must be 1-1024");
        if (options.Lease < TimeSpan.FromSeconds(1)) throw new ArgumentOutOfRangeException(nameof(options), "the lease must be at least 1 s");
        _store = store;
        _options = options;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Works until no device of its site is queued or leased (or, with Follow, until cancelled).</summary>
    public async Task<WorkerProgress> RunAsync(IProgress<WorkerProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var budget = new ConnectionBudget(_options.Rate, Math.Max(_options.Rate, 50), time: _time);
        int done = 0, ok = 0, failed = 0, retried = 0, lost = 0, inFlight = 0;
        long connections = 0;
        string? last = null;
        WorkerProgress Snapshot() => new(Volatile.Read(ref done), Volatile.Read(ref ok), Volatile.Read(ref failed), Volatile.Read(ref retried),
            Volatile.Read(ref lost), Volatile.Read(ref inFlight), Interlocked.Read(ref connections), clock.Elapsed, Volatile.Read(ref last));

        ThreadReserve.Ensure(_options.Concurrency);
        await _store.RegisterWorkerAsync(_options.Name, _options.Site, _options.Concurrency, _options.Rate, ct).ConfigureAwait(false);
        using var work = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Exception? fatal = null;
        var renewal = RenewLoopAsync(work.Token);
        using var slots = new SemaphoreSlim(_options.Concurrency, _options.Concurrency);
        var running = new ConcurrentDictionary<Task, byte>();
        using var ticker = progress is null ? null : _time.CreateTimer(_ => progress.Report(Snapshot()), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        async Task ProcessAsync(QueuedDevice q)
        {
            try
            {
                var outcome = await RunnerFor(q.ScanId).RunAsync(new DeviceWork(q.Device, q.Attempt, q.Failures, q.Handshakes, q.ElapsedMs), budget,
                    n => Interlocked.Add(ref inFlight, n), work.Token).ConfigureAwait(false);
                Interlocked.Add(ref connections, outcome.Connections);
                bool kept;
                if (outcome.Retry is { } r)
                {
                    var back = q with { Attempt = r.Attempt, Failures = r.ConsecutiveFailures, Handshakes = r.Handshakes, ElapsedMs = r.ElapsedMs };
                    kept = await _store.ReleaseAsync(_options.Name, back, outcome.RetryAfter, work.Token).ConfigureAwait(false);
                    if (kept) Interlocked.Increment(ref retried);
                }
                else
                {
                    kept = await _store.CompleteAsync(_options.Name, q, outcome.Result!, work.Token).ConfigureAwait(false);
                    if (kept)
                    {
                        Interlocked.Increment(ref done);
                        if (outcome.Result!.Status == DeviceStatus.Ok) Interlocked.Increment(ref ok); else Interlocked.Increment(ref failed);
                        Volatile.Write(ref last, q.Device.Name);
                    }
                }
                if (!kept) Interlocked.Increment(ref lost);
            }
            catch (OperationCanceledException) when (work.IsCancellationRequested)
            {
                // Stopped: give the device back at once rather than after the lease.
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try { await _store.ReleaseAsync(_options.Name, q, TimeSpan.Zero, grace.Token).ConfigureAwait(false); }
                catch (Exception e) when (e is FleetStoreException or OperationCanceledException) { }
            }
            catch (FleetStoreException e)
            {
                fatal ??= e;
                await work.CancelAsync().ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        }

        try
        {
            while (true)
            {
                await slots.WaitAsync(work.Token).ConfigureAwait(false);
                var free = 1;
                while (slots.Wait(0)) free++;
                var claimed = await _store.ClaimAsync(_options.Name, _options.Site, free, _options.Lease, work.Token, _options.MaxLostLeases).ConfigureAwait(false);
                if (free > claimed.Length) slots.Release(free - claimed.Length);
                foreach (var q in claimed)
                {
                    var task = ProcessAsync(q);
                    running[task] = 0;
                    _ = task.ContinueWith(t => running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
                if (claimed.Length > 0) continue;
                if (running.IsEmpty) await _store.FinishDrainedAsync(work.Token).ConfigureAwait(false);
                if (!_options.Follow && running.IsEmpty && await _store.OpenRowsAsync(_options.Site, work.Token).ConfigureAwait(false) == 0) break;
                // Nothing due: wait for a device to finish, a back-off to pass or a dead worker's lease to run out.
                await Task.WhenAny([Task.Delay(_options.Poll, _time, work.Token), .. running.Keys]).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (fatal is not null)
        {
        }
        finally
        {
            await Task.WhenAll(running.Keys).ConfigureAwait(false);
            await work.CancelAsync().ConfigureAwait(false);
            try { await renewal.ConfigureAwait(false); } catch (OperationCanceledException) { }
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { await _store.StopWorkerAsync(_options.Name, grace.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is FleetStoreException or OperationCanceledException) { }
        }
        if (fatal is not null) throw new FleetStoreException(fatal.Message, fatal, (fatal as FleetStoreException)?.Unreachable ?? false);
        var final = Snapshot();
        progress?.Report(final);
        return final;
    }

    private DeviceRunner RunnerFor(long scanId) => _runners.GetOrAdd(scanId, id =>
    {
        var scan = _store.Scan(id) ?? throw new FleetStoreException($"{_store.Path}: scan {id} disappeared while its devices were queued");
        var json = JsonSerializer.Deserialize(scan.Options, StoreJson.Compact.FleetOptionsJson)
            ?? throw new FleetStoreException($"{_store.Path}: scan {id} has no stored options");
        return new DeviceRunner(FleetScanOptions.FromJson(json, _options.Concurrency, _options.Rate), _time);
    });

    // A third of the lease between renewals: two renewals can fail (a slow database) before another worker may take over.
    private async Task RenewLoopAsync(CancellationToken ct)
    {
        var every = _options.Lease / 3;
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(every, _time, ct).ConfigureAwait(false);
            try
            {
                await _store.RenewAsync(_options.Name, _options.Lease, ct).ConfigureAwait(false);
            }
            catch (FleetStoreException)
            {
                // The database is away for a moment: the next renewal tries again; if the lease runs out, a completion is refused, never doubled.
            }
        }
    }
}
