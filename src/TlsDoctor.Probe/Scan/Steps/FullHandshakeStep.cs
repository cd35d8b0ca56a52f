using System.Collections.Immutable;
using TlsDoctor.Core;

namespace TlsDoctor.Probe;

/// <summary>
/// One complete handshake per supported version, highest first: raw hellos stop at ServerHelloDone and cannot see a
/// device that accepts a version and then fails the Finished exchange. A DHE handshake that fails that way is repeated
/// once, so the DH leading-zero bug's 1-in-256 failure is not mistaken for a version problem.
/// </summary>
internal sealed class FullHandshakeStep : IScanStep
{
    public ScanState Enter(ScanState s)
    {
        var order = s.Versions.Where(v => v.Supported == true && v.Version >= TlsVersion.TLSv1_0).Select(v => v.Version).OrderDescending().ToList();
        foreach (var v in order.Where(v => Suites(s[v]).IsEmpty))
            s = s.With(v, x => x with
            {
                FullHandshake = new HandshakeCheck(false, HandshakeStage.Connect, null,
                    Error: "not attempted: none of the accepted suites is implemented by the handshake engine"),
            });
        return s with { HandshakeOrder = [.. order.Where(v => !Suites(s[v]).IsEmpty)] };
    }

    // The accepted suites the engine implements, the second-found first: the server's pick then also tells its order.
    private static ImmutableArray<ushort> Suites(VersionState state)
    {
        var suites = state.Found.Select(f => f.Suite.Code).Where(c => FullHandshakeProbe.CanOffer(c, state.Version)).ToList();
        if (suites.Count >= 2 && state.ServerOrder is null) (suites[0], suites[1]) = (suites[1], suites[0]);
        return [.. suites];
    }

    public ProbeRequest? Next(ScanState s)
    {
        foreach (var v in s.HandshakeOrder)
        {
            var state = s[v];
            if (state.FullHandshake is not null) continue;
            var repeat = state.PendingHandshake is not null;
            var withoutStatus = state.WithoutStatusRequest || state.ClosedOnStatusRequest is not null;
            return new FullHandshakeRequest(Suites(state), repeat, withoutStatus)
            {
                Step = ProbeStep.FullHandshake, Version = v,
                Purpose = $"full handshake{(repeat ? " (repeat)" : "")}{(state.ClosedOnStatusRequest is not null ? " (without status_request)" : "")} {v.Name()}",
            };
        }
        return null;
    }

    public ScanState Fold(ScanState s, ProbeAttempt attempt)
    {
        var request = (FullHandshakeRequest)attempt.Request;
        var result = (FullHandshakeResult)attempt.Answer;
        var v = request.Version!.Value;
        if (s[v].ClosedOnStatusRequest is { } closed)
        {
            s = s.With(v, x => x with { ClosedOnStatusRequest = null });
            if (result.Check.Stage == HandshakeStage.Connect) return Finish(s, request, closed);
            s = s.With(v, x => x with { WithoutStatusRequest = true }).AddBehaviour(new Behaviour(BehaviourKind.StatusRequestIntolerance,
                $"closes the connection after a {v.Name()} ClientHello that asks for OCSP stapling (status_request, extension 5); answers one without it", v),
                closed.Id, attempt.Id);
        }
        else if (!request.Repeat && !request.WithoutStatusRequest && result.Check.Stage == HandshakeStage.Connect && result.Failure is ProbeErrorKind.Closed or ProbeErrorKind.Reset)
            // The raw hellos of this version were answered; a close before ServerHello points at what only the full handshake sends.
            return s.With(v, x => x with { ClosedOnStatusRequest = attempt });
        if (!request.Repeat)
        {
            if (FailsAfterHello(result, v) && result.CipherSuite is { } c && CipherSuites.Get(c).KeyExchange.IsFiniteFieldDh())
                return s.With(v, x => x with { PendingHandshake = attempt });
            return Finish(s, request, attempt);
        }
        var pending = s[v].PendingHandshake!;
        var first = (FullHandshakeResult)pending.Answer;
        s = s.With(v, x => x with { PendingHandshake = null });
        if (!result.Check.Completed) return Finish(s, request, pending);
        s = s.AddBehaviour(new Behaviour(BehaviourKind.DhLeadingZeroSuspected,
            $"a {CipherSuites.Get(first.CipherSuite!.Value).Name} handshake failed at Finished with {first.Check.Alert?.Name()} and the next one completed: "
            + "the signature of the DH leading-zero bug (diagnose proves it with a forced leading zero)", v), pending.Id, attempt.Id);
        return Finish(s, request, attempt);
    }

    private static ScanState Finish(ScanState s, FullHandshakeRequest request, ProbeAttempt attempt)
    {
        var result = (FullHandshakeResult)attempt.Answer;
        var v = request.Version!.Value;
        var suites = request.Suites;
        var state = s[v] with { FullHandshake = result.Check };
        if (state.ServerOrder is null && suites.Length >= 2 && result.CipherSuite is { } chosen && result.Version == v)
        {
            if (chosen == suites[0]) state = state with { ServerOrder = false };
            else if (chosen == suites[1]) state = state with { ServerOrder = true };
        }
        s = s.With(state).AddCertificates(result.Certificates);
        if (!FailsAfterHello(result, v)) return s;
        return s.AddBehaviour(new Behaviour(BehaviourKind.HandshakeFailsAfterHello,
            $"accepts {v.Name()} in ServerHello, then fails the Finished exchange with {result.Check.Alert?.Name()}", v), attempt.Id);
    }

    private static bool FailsAfterHello(FullHandshakeResult r, TlsVersion version) =>
        !r.Check.Completed && r.Version == version && r.Check.Stage == HandshakeStage.Finished && !r.Check.AlertSentByUs
        && r.Check.Alert is AlertDescription.BadRecordMac or AlertDescription.DecryptError or AlertDescription.DecryptionFailed;
}
