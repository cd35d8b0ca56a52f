using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using TlsDoctor.Probe;
using TlsDoctor.Probe.Json;

namespace TlsDoctor.Fleet;

/// <summary>What the per-device connection limit counts as one device.</summary>
public enum DeviceKey
{
    /// <summary>Host, except loopback addresses, where each port is a separate (simulated) device.</summary>
    Auto,
    /// <summary>Host: two inventory rows on one printer (443 and 5012) share its limit.</summary>
    Host,
    /// <summary>Host and port.</summary>
    Endpoint,
}

/// <summary>How a fleet scan treats the network and the devices.</summary>
/// <param name="Probe">Timeouts and per-target settings of each device's scan; MaxConnectionsPerHost is the per-device limit.</param>
/// <param name="Concurrency">Devices scanned at once.</param>
/// <param name="ConnectionsPerSecond">Global connection rate (long-run average).</param>
/// <param name="MaxConsecutiveFailures">Connections in a row that may reset, time out or fail to connect before a device is left alone.</param>
/// <param name="RetryBackoff">Wait before the second attempt at a device that could not be reached; doubles per attempt.</param>
public sealed record FleetScanOptions(
    ProbeOptions Probe,
    int Concurrency = 64,
    double ConnectionsPerSecond = FleetScanOptions.DefaultRate,
    DeviceKey Key = DeviceKey.Auto,
    int MaxConsecutiveFailures = 3,
    TimeSpan RetryBackoff = default)
{
    /// <summary>Default global rate: gentle for a LAN and its IDS, still a 1,000-device estate in under a minute.</summary>
    public const double DefaultRate = 500;

    /// <summary>Backoff used when <see cref="RetryBackoff"/> is zero.</summary>
    public TimeSpan EffectiveBackoff => RetryBackoff > TimeSpan.Zero ? RetryBackoff : TimeSpan.FromSeconds(5);

    /// <summary>The options as stored with the scan (JSON).</summary>
    public FleetOptionsJson ToJson() => new(Concurrency, Probe.MaxConnectionsPerHost, ConnectionsPerSecond, Key.ToString().ToLowerInvariant(),
        MaxConsecutiveFailures, EffectiveBackoff.TotalSeconds, Probe.ConnectTimeout.TotalSeconds, Probe.ReadTimeout.TotalSeconds,
        Probe.TargetDeadline.TotalSeconds, Probe.DelayBetweenConnections.TotalMilliseconds, Probe.FullHandshakes);
}

/// <summary>Scan options as stored in the scans table.</summary>
public sealed record FleetOptionsJson(int Concurrency, int PerDevice, double Rate, string DeviceKey, int MaxConsecutiveFailures, double RetryBackoffSeconds,
    double ConnectTimeoutSeconds, double ReadTimeoutSeconds, double DeadlineSeconds, double DelayMs, bool FullHandshakes);

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
/// <see cref="HostGate"/>, a global connection budget, and a back-off for devices that reset, stay silent or cannot
/// be reached. Each device's result is committed as soon as it is known, so a killed run loses only devices in flight.
/// </summary>
public sealed class FleetScanner
{
    private readonly FleetStore _store;
    private readonly FleetScanOptions _options;
    private readonly TimeProvider _time;
    private readonly HostGate _sharedGate;
    private readonly TlsScanner _sharedScanner;
    private readonly ConcurrentDictionary<string, (TlsScanner, HostGate)> _endpointScanners = new(StringComparer.OrdinalIgnoreCase);

    public FleetScanner(FleetStore store, FleetScanOptions options, TimeProvider? time = null)
    {
        if (options.Concurrency is < 1 or > 1024) throw new ArgumentOutOfRangeException(nameof(options), "concurrency must be 1-1024");
        if (options.MaxConsecutiveFailures < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxConsecutiveFailures must be at least 1");
        _store = store;
        _options = options;
        _time = time ?? TimeProvider.System;
        _sharedGate = new HostGate(options.Probe.MaxConnectionsPerHost, options.Probe.DelayBetweenConnections, _time);
        _sharedScanner = new TlsScanner(options.Probe, _sharedGate);
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

    private sealed record Work(InventoryDevice Device, int Attempt, int ConsecutiveFailures, int Handshakes, long ElapsedMs);

    /// <summary>Scans the devices of scan <paramref name="scanId"/> that have no result yet, then marks the scan finished.</summary>
    public async Task<FleetScanSummary> RunAsync(long scanId, bool resumed, IProgress<FleetProgress>? progress, CancellationToken ct)
    {
        var scan = _store.Scan(scanId) ?? throw new FleetStoreException($"scan {scanId} does not exist");
        var pending = _store.PendingDevices(scanId);
        var total = scan.Devices;
        var already = total - pending.Length;
        var clock = Stopwatch.StartNew();
        var budget = new ConnectionBudget(_options.ConnectionsPerSecond, Math.Max(_options.ConnectionsPerSecond, 50), time: _time);
        var channel = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
        foreach (var d in pending) channel.Writer.TryWrite(new Work(d, 1, 0, 0, 0));
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

        void Finish(Work w)
        {
            if (Interlocked.Decrement(ref outstanding) == 0) channel.Writer.TryComplete();
        }

        async Task Worker()
        {
            await foreach (var w in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                var charged = await budget.AcquireAsync(ct).ConfigureAwait(false);
                Interlocked.Increment(ref inFlight);
                ScanResult r;
                try
                {
                    // A one-off DHE failure at Finished is repeated inside the scan itself, so one scan is one verdict.
                    var (scanner, _) = ScannerFor(w.Device);
                    r = await scanner.ScanAsync(w.Device.Target, null, ct).ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }
                budget.Settle(charged, r.Handshakes);
                Interlocked.Add(ref connections, r.Handshakes);
                var (result, retry) = Classify(w, r);
                if (retry is not null)
                {
                    var delay = _options.EffectiveBackoff * Math.Pow(2, w.Attempt - 1);
                    _ = RetryLaterAsync(retry, delay);
                    continue;
                }
                _store.SaveResult(scanId, result!);
                Interlocked.Increment(ref done);
                if (result!.Status == DeviceStatus.Ok) Interlocked.Increment(ref ok); else Interlocked.Increment(ref failed);
                Volatile.Write(ref last, w.Device.Name);
                Report();
                Finish(w);
            }
        }

        async Task RetryLaterAsync(Work w, TimeSpan delay)
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

    private (TlsScanner Scanner, HostGate Gate) ScannerFor(InventoryDevice d)
    {
        var byEndpoint = _options.Key switch
        {
            DeviceKey.Endpoint => true,
            DeviceKey.Host => false,
            _ => IPAddress.TryParse(d.Host, out var a) && IPAddress.IsLoopback(a),
        };
        if (!byEndpoint) return (_sharedScanner, _sharedGate);
        // HostGate keys by host, so an endpoint-keyed device gets a gate of its own.
        return _endpointScanners.GetOrAdd(d.Target.ToString(), _ =>
        {
            var gate = new HostGate(_options.Probe.MaxConnectionsPerHost, _options.Probe.DelayBetweenConnections, _time);
            return (new TlsScanner(_options.Probe, gate), gate);
        });
    }

    /// <summary>Turns a scan into a stored result, or into a retry when the device could not be reached yet.</summary>
    private (DeviceResult? Result, Work? Retry) Classify(Work w, ScanResult r)
    {
        var handshakes = w.Handshakes + r.Handshakes;
        var elapsed = w.ElapsedMs + (long)r.Elapsed.TotalMilliseconds;
        DeviceResult Make(DeviceStatus status, string? error) => new(w.Device.Name, status, r.Reachable, error, handshakes, w.Attempt, elapsed,
            r.Reachable ? ScanJsonMapper.ToJson(r, includeAttempts: false) : null, _time.GetUtcNow());

        if (r.SpeaksTls) return (Make(r.Error is null ? DeviceStatus.Ok : DeviceStatus.Partial, r.Error), null);
        var kinds = r.Attempts.Select(AttemptFailures.Classify).ToList();
        var allConnectFailures = kinds.Count > 0 && kinds.All(k => k == AttemptFailure.Connect);
        var allSilent = kinds.Count > 0 && kinds.All(k => k is AttemptFailure.Connect or AttemptFailure.Silent);
        if (!r.Reachable || allSilent)
        {
            var failures = w.ConsecutiveFailures + Math.Max(1, kinds.Count);
            if (failures >= _options.MaxConsecutiveFailures)
            {
                var status = allConnectFailures ? DeviceStatus.Unreachable : DeviceStatus.BackedOff;
                var why = status == DeviceStatus.Unreachable
                    ? $"{r.Error ?? "unreachable"} ({w.Attempt} attempt{(w.Attempt == 1 ? "" : "s")})"
                    : $"backed off after {failures} connections in a row were reset, closed or timed out ({r.Error ?? r.Attempts.LastOrDefault()?.Outcome})";
                return (Make(status, why), null);
            }
            return (null, new Work(w.Device, w.Attempt + 1, failures, handshakes, elapsed));
        }
        return (Make(DeviceStatus.NoTls, r.Error ?? "no TLS answer"), null);
    }
}

/// <summary>How a connection of a scan failed, as far as back-off is concerned.</summary>
public enum AttemptFailure
{
    /// <summary>The connection produced an answer (TLS, alert, or bytes).</summary>
    None,
    /// <summary>TCP connect failed (refused, timed out, no route, no name).</summary>
    Connect,
    /// <summary>Connected, then reset, closed without a word, or silent past the timeout.</summary>
    Silent,
}

/// <summary>Classifies a <see cref="ProbeAttempt"/> by its typed failure: could not connect, connected but got silence, or answered.</summary>
public static class AttemptFailures
{
    public static AttemptFailure Classify(ProbeAttempt attempt) => attempt.Failure switch
    {
        ProbeErrorKind.Refused or ProbeErrorKind.ConnectTimeout or ProbeErrorKind.NameResolution or ProbeErrorKind.Unreachable => AttemptFailure.Connect,
        ProbeErrorKind.ReadTimeout or ProbeErrorKind.Closed or ProbeErrorKind.Reset => AttemptFailure.Silent,
        _ => AttemptFailure.None,
    };
}
