using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Probe.Handshake.LeadingZero;

namespace TlsDoctor.Probe;

/// <summary>The folds every step shares: what any raw answer teaches, how an accepted suite is recorded, and the
/// final profile. Pure functions of state and answer.</summary>
internal static class ScanFold
{
    /// <summary>What every raw hello's answer teaches whatever step asked: hello sizes, renegotiation_info, certificates.</summary>
    public static ScanState Raw(ScanState s, ProbeAttempt attempt)
    {
        var (request, r) = ((HelloRequest)attempt.Request, (HelloResponse)attempt.Answer);
        s = request.Shape == HelloShape.Full ? s with { FullHelloBytes = request.Record.Length } : s with { SmallHelloBytes = request.Record.Length };
        if (r.Accepted && r.Version is { } v && v <= TlsVersion.TLSv1_2 && request.Max != TlsVersion.SSLv3)
            s = s.RenegotiationInfo is null ? s with { RenegotiationInfo = r.RenegotiationInfo, RenegotiationAttemptId = attempt.Id } : s;
        if (r.Accepted && !r.Certificates.IsDefaultOrEmpty) s = s.AddCertificates(r.Certificates);
        return r.Accepted ? Defects(s, attempt, r) : s;
    }

    // What an answer shows wrong beyond the choice itself; each defect once per version, with the first attempt showing it.
    private static ScanState Defects(ScanState s, ProbeAttempt attempt, HelloResponse r)
    {
        if (r.Tls12AfterTls13)
            s = s.AddBehaviourOnce(new Behaviour(BehaviourKind.ProtocolViolation,
                "ServerHello names TLSv1.3 in supported_versions, then the flight goes on in TLS 1.2 plaintext: not TLS 1.3", TlsVersion.TLSv1_3), attempt.Id);
        if (r.WireError is { } e)
            s = s.AddBehaviourOnce(new Behaviour(BehaviourKind.ProtocolViolation, $"malformed TLS after the ServerHello: {e}", r.Version), attempt.Id);
        if (r.DhProblem is { } dh && r.CipherSuite is { } code)
            s = s.AddBehaviourOnce(new Behaviour(BehaviourKind.DhInvalidParameters,
                $"ServerKeyExchange of {CipherSuites.Get(code).Name}: {dh}; no client can complete this key exchange", r.Version), attempt.Id);
        return s;
    }

    /// <summary>Raw bookkeeping plus what the answer says about versions and suites (hellos of the version and suite steps).</summary>
    public static ScanState Hello(ScanState s, ProbeAttempt attempt) => Absorb(Raw(s, attempt), attempt);

    private static ScanState Absorb(ScanState s, ProbeAttempt attempt)
    {
        var (request, r) = ((HelloRequest)attempt.Request, (HelloResponse)attempt.Answer);
        var max = request.Max;
        if (!r.Accepted || r.Version is not { } v) return s;
        if (!TlsVersions.IsKnown((ushort)v) || v > max || v == TlsVersion.SSLv2)
            return s.AddBehaviour(new Behaviour(BehaviourKind.ProtocolViolation, $"answered a {max.Name()} hello with version {v.Name()}"), attempt.Id);
        s = s.With(v, x => x with { Supported = true });
        if (v < max || v == TlsVersion.TLSv1_3) s = s with { NegotiatesVersions = true };
        // The server picked v although it was offered more: everything between v and the offer is absent.
        foreach (var other in s.Versions.Where(x => x.Version > v && x.Version <= max && x.Version != TlsVersion.SSLv2))
            if (!(max == TlsVersion.TLSv1_3 && other.Version == TlsVersion.TLSv1_3 && request.Shape != HelloShape.Full))
                s = s.With(other with { Supported = other.Supported ?? false });

        if (r.CipherSuite is not { } code) return s;
        if (r.Compression != 0)
        {
            s = s.With(v, x => x with { Exhausted = true });
            return s.AddBehaviourOnce(new Behaviour(BehaviourKind.ProtocolViolation,
                $"chose compression method {r.Compression}{(r.Compression == 1 ? " (deflate)" : "")}, which was not offered", v), attempt.Id);
        }
        if (!request.Suites.Contains(code))
        {
            s = s.With(v, x => x with { Exhausted = true });
            return s.AddBehaviour(new Behaviour(BehaviourKind.ProtocolViolation,
                $"chose {CipherSuites.Get(code).Name} ({CipherSuites.Get(code).Hex}), which was not offered", v), attempt.Id);
        }
        return s.With(v, x => Accept(x, request, r, code));
    }

    private static VersionState Accept(VersionState state, HelloRequest request, HelloResponse r, ushort code)
    {
        if (!state.Remaining.Contains(code)) return state; // already known
        var suite = CipherSuites.Get(code);
        state = state with
        {
            FoundInChunks = state.FoundInChunks || request.Suites.Length < state.Remaining.Length,
            Remaining = state.Remaining.Remove(code),
            Found = state.Found.Add(new AcceptedSuite(suite, suite.KeyExchange.IsFiniteFieldDh() ? r.DhBits : null, null, r.Group)),
            OfferOf = state.OfferOf.SetItem(code, request.Suites),
        };
        if (r.Group is not null && state.FirstGroup is null && (state.Version != TlsVersion.TLSv1_3 || request.Suites.All(HelloShapes.IsTls13Suite)))
            state = state with { FirstGroup = r.Group };
        return state.ServerOrder is null ? state with { ServerOrder = ProveServerOrder(state) } : state;
    }

    // True when some suite found later was listed before an earlier pick in that pick's offer; null when nothing is proven yet.
    private static bool? ProveServerOrder(VersionState state)
    {
        for (var i = 0; i < state.Found.Length; i++)
        {
            var offer = state.OfferOf[state.Found[i].Suite.Code];
            var pickPos = offer.IndexOf(state.Found[i].Suite.Code);
            for (var j = i + 1; j < state.Found.Length; j++)
            {
                var pos = offer.IndexOf(state.Found[j].Suite.Code);
                if (pos >= 0 && pos < pickPos) return true;
            }
        }
        return null;
    }

    /// <summary>The immutable profile the scan showed.</summary>
    public static ServerProfile BuildProfile(ScanState s)
    {
        var protocols = ImmutableArray.CreateBuilder<ProtocolSupport>();
        foreach (var v in s.Versions)
        {
            if (v.Version == TlsVersion.SSLv2)
            {
                protocols.Add(v.Supported == true
                    ? new ProtocolSupport(v.Version, true, null, [.. s.Sslv2Kinds.Select(k => new AcceptedSuite(Sslv2CipherKinds.Get(k).AsSuite()))])
                    : ProtocolSupport.NotSupported(v.Version));
                continue;
            }
            protocols.Add(new ProtocolSupport(v.Version, v.Supported == true, v.Found.Length >= 2 ? v.ServerOrder : null, v.Found, v.FullHandshake)
            {
                FfdheGroups = v.FfdheGroups,
                ClientDependentOrder = v.ClientDependentOrder,
            });
        }

        var behaviours = s.Behaviours.ToBuilder();
        if (s.RenegotiationInfo is { } reneg)
            behaviours.Add((reneg
                ? new Behaviour(BehaviourKind.SecureRenegotiation, "ServerHello carries renegotiation_info (RFC 5746)")
                : new Behaviour(BehaviourKind.NoSecureRenegotiation, "ServerHello lacks renegotiation_info although the client sent the SCSV (RFC 5746)"))
                with { AttemptIds = [s.RenegotiationAttemptId] });

        var certs = ImmutableArray.CreateBuilder<CertificateInfo>();
        foreach (var der in s.Certificates)
        {
            var info = CertificateInfo.TryFromDer(der, out var err);
            if (info is not null) certs.Add(info);
            else behaviours.Add(new Behaviour(BehaviourKind.UndecodableCertificate, $"a certificate could not be decoded: {err}")
                { AttemptIds = [.. s.Attempts.Where(a => a.Carries(der)).Take(1).Select(a => a.Id)] });
        }
        // Groups accepted for TLS 1.3 key shares or ECDHE, then the RFC 7919 groups of finite-field DHE.
        var groups = s.Groups.AddRange(s.Versions.SelectMany(v => v.FfdheGroups).Select(g => g.Group).Where(g => !s.Groups.Any(x => x.Code == g.Code)))
            .DistinctBy(g => g.Code).ToImmutableArray();
        return new ServerProfile(protocols.ToImmutable(), groups, [], certs.ToImmutable(), behaviours.ToImmutable());
    }

    /// <summary>An answer in words, as the attempts list shows it.</summary>
    public static string Describe(ProbeAnswer answer) => answer switch
    {
        HelloResponse r => Describe(r),
        FullHandshakeResult { Check: var c } => c.Completed
            ? $"completed with {c.CipherSuite}"
            : $"stopped at {c.Stage.Name()}{(c.Alert is { } al ? $", {(c.AlertSentByUs ? "sent" : "received")} {al.Name()}" : "")}{(c.Error is { } er ? $" ({er})" : "")}",
        LeadingZeroResult z => (z.Completed ? "completed" : $"stopped at {z.Stage.Name()}{(z.Alert is { } a ? $", {(z.AlertFromServer ? "received" : "sent")} {a.Name()}" : "")}")
            + $" (shared secret leading zero: {(z.SharedSecretHadLeadingZero ? "yes" : "no")}; {z.Reason})",
        _ => answer.ToString(),
    };

    private static string Describe(HelloResponse r) => r.Outcome switch
    {
        HelloOutcome.ServerHello when r.Version == TlsVersion.SSLv2 && !r.Sslv2CipherKinds.IsDefault => $"SSLv2 SERVER-HELLO with {r.Sslv2CipherKinds.Length} cipher kinds",
        HelloOutcome.ServerHello => $"{(r.HelloRetry ? "HelloRetryRequest" : "ServerHello")} {r.Version?.Name()} {CipherSuites.Get(r.CipherSuite ?? 0).Name}"
            + (r.DhBits is { } d ? $", DH {d} bits" : "") + (r.Group is { } g ? $", {g.Name}" : "")
            + (r.AlertAfterHello is { } a ? $", then {a}" : "") + (r.Error is { } e ? $" ({e})" : ""),
        HelloOutcome.Alert => r.Alert?.ToString() ?? "alert",
        _ => r.Error ?? r.Outcome.ToString(),
    };
}
