using TlsDoctor.Core;

namespace TlsDoctor.Probe;

/// <summary>Finds what a TLS server accepts with as few connections as the protocol allows.</summary>
/// <remarks>
/// Per version it offers every remaining suite, records the one chosen and removes it (iterative removal),
/// so the cost is accepted suites + 1 per version, and the sequence is the server's preference when it has one.
/// One answer often settles several versions: a TLS 1.2 hello answered with TLS 1.0 proves 1.1 and 1.2 absent
/// and is already the first step of the 1.0 enumeration. The steps are in <see cref="ScanPlan"/>; the
/// <see cref="ScanRunner"/> performs their requests.
/// </remarks>
public sealed class TlsScanner
{
    private readonly ProbeOptions _options;
    private readonly HostGate _gate;
    private readonly Func<ProbeTarget, ProbeExecutor> _executor;
    private readonly TimeProvider _time;

    /// <param name="time">The clock of the per-target deadline and of each attempt's elapsedMs (tests pass a manual one).</param>
    public TlsScanner(ProbeOptions options, HostGate? gate = null, TimeProvider? time = null)
        : this(options, gate, target => ScanRunner.Network(target, options), time)
    {
    }

    internal TlsScanner(ProbeOptions options, HostGate? gate, Func<ProbeTarget, ProbeExecutor> executor, TimeProvider? time = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        _gate = gate ?? new HostGate(options.MaxConnectionsPerHost, options.DelayBetweenConnections, _time);
        _executor = executor;
    }

    /// <summary>Scans one target. Never throws for network trouble: an unreachable target gives Reachable = false.</summary>
    public async Task<ScanResult> ScanAsync(ProbeTarget target, IProgress<ScanProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (_options.FullHandshakes) WarmUpHandshakes();
        var started = _time.GetTimestamp();
        var start = new ScanState { Target = target, ServerName = _options.ServerName ?? (target.IsAddress ? null : target.Host) };
        var (end, deadlineError) = await new ScanRunner(target, _gate, _executor(target), _time)
            .RunAsync(start, ScanPlan.Scan(_options), _options.TargetDeadline, progress, ct).ConfigureAwait(false);
        return new ScanResult(target, deadlineError is not null || !end.Unreachable, deadlineError ?? end.FatalError,
            ScanFold.BuildProfile(end), end.Attempts.Length, _time.GetElapsedTime(started), end.Attempts);
    }

    /// <summary>
    /// Runs the DH leading-zero proof (and <paramref name="stress"/> random handshakes) against a scanned target whose
    /// profile has a DHE-RSA suite; its handshakes are numbered after the scan's. Null when no version qualifies.
    /// </summary>
    public async Task<LeadingZeroRun?> ProveLeadingZeroAsync(ScanResult scan, ServerProfile device, int stress,
        IProgress<ScanProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentNullException.ThrowIfNull(device);
        if (LeadingZeroStep.PickVersion(device) is not { } version) return null;
        var start = new ScanState { Target = scan.Target, FirstId = scan.Handshakes, LeadingZero = new LeadingZeroProbe(version, stress) };
        var (end, _) = await new ScanRunner(scan.Target, _gate, _executor(scan.Target), _time)
            .RunAsync(start, [new LeadingZeroStep()], deadline: null, progress, ct).ConfigureAwait(false);
        return LeadingZeroStep.Conclude(end);
    }

    // What the first full handshake would otherwise pay on the critical path is done on the spare core while the first
    // hellos wait for the device: under the JIT, compiling the handshake engine; natively compiled, only the one-time
    // loading (OpenSSL, which .NET on Linux uses for the randomness that seeds BouncyCastle: ~4 ms).
    private static void WarmUpHandshakes()
    {
        var warm = System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeCompiled
            ? Task.Run(FullHandshakeProbe.WarmUp, CancellationToken.None)
            : Task.Run(FullHandshakeProbe.Load, CancellationToken.None);
        _ = warm.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
    }
}
