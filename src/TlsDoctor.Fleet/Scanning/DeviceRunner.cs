using TlsDoctor.Core;
using System.Collections.Concurrent;
using TlsDoctor.Diagnosis;
using TlsDoctor.Probe;
using TlsDoctor.Probe.Json;

namespace TlsDoctor.Fleet;

/// <summary>Scans one device with a deadline for this attempt.</summary>
internal delegate Task<ScanResult> DeviceScan(InventoryDevice device, TimeSpan deadline, CancellationToken ct);

/// <summary>A device to scan, with what earlier attempts at it cost and how many of its connections failed in a row.</summary>
internal sealed record DeviceWork(InventoryDevice Device, int Attempt, int ConsecutiveFailures, int Handshakes, long ElapsedMs);

/// <summary>What one scan of a device led to: a result to commit, or another attempt after <see cref="RetryAfter"/>.</summary>
internal sealed record DeviceOutcome(DeviceResult? Result, DeviceWork? Retry, TimeSpan RetryAfter, int Connections);

/// <summary>
/// Scans one device once under a fleet's options (per-device gate, connection budget) and classifies the result:
/// what the single-process scan and the queue workers share.
/// </summary>
internal sealed class DeviceRunner
{
    private readonly FleetScanOptions _options;
    private readonly TimeProvider _time;
    private readonly HostGate _sharedGate;
    private readonly DeviceScan _scan;
    private readonly ConcurrentDictionary<string, HostGate> _endpointGates = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="scan">What scans one device (tests inject a scanner that fails); null scans the network with <see cref="TlsScanner"/>.</param>
    public DeviceRunner(FleetScanOptions options, TimeProvider time, DeviceScan? scan = null)
    {
        if (options.MaxConsecutiveFailures < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxConsecutiveFailures must be at least 1");
        _options = options;
        _time = time;
        _sharedGate = new HostGate(options.Probe.MaxConnectionsPerHost, options.Probe.DelayBetweenConnections, _time);
        _scan = scan ?? NetworkScan;
    }

    /// <summary>
    /// Waits for the budget, scans, settles the budget with the connections really made, and classifies. Any failure
    /// of the scan other than the caller's cancellation becomes the device's error result: one device never stops a fleet.
    /// </summary>
    public async Task<DeviceOutcome> RunAsync(DeviceWork w, ConnectionBudget budget, Action<int>? inFlight, CancellationToken ct)
    {
        var charged = await budget.AcquireAsync(ct).ConfigureAwait(false);
        inFlight?.Invoke(1);
        ScanResult r;
        try
        {
            // The deadline is the device's, across attempts: a retry gets what the earlier attempts left of it.
            var left = _options.Probe.TargetDeadline - TimeSpan.FromMilliseconds(w.ElapsedMs);
            // A one-off DHE failure at Finished is repeated inside the scan itself, so one scan is one verdict.
            r = await _scan(w.Device, left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            budget.Settle(charged, 1);
            return new DeviceOutcome(Failed(w, e), null, TimeSpan.Zero, 0);
        }
        finally
        {
            inFlight?.Invoke(-1);
        }
        budget.Settle(charged, r.Handshakes);
        DeviceResult? result;
        DeviceWork? retry;
        try
        {
            (result, retry) = Classify(w, r);
        }
        catch (Exception e)
        {
            (result, retry) = (Failed(w, e), null);
        }
        var delay = retry is null ? TimeSpan.Zero : _options.EffectiveBackoff * Math.Pow(2, w.Attempt - 1);
        return new DeviceOutcome(result, retry, delay, r.Handshakes);
    }

    /// <summary>The result of a device whose scan failed in a way the scanner does not handle (a bug, or a device that crashes it).</summary>
    public DeviceResult Failed(DeviceWork w, Exception e) => new(w.Device.Name, DeviceStatus.Error, false,
        $"the scan of this device failed: {e.GetType().Name}: {e.Message}", w.Handshakes, w.Attempt, w.ElapsedMs, null, _time.GetUtcNow());

    private Task<ScanResult> NetworkScan(InventoryDevice d, TimeSpan deadline, CancellationToken ct)
    {
        // HostGate keys by host, so an endpoint-keyed device gets a gate of its own.
        var gate = _options.ByEndpoint(d)
            ? _endpointGates.GetOrAdd(d.Target.ToString(), _ => new HostGate(_options.Probe.MaxConnectionsPerHost, _options.Probe.DelayBetweenConnections, _time))
            : _sharedGate;
        return ScanAndProveAsync(new TlsScanner(_options.Probe with { TargetDeadline = deadline }, gate), d.Target, deadline, ct);
    }

    // The DH leading-zero proof (two or three handshakes, DHE-RSA devices only) runs as in `diagnose`, so the fleet's TD002
    // verdict is the diagnosis's; it needs full handshakes, and it counts against the device's deadline.
    private async Task<ScanResult> ScanAndProveAsync(TlsScanner scanner, ProbeTarget target, TimeSpan deadline, CancellationToken ct)
    {
        var r = await scanner.ScanAsync(target, null, ct).ConfigureAwait(false);
        if (!_options.Probe.FullHandshakes || !r.SpeaksTls || r.Error is not null) return r;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // A scan that used up the deadline leaves none for the proof: a DHE-RSA device's verdict is then unproven (below),
        // never silently skipped.
        limit.CancelAfter(r.Elapsed < deadline ? deadline - r.Elapsed : TimeSpan.Zero);
        var started = _time.GetTimestamp();
        try
        {
            var proof = await LeadingZeroProver.RunAsync(scanner, r, r.Profile, 0, null, limit.Token).ConfigureAwait(false);
            return proof is null ? r : r with
            {
                Profile = WithoutProofIds(LeadingZeroProver.Apply(r.Profile, proof)),
                Handshakes = r.Handshakes + proof.Handshakes.Length,
                Elapsed = r.Elapsed + _time.GetElapsedTime(started),
            };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return r with { Error = "the device's deadline passed during the DH leading-zero proof; the DH verdict is unproven" };
        }
    }

    // The fleet stores no attempt list, and the proof's attempt ids depend on how many repeats the scan needed (DH luck):
    // keeping them would make two scans of one device differ for nothing.
    private static ServerProfile WithoutProofIds(ServerProfile p) => p with
    {
        Behaviours = [.. p.Behaviours.Select(b => b.Kind == BehaviourKind.DhLeadingZeroBug ? b with { AttemptIds = [] } : b)],
    };

    /// <summary>Turns a scan into a stored result, or into a retry when the device could not be reached yet.</summary>
    private (DeviceResult? Result, DeviceWork? Retry) Classify(DeviceWork w, ScanResult r)
    {
        var handshakes = w.Handshakes + r.Handshakes;
        var elapsed = w.ElapsedMs + (long)r.Elapsed.TotalMilliseconds;
        DeviceResult Make(DeviceStatus status, string? error) => new(w.Device.Name, status, r.Reachable, error, handshakes, w.Attempt, elapsed,
            r.Reachable ? ScanJsonMapper.ToJson(r, includeAttempts: false) : null, _time.GetUtcNow());

        if (r.SpeaksTls) return (Make(r.Error is null ? DeviceStatus.Ok : DeviceStatus.Partial, r.Error), null);
        // Like `scan`, a device gets --deadline in all: no retry once it is spent (a slow-drip device would get it again per attempt).
        if (elapsed >= _options.Probe.TargetDeadline.TotalMilliseconds)
            return (Make(DeviceStatus.BackedOff, $"{r.Error ?? "no TLS answer"}; the device's deadline of {_options.Probe.TargetDeadline.TotalSeconds:0.#} s is spent ({w.Attempt} attempt{(w.Attempt == 1 ? "" : "s")})"), null);
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
            return (null, new DeviceWork(w.Device, w.Attempt + 1, failures, handshakes, elapsed));
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
