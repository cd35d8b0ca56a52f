using TlsDoctor.Core;

namespace TlsDoctor.Probe;

/// <summary>
/// Iterative removal per supported version, highest first: offer every remaining suite, record the one chosen, remove
/// it, repeat. The cost is accepted suites + 1 per version, and the sequence is the server's order when it has one.
/// </summary>
internal sealed class SuiteStep : IScanStep
{
    public ScanState Enter(ScanState s)
    {
        if (!s.Versions.Any(v => v.Supported == true))
            return s.Stop(s.Top?.Error is { } e ? $"no TLS answer: {e}" : "the server accepted no protocol version");
        s = NoteVersionIntolerance(s);
        return s with
        {
            EnumerationOrder = [.. s.Versions.Where(v => v.Supported == true && v.Version != TlsVersion.SSLv2).Select(v => v.Version).OrderDescending()],
        };
    }

    private static ScanState NoteVersionIntolerance(ScanState s)
    {
        var top = s.Top!;
        if (top.Accepted || s.Behaviours.Any(b => b.Kind is BehaviourKind.ClientHelloSizeLimit or BehaviourKind.ExtensionIntolerance)) return s;
        var highest = s.Versions.Where(v => v.Supported == true && v.Version >= TlsVersion.TLSv1_0).Select(v => v.Version).DefaultIfEmpty().Max();
        if (highest == default) return s;
        var how = top.Alert is { } a ? $"fails with {a}" : top.Outcome.ToString().ToLowerInvariant();
        var answered = s.Attempts.First(a => a.Answer is HelloResponse { Accepted: true } r && r.Version == highest);
        return s.AddBehaviour(new Behaviour(BehaviourKind.VersionIntolerance,
            $"a ClientHello offering TLS 1.3/1.2 {how} instead of being answered with {highest.Name()}", highest), s.TopAttemptId, answered.Id);
    }

    public ProbeRequest? Next(ScanState s)
    {
        foreach (var v in s.EnumerationOrder)
        {
            var state = s[v];
            if (state.Exhausted || state.Remaining.IsEmpty || Budget(state) <= 0) continue;
            return HelloShapes.Hello(s, ProbeStep.Suites, $"suites {v.Name()}", v, s.Shape, HelloShapes.Chunk(s.Shape, state.Remaining));
        }
        return null;
    }

    // A server that keeps choosing suites we did not offer must not keep us busy: at most remaining + 2 hellos.
    private static int Budget(VersionState state) => state.EnumerationBudget ?? state.Remaining.Length + 2;

    public ScanState Fold(ScanState s, ProbeAttempt attempt)
    {
        var request = (HelloRequest)attempt.Request;
        var r = (HelloResponse)attempt.Answer;
        var v = request.Max;
        var before = s[v];
        s = ScanFold.Hello(s, attempt);
        var state = s[v] with { EnumerationBudget = Budget(before) - 1 };
        if (state.Found.Length == before.Found.Length)
        {
            // No new suite: this offer (or chunk) is exhausted.
            if (request.Shape == HelloShape.Full || request.Suites.Length == state.Remaining.Length || !r.Accepted && r.Outcome == HelloOutcome.Malformed)
                state = state with { Exhausted = true };
            else
                state = state with { Remaining = [.. state.Remaining.Where(c => !request.Suites.Contains(c))] };
        }
        return s.With(state);
    }
}
