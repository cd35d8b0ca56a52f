using System.Diagnostics;
using TlsDoctor.Probe.Handshake.LeadingZero;

namespace TlsDoctor.Probe;

/// <summary>Performs one request against the target: the network, or a recorded transcript in tests.</summary>
internal delegate Task<(ProbeAnswer Answer, Transcript Transcript)> ProbeExecutor(ProbeRequest request, CancellationToken ct);

/// <summary>
/// Runs the steps of a plan against one target: the only place a scan waits for the host gate, opens connections,
/// keeps the deadline and reports progress. Steps only plan and fold.
/// </summary>
internal sealed class ScanRunner(ProbeTarget target, HostGate gate, ProbeExecutor executor)
{
    /// <summary>The executor that talks to the network with the probe's connection policy.</summary>
    public static ProbeExecutor Network(ProbeTarget target, ProbeOptions options) => async (request, ct) => request switch
    {
        HelloRequest h => await RawHelloProbe.SendAsync(target, h.Record, options, ct).ConfigureAwait(false),
        Sslv2HelloRequest s => await RawHelloProbe.SendAsync(target, s.Hello, options, ct).ConfigureAwait(false),
        FullHandshakeRequest f => await FullHandshakeProbe.RunAsync(target, f.Version!.Value, f.Suites, options, ct, statusRequest: !f.WithoutStatusRequest).ConfigureAwait(false),
        LeadingZeroRequest z => await DhLeadingZeroProbe.RunAsync(target, z.Version!.Value, z.Mode, options, ct).ConfigureAwait(false),
        _ => throw new ArgumentOutOfRangeException(nameof(request), request.GetType().Name, "no probe performs this request"),
    };

    /// <summary>Runs every step until it has no request left or the scan stops; a passed deadline keeps what was learnt
    /// and says so (DeadlineError), cancellation by the caller propagates.</summary>
    public async Task<(ScanState State, string? DeadlineError)> RunAsync(ScanState state, IReadOnlyList<IScanStep> steps, TimeSpan? deadline,
        IProgress<ScanProgress>? progress, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (deadline is { } d) limit.CancelAfter(d);
        string? label = null;
        try
        {
            foreach (var step in steps)
            {
                state = step.Enter(state);
                while (!state.Stopped && step.Next(state) is { } request)
                {
                    var now = step.Label(state, request);
                    if (now != label) progress?.Report(new ScanProgress(target, label = now, state.NextId - 1));
                    var attempt = await ExecuteAsync(state.NextId, request, limit.Token).ConfigureAwait(false);
                    state = step.Fold(state with { Attempts = state.Attempts.Add(attempt) }, attempt);
                }
                if (state.Stopped) break;
            }
            return (state, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && deadline is { } passed)
        {
            return (state, $"scan deadline of {passed.TotalSeconds:0} s passed; results are partial");
        }
    }

    private async Task<ProbeAttempt> ExecuteAsync(int id, ProbeRequest request, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        (ProbeAnswer Answer, Transcript Transcript) done;
        using (await gate.EnterAsync(target.Host, ct).ConfigureAwait(false))
            done = await executor(request, ct).ConfigureAwait(false);
        return new ProbeAttempt(id, request, done.Answer, done.Transcript, ScanFold.Describe(done.Answer), clock.ElapsedMilliseconds);
    }
}
