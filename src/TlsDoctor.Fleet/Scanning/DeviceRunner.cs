using System.Collections.Concurrent;
using TlsDoctor.Probe;
using TlsDoctor.Probe.Json;

namespace TlsDoctor.Fleet;

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
    private readonly TlsScanner _sharedScanner;
    private readonly ConcurrentDictionary<string, TlsScanner> _endpointScanners = new(StringComparer.OrdinalIgnoreCase);

    public DeviceRunner(FleetScanOptions options, TimeProvider time)
    {
        if (options.MaxConsecutiveFailures < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxConsecutiveFailures must be at least 1");
        _options = options;
        _time = time;
        _sharedGate = new HostGate(options.Probe.MaxConnectionsPerHost, options.Probe.DelayBetweenConnections, _time);
        _sharedScanner = new TlsScanner(options.Probe, _sharedGate);
    }

    /// <summary>Waits for the budget, scans, settles the budget with the connections really made, and classifies.</summary>
    public async Task<DeviceOutcome> RunAsync(DeviceWork w, ConnectionBudget budget, Action<int>? inFlight, CancellationToken ct)
    {
        var charged = await budget.AcquireAsync(ct).ConfigureAwait(false);
        inFlight?.Invoke(1);
        ScanResult r;
        try
        {
            // A one-off DHE failure at Finished is repeated inside the scan itself, so one scan is one verdict.
            r = await ScannerFor(w.Device).ScanAsync(w.Device.Target, null, ct).ConfigureAwait(false);
        }
        finally
        {
            inFlight?.Invoke(-1);
        }
        budget.Settle(charged, r.Handshakes);
        var (result, retry) = Classify(w, r);
        var delay = retry is null ? TimeSpan.Zero : _options.EffectiveBackoff * Math.Pow(2, w.Attempt - 1);
        return new DeviceOutcome(result, retry, delay, r.Handshakes);
    }

    private TlsScanner ScannerFor(InventoryDevice d)
    {
        if (!_options.ByEndpoint(d)) return _sharedScanner;
        // HostGate keys by host, so an endpoint-keyed device gets a gate of its own.
        return _endpointScanners.GetOrAdd(d.Target.ToString(), _ =>
            new TlsScanner(_options.Probe, new HostGate(_options.Probe.MaxConnectionsPerHost, _options.Probe.DelayBetweenConnections, _time)));
    }

    /// <summary>Turns a scan into a stored result, or into a retry when the device could not be reached yet.</summary>
    private (DeviceResult? Result, DeviceWork? Retry) Classify(DeviceWork w, ScanResult r)
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
