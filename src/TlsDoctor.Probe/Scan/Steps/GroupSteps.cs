using TlsDoctor.Core;

namespace TlsDoctor.Probe;

/// <summary>Which groups the server accepts: offer the remaining candidates, record the one chosen, remove it, repeat
/// (in TLS 1.3 when it is supported, else in the highest version with an ECDHE suite).</summary>
internal sealed class GroupStep : IScanStep
{
    public ScanState Enter(ScanState s)
    {
        var tls13 = s[TlsVersion.TLSv1_3];
        var state = tls13.Supported == true && tls13.Found.Length > 0 ? tls13 : null;
        state ??= s.Versions
            .Where(v => v.Supported == true && v.Version is >= TlsVersion.TLSv1_0 and <= TlsVersion.TLSv1_2 && v.Found.Any(f => f.Suite.KeyExchange.IsEllipticCurve()))
            .OrderByDescending(v => v.Version).FirstOrDefault();
        if (state is null) return s;
        var candidates = (state.Version == TlsVersion.TLSv1_3 ? HelloShapes.Tls13GroupCandidates : HelloShapes.EcGroupCandidates).ToList();
        if (state.FirstGroup is { } first && candidates.Contains(first.Code))
        {
            s = s with { Groups = s.Groups.Add(first) };
            candidates.Remove(first.Code);
        }
        var suites = state.Version == TlsVersion.TLSv1_3
            ? state.Found.Select(f => f.Suite.Code)
            : state.Found.Where(f => f.Suite.KeyExchange.IsEllipticCurve()).Select(f => f.Suite.Code);
        return s with { GroupProbe = new GroupProbe(state.Version, [.. suites], [.. candidates], candidates.Count + 1) };
    }

    public ProbeRequest? Next(ScanState s) => s.GroupProbe is { Done: false, Candidates.IsEmpty: false, Budget: > 0 } g
        ? HelloShapes.Hello(s, ProbeStep.Groups, $"groups {g.Version.Name()}", g.Version, s.Shape, g.Suites, g.Candidates)
        : null;

    public ScanState Fold(ScanState s, ProbeAttempt attempt)
    {
        var r = (HelloResponse)attempt.Answer;
        s = ScanFold.Raw(s, attempt);
        var g = s.GroupProbe! with { Budget = s.GroupProbe!.Budget - 1 };
        if (!r.Accepted || r.Group is null || !g.Candidates.Contains(r.Group.Code)) return s with { GroupProbe = g with { Done = true } };
        return s with { Groups = s.Groups.Add(r.Group), GroupProbe = g with { Candidates = g.Candidates.Remove(r.Group.Code) } };
    }
}
