using TlsDoctor.Core;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe;

/// <summary>One hello offering every version and suite: the highest version and the server's first choice in it.</summary>
internal sealed class FirstHelloStep : IScanStep
{
    public ProbeRequest? Next(ScanState s) => s.Top is not null ? null
        : HelloShapes.Hello(s, ProbeStep.Versions, "versions: highest", TlsVersion.TLSv1_3, HelloShape.Full,
            [.. s[TlsVersion.TLSv1_3].Remaining.Concat(s[TlsVersion.TLSv1_2].Remaining).Concat(s[TlsVersion.TLSv1_0].Remaining).Distinct()]);

    public ScanState Fold(ScanState s, ProbeAttempt attempt)
    {
        var r = (HelloResponse)attempt.Answer;
        s = ScanFold.Hello(s, attempt) with { Top = r };
        if (r.Outcome == HelloOutcome.Unreachable) return s.Stop(r.Error, unreachable: true);
        // A peer that answers with non-TLS bytes will not answer anything else with TLS.
        if (r.Outcome == HelloOutcome.Malformed && !r.Accepted) return s.Stop(r.Error);
        return r.Silent ? s with { Tolerance = ToleranceProgress.Needed } : s;
    }
}

/// <summary>The big hello got no answer at all: try what old stacks choke on, one thing at a time.</summary>
internal sealed class ToleranceStep : IScanStep
{
    public ProbeRequest? Next(ScanState s) => s.Tolerance switch
    {
        ToleranceProgress.Needed => Hello(s, "tolerance: short hello", HelloShape.Small),
        ToleranceProgress.ShortHelloFailed => Hello(s, "tolerance: no extensions", HelloShape.NoExtensions),
        _ => null,
    };

    private static HelloRequest Hello(ScanState s, string purpose, HelloShape shape) =>
        HelloShapes.Hello(s, ProbeStep.Tolerance, purpose, TlsVersion.TLSv1_2, shape, HelloShapes.Chunk(shape, s[TlsVersion.TLSv1_0].Remaining));

    public ScanState Fold(ScanState s, ProbeAttempt attempt)
    {
        var request = (HelloRequest)attempt.Request;
        var r = (HelloResponse)attempt.Answer;
        s = ScanFold.Hello(s, attempt);
        if (request.Shape == HelloShape.Small)
        {
            if (!r.Accepted) return s with { Tolerance = ToleranceProgress.ShortHelloFailed };
            return s.AddBehaviour(new Behaviour(BehaviourKind.ClientHelloSizeLimit,
                    $"no answer to a {s.FullHelloBytes}-byte ClientHello; answers a {s.SmallHelloBytes}-byte one (offers are split into chunks of {HelloShapes.SmallChunk} suites)"),
                    s.TopAttemptId, attempt.Id)
                with { Shape = HelloShape.Small, Tolerance = ToleranceProgress.Done };
        }
        if (!r.Accepted) return s with { Shape = HelloShape.Full, Tolerance = ToleranceProgress.Failed };
        return s.AddBehaviour(new Behaviour(BehaviourKind.ExtensionIntolerance, "no answer to ClientHellos with extensions; answers one without any"),
                [s.TopAttemptId, .. s.Attempts.Where(a => a.Request.Step == ProbeStep.Tolerance).Select(a => a.Id)])
            with { Shape = HelloShape.NoExtensions, Tolerance = ToleranceProgress.Done };
    }
}

/// <summary>The versions the first answer did not settle, highest first (each answer may settle more), then SSLv2.</summary>
internal sealed class VersionStep : IScanStep
{
    private static readonly TlsVersion[] Order = [TlsVersion.TLSv1_3, TlsVersion.TLSv1_2, TlsVersion.TLSv1_1, TlsVersion.TLSv1_0, TlsVersion.SSLv3];

    public ProbeRequest? Next(ScanState s)
    {
        if (s.SizeRetry is { Request.Version: { } retry })
            return HelloShapes.Hello(s, ProbeStep.Tolerance, $"tolerance: short hello {retry.Name()}", retry, HelloShape.Small,
                HelloShapes.Chunk(HelloShape.Small, s[retry].Remaining));
        var silent = SilentSoFar(s);
        // A port that let every hello run into the read timeout gets one version hello, not one per version: TLS 1.0,
        // the oldest hello every TLS stack still answers (if only with an alert).
        if (!silent || !s.Attempts.Any(a => a.Request is HelloRequest { Step: ProbeStep.Versions } && a.Id != s.TopAttemptId))
            foreach (var v in silent ? [TlsVersion.TLSv1_0] : Order)
            {
                // A server that needs small hellos is not asked about TLS 1.3, whose hello cannot be small.
                if (s[v].Supported is not null || v == TlsVersion.TLSv1_3 && s.Shape != HelloShape.Full) continue;
                return HelloShapes.Hello(s, ProbeStep.Versions, $"versions: {v.Name()}", v, s.Shape, HelloShapes.Chunk(s.Shape, s[v].Remaining));
            }
        if (s[TlsVersion.SSLv2].Supported is not null) return null;
        var kinds = Sslv2CipherKinds.All.Select(k => k.Code).ToArray();
        return new Sslv2HelloRequest([.. kinds], Sslv2.BuildClientHello(kinds, "TlsDoctorSslv2Ch"u8))
        {
            Step = ProbeStep.Versions, Version = TlsVersion.SSLv2, Purpose = "versions: SSLv2",
        };
    }

    // Every attempt so far waited for the read timeout in vain: each more hello of a kind already tried costs another.
    private static bool SilentSoFar(ScanState s) => s.Attempts.All(a => a.Answer is HelloResponse { Outcome: HelloOutcome.Timeout });

    public ScanState Fold(ScanState s, ProbeAttempt attempt)
    {
        var r = (HelloResponse)attempt.Answer;
        if (attempt.Request is not HelloRequest request)
        {
            var supported = r.Accepted && r.Version == TlsVersion.SSLv2 && !r.Sslv2CipherKinds.IsDefaultOrEmpty;
            s = s.With(TlsVersion.SSLv2, x => x with { Supported = supported });
            return supported ? s.AddCertificates(r.Certificates) with { Sslv2Kinds = r.Sslv2CipherKinds } : s;
        }
        var v = request.Max;
        s = ScanFold.Hello(s, attempt);
        if (request.Step == ProbeStep.Tolerance) s = SizeRetried(s, attempt);
        else if (RefusedLikeASizeLimit(s, request, r)) return s with { SizeRetry = attempt };
        s = s.With(v, x => x with { Supported = x.Supported ?? false });
        if (r.Outcome != HelloOutcome.Alert || r.Alert?.Description != AlertDescription.ProtocolVersion || !s.NegotiatesVersions) return s;
        // RFC 5246 E.1: a server whose lowest version is above client_version answers protocol_version. Only a server
        // that has shown it negotiates versions correctly is believed: version-intolerant stacks send the same alert
        // for versions they would accept in a lower hello.
        var settled = s.Versions.Where(x => x.Version < v && x.Version >= TlsVersion.SSLv3 && x.Supported is null).ToList();
        if (settled.Count == 0) return s;
        foreach (var lower in settled) s = s.With(lower with { Supported = false });
        return s.AmendLastOutcome(
            $"{attempt.Outcome}: nothing at or below {v.Name()}, so {string.Join(", ", settled.Select(x => x.Version.Name()))} are not supported either");
    }

    // Stacks that cap the ClientHello (at 150 suites, 255 or 512 bytes) answer a big one with decode_error or
    // illegal_parameter, or just close; a version that answered nothing else yet gets one short hello.
    private static bool RefusedLikeASizeLimit(ScanState s, HelloRequest request, HelloResponse r) =>
        request.Shape == HelloShape.Full && request.Suites.Length > HelloShapes.SmallChunk && !s.SizeRetryFailed
        && s.Tolerance != ToleranceProgress.Failed && s[request.Max].Supported is null
        && (r.Alert?.Description is AlertDescription.DecodeError or AlertDescription.IllegalParameter
            || r.Outcome is HelloOutcome.Closed or HelloOutcome.Reset && request.Max >= TlsVersion.TLSv1_0);

    private static ScanState SizeRetried(ScanState s, ProbeAttempt attempt)
    {
        var refused = s.SizeRetry!;
        s = s with { SizeRetry = null };
        if (attempt.Answer is not HelloResponse { Accepted: true }) return s with { SizeRetryFailed = true };
        var big = (HelloRequest)refused.Request;
        var small = (HelloRequest)attempt.Request;
        var how = refused.Answer is HelloResponse { Alert: { } a } ? $"with {a.Description.Name()}" : "by closing the connection";
        return s.AddBehaviourOnce(new Behaviour(BehaviourKind.ClientHelloSizeLimit,
                $"answers a {big.Record.Length}-byte ClientHello ({big.Suites.Length} suites) {how}; answers a {small.Record.Length}-byte one "
                + $"({small.Suites.Length} suites), so offers are split into chunks of {HelloShapes.SmallChunk} suites"),
            refused.Id, attempt.Id) with { Shape = HelloShape.Small };
    }
}
