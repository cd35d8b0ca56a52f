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
        ThreadReserve.Ensure(_options.Concurrency);
        await _store.RegisterWorkerAsync(_options.Name, _options.Site, _options.Concurrency, _options.Rate, ct).ConfigureAwait(false);
        using var run = new WorkerRun(this, ct);
        var renewal = RenewLoopAsync(run.Work.Token);
        using var ticker = progress is null ? null : _time.CreateTimer(_ => progress.Report(run.Snapshot()), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        try
        {
            await run.ClaimLoopAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (run.Fatal is not null)
        {
        }
        finally
        {
            await Task.WhenAll(run.Running.Keys).ConfigureAwait(false);
            await run.Work.CancelAsync().ConfigureAwait(false);
            try { await renewal.ConfigureAwait(false); } catch (OperationCanceledException) { }
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { await _store.StopWorkerAsync(_options.Name, grace.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is FleetStoreException or OperationCanceledException) { }
        }
        if (run.Fatal is { } fatal) throw new FleetStoreException(fatal.Message, fatal, fatal.Unreachable);
        var final = run.Snapshot();
        progress?.Report(final);
        return final;
    }

    // One RunAsync: its slots, the devices in flight and the counters its progress reports.
    private sealed class WorkerRun(FleetWorker worker, CancellationToken ct) : IDisposable
    {
        private readonly FleetWorkerOptions _options = worker._options;
        private readonly PostgresFleetStore _store = worker._store;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly ConnectionBudget _budget = new(worker._options.Rate, Math.Max(worker._options.Rate, 50), time: worker._time);
        private readonly SemaphoreSlim _slots = new(worker._options.Concurrency, worker._options.Concurrency);
        private int _done, _ok, _failed, _retried, _lost, _inFlight;
        private long _connections;
        private string? _last;

        public CancellationTokenSource Work { get; } = CancellationTokenSource.CreateLinkedTokenSource(ct);
        public ConcurrentDictionary<Task, byte> Running { get; } = new();
        public FleetStoreException? Fatal { get; private set; }

        public WorkerProgress Snapshot() => new(Volatile.Read(ref _done), Volatile.Read(ref _ok), Volatile.Read(ref _failed), Volatile.Read(ref _retried),
            Volatile.Read(ref _lost), Volatile.Read(ref _inFlight), Interlocked.Read(ref _connections), _clock.Elapsed, Volatile.Read(ref _last));

        public async Task ClaimLoopAsync()
        {
            var token = Work.Token;
            while (true)
            {
                await _slots.WaitAsync(token).ConfigureAwait(false);
                var free = 1;
                while (_slots.Wait(0)) free++;
                var claimed = await _store.ClaimAsync(_options.Name, _options.Site, free, _options.Lease, token, _options.MaxLostLeases).ConfigureAwait(false);
                if (free > claimed.Length) _slots.Release(free - claimed.Length);
                foreach (var q in claimed)
                {
                    var task = ProcessAsync(q);
                    Running[task] = 0;
                    _ = task.ContinueWith(t => Running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
                if (claimed.Length > 0) continue;
                if (Running.IsEmpty) await _store.FinishDrainedAsync(token).ConfigureAwait(false);
                if (!_options.Follow && Running.IsEmpty && await _store.OpenRowsAsync(_options.Site, token).ConfigureAwait(false) == 0) return;
                // Nothing due: wait for a device to finish, a back-off to pass or a dead worker's lease to run out.
                await Task.WhenAny([Task.Delay(_options.Poll, worker._time, token), .. Running.Keys]).ConfigureAwait(false);
            }
        }

        private async Task ProcessAsync(QueuedDevice q)
        {
            try
            {
                var outcome = await worker.RunnerFor(q.ScanId).RunAsync(new DeviceWork(q.Device, q.Attempt, q.Failures, q.Handshakes, q.ElapsedMs), _budget,
                    n => Interlocked.Add(ref _inFlight, n), Work.Token).ConfigureAwait(false);
                Interlocked.Add(ref _connections, outcome.Connections);
                var kept = outcome.Retry is { } r ? await RetryLaterAsync(q with { Attempt = r.Attempt, Failures = r.ConsecutiveFailures, Handshakes = r.Handshakes, ElapsedMs = r.ElapsedMs }, outcome.RetryAfter).ConfigureAwait(false)
                    : await CompleteAsync(q, outcome.Result!).ConfigureAwait(false);
                if (!kept) Interlocked.Increment(ref _lost);
            }
            catch (OperationCanceledException) when (Work.IsCancellationRequested)
            {
                // Stopped: give the device back at once rather than after the lease.
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try { await _store.ReleaseAsync(_options.Name, q, TimeSpan.Zero, grace.Token).ConfigureAwait(false); }
                catch (Exception e) when (e is FleetStoreException or OperationCanceledException) { }
            }
            catch (FleetStoreException e)
            {
                Fatal ??= e;
                await Work.CancelAsync().ConfigureAwait(false);
            }
            finally
            {
                _slots.Release();
            }
        }

        private async Task<bool> RetryLaterAsync(QueuedDevice back, TimeSpan after)
        {
            var kept = await _store.ReleaseAsync(_options.Name, back, after, Work.Token).ConfigureAwait(false);
            if (kept) Interlocked.Increment(ref _retried);
            return kept;
        }

        private async Task<bool> CompleteAsync(QueuedDevice q, DeviceResult result)
        {
            if (!await _store.CompleteAsync(_options.Name, q, result, Work.Token).ConfigureAwait(false)) return false;
            Interlocked.Increment(ref _done);
            Interlocked.Increment(ref result.Status == DeviceStatus.Ok ? ref _ok : ref _failed);
            Volatile.Write(ref _last, q.Device.Name);
            return true;
        }

        public void Dispose()
        {
            Work.Dispose();
            _slots.Dispose();
        }
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
