using System.Collections.Immutable;
using System.Diagnostics;
using TlsDoctor.Core;

namespace TlsDoctor.Probe;

/// <summary>Finds what a TLS server accepts with as few connections as the protocol allows.</summary>
/// <remarks>
/// Per version it offers every remaining suite, records the one chosen and removes it (iterative removal),
/// so the cost is accepted suites + 1 per version, and the sequence is the server's preference when it has one.
/// One answer often settles several versions: a TLS 1.2 hello answered with TLS 1.0 proves 1.1 and 1.2 absent
/// and is already the first step of the 1.0 enumeration.
/// </remarks>
public sealed class TlsScanner
{
    private readonly ProbeOptions _options;
    private readonly HostGate _gate;

    public TlsScanner(ProbeOptions options, HostGate? gate = null)
    {
        _options = options;
        _gate = gate ?? new HostGate(options.MaxConnectionsPerHost, options.DelayBetweenConnections);
    }

    /// <summary>Scans one target. Never throws for network trouble: an unreachable target gives Reachable = false.</summary>
    public async Task<ScanResult> ScanAsync(ProbeTarget target, IProgress<ScanProgress>? progress = null, CancellationToken ct = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.TargetDeadline);
        var session = new ScanSession(target, _options, _gate, progress);
        var clock = Stopwatch.StartNew();
        string? error = null;
        var reachable = true;
        try
        {
            await session.RunAsync(deadline.Token).ConfigureAwait(false);
            reachable = !session.Unreachable;
            error = session.FatalError;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            error = $"scan deadline of {_options.TargetDeadline.TotalSeconds:0} s passed; results are partial";
        }
        return new ScanResult(target, reachable, error, session.BuildProfile(), session.Handshakes, clock.Elapsed, session.Attempts);
    }
}
