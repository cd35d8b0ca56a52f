using TlsDoctor.Probe.Handshake.LeadingZero;

namespace TlsDoctor.Probe;

/// <summary>Performs one request against the target: the network, or a recorded transcript in tests.</summary>
internal delegate Task<(ProbeAnswer Answer, Transcript Transcript)> ProbeExecutor(ProbeRequest request, CancellationToken ct);

/// <summary>
/// Runs the steps of a plan against one target: the only place a scan waits for the host gate, opens connections,
/// keeps the deadline and reports progress. Steps only plan and fold.
/// </summary>
/// <remarks>The deadline is the target's own connection time: it starts when its first connection starts, and time
/// spent waiting for the host's slot (other ports of the same device, the pause between connections) never counts.</remarks>
internal sealed class ScanRunner(ProbeTarget target, HostGate gate, ProbeExecutor executor, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

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
        var spent = TimeSpan.Zero;
        string? label = null;
        foreach (var step in steps)
        {
            state = step.Enter(state);
            while (!state.Stopped && step.Next(state) is { } request)
            {
                if (deadline is { } d && spent >= d) return (state, DeadlinePassed(d));
                var now = step.Label(state, request);
                if (now != label) progress?.Report(new ScanProgress(target, label = now, state.NextId - 1));
                var (attempt, took) = await ExecuteAsync(state.NextId, request, deadline - spent, ct).ConfigureAwait(false);
                spent += took;
                if (attempt is null) return (state, DeadlinePassed(deadline!.Value));
                state = step.Fold(state with { Attempts = state.Attempts.Add(attempt) }, attempt);
            }
            if (state.Stopped) break;
        }
        return (state, null);
    }

    private static string DeadlinePassed(TimeSpan deadline) => $"scan deadline of {deadline.TotalSeconds:0} s passed; results are partial";

    // One connection with what is left of the deadline; null when the deadline passed during it. Only the time holding
    // the host's slot is counted.
    private async Task<(ProbeAttempt? Attempt, TimeSpan Took)> ExecuteAsync(int id, ProbeRequest request, TimeSpan? left, CancellationToken ct)
    {
        using var lease = await gate.EnterAsync(target.Host, ct).ConfigureAwait(false);
        var started = _time.GetTimestamp();
        using var limit = left is { } l ? new CancellationTokenSource(l, _time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        try
        {
            var (answer, transcript) = await executor(request, linked.Token).ConfigureAwait(false);
            var took = _time.GetElapsedTime(started);
            return (new ProbeAttempt(id, request, answer, transcript, ScanFold.Describe(answer), (long)took.TotalMilliseconds), took);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && limit.IsCancellationRequested)
        {
            return (null, _time.GetElapsedTime(started));
        }
    }
}
