using System.Collections.Immutable;
using TlsDoctor.Core;

namespace TlsDoctor.Probe;

/// <summary>
/// Per TLS ≤ 1.2 version with a DHE suite: one DHE hello that also offers the RFC 7919 groups (does the server then use
/// another DH group than the one SCHANNEL, which offers none, gets?) and, when it answers with an RFC 7919 group, the
/// others by removal, each with the DH size it yields. Measured in each version, never copied from another.
/// </summary>
internal sealed class FfdheStep : IScanStep
{
    public ProbeRequest? Next(ScanState s)
    {
        foreach (var state in s.Versions.Where(HasDhe).OrderByDescending(v => v.Version))
        {
            var dhe = state.Found.Where(f => f.Suite.KeyExchange.IsFiniteFieldDh()).Select(f => f.Suite.Code).ToList();
            var v = state.Version;
            if (!state.FfdheMeasured)
                return HelloShapes.Hello(s, ProbeStep.Ffdhe, $"dh with ffdhe {v.Name()}", v, s.Shape, dhe, [.. HelloShapes.EcGroups, .. HelloShapes.FfdheGroups]);
            if (state.FfdheCandidates is { IsEmpty: false } candidates)
                return HelloShapes.Hello(s, ProbeStep.Ffdhe, $"ffdhe groups {v.Name()}", v, s.Shape, dhe, candidates);
        }
        return null;
    }

    private static bool HasDhe(VersionState v) =>
        v.Supported == true && v.Version is >= TlsVersion.TLSv1_0 and <= TlsVersion.TLSv1_2 && v.Found.Any(f => f.DhBits is not null);

    public ScanState Fold(ScanState s, ProbeAttempt attempt)
    {
        var request = (HelloRequest)attempt.Request;
        var r = (HelloResponse)attempt.Answer;
        s = ScanFold.Raw(s, attempt);
        var state = s[request.Max];
        return state.FfdheMeasured ? Enumerated(s, state, r) : Measured(s, state, attempt, r);
    }

    // The first DHE hello with FFDHE groups offered: the size a client offering them gets, and whether the group is one of RFC 7919's.
    private static ScanState Measured(ScanState s, VersionState state, ProbeAttempt attempt, HelloResponse r)
    {
        state = state with { FfdheMeasured = true };
        if (r.FfdheGroup is { } first && r.DhBits is { } bits)
            state = state with
            {
                FfdheGroups = [new GroupDhBits(first, bits)],
                FfdheCandidates = [.. HelloShapes.FfdheGroups.Where(c => c != first.Code)],
            };
        if (!r.Accepted || r.DhBits is not { } withFfdhe) return s.With(state);
        var chosen = state.Found.FirstOrDefault(f => f.Suite.Code == r.CipherSuite);
        if (chosen?.DhBits is not { } without || without == withFfdhe) return s.With(state);
        s = s.With(state with
        {
            Found = [.. state.Found.Select(f => f.Suite.KeyExchange.IsFiniteFieldDh() && f.DhBits == without ? f with { DhBitsWithFfdhe = withFfdhe } : f)],
        });
        return s.AddBehaviour(new Behaviour(BehaviourKind.FfdheChangesDhGroup,
            $"offering FFDHE groups changes the DH prime from {without} to {withFfdhe} bits (measured on {chosen.Suite.Name}; SCHANNEL offers no FFDHE group and gets {without})",
            state.Version), [.. s.Attempts.Where(a => a.Accepted(state.Version, chosen.Suite.Code)).Take(1).Select(a => a.Id), attempt.Id]);
    }

    // A hello offering only the RFC 7919 groups not yet found: the server picks one more, or none of them.
    private static ScanState Enumerated(ScanState s, VersionState state, HelloResponse r)
    {
        var candidates = state.FfdheCandidates ?? [];
        if (!r.Accepted || r.FfdheGroup is not { } group || r.DhBits is not { } bits || !candidates.Contains(group.Code))
            return s.With(state with { FfdheCandidates = [] });
        return s.With(state with
        {
            FfdheGroups = state.FfdheGroups.Add(new GroupDhBits(group, bits)),
            FfdheCandidates = candidates.Remove(group.Code),
        });
    }
}
