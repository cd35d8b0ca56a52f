using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Probe.Handshake.LeadingZero;

namespace TlsDoctor.Probe;

/// <summary>What the DH leading-zero proof concluded.</summary>
public enum LeadingZeroVerdict
{
    /// <summary>The handshake whose shared secret starts with 0x00 fails at Finished and a random control completes.</summary>
    Proven,
    /// <summary>The forced handshake completed: the device strips the zero as RFC 5246 §8.1.2 says.</summary>
    Cleared,
    /// <summary>The forced handshake failed for another reason as well.</summary>
    Inconclusive,
}

/// <summary>The DH leading-zero proof of one target: its handshakes as attempts (numbered after the scan's), the
/// verdict, and the random stress handshakes when asked for.</summary>
public sealed record LeadingZeroRun(
    TlsVersion Version,
    LeadingZeroVerdict Verdict,
    ImmutableArray<ProbeAttempt> Handshakes,
    int? StressHandshakes,
    int? StressFailures);

/// <summary>The leading-zero proof's own bookkeeping.</summary>
internal sealed record LeadingZeroProbe(TlsVersion Version, int Stress)
{
    public ImmutableArray<ProbeAttempt> Proof { get; init; } = [];
    public int StressRun { get; init; }
    public int StressFailures { get; init; }
}

/// <summary>
/// Proves or clears the DH leading-zero bug with two or three handshakes instead of hundreds: one whose shared secret
/// is forced to start with 0x00 (a correct server strips it, RFC 5246 §8.1.2), a random control when the forced one
/// fails at Finished (drawn again while its secret happens to start with 0x00 too), one whose client public value is
/// sent unpadded, then the random stress handshakes asked for.
/// </summary>
internal sealed class LeadingZeroStep : IScanStep
{
    /// <summary>The version to test at: the highest TLS 1.0-1.2 version with a DHE-RSA suite whose full handshake is not known to fail for another reason.</summary>
    public static TlsVersion? PickVersion(ServerProfile device)
    {
        foreach (var p in device.Protocols.Where(p => p.Supported && p.Version is >= TlsVersion.TLSv1_0 and <= TlsVersion.TLSv1_2).OrderByDescending(p => p.Version))
        {
            if (!p.CipherSuites.Any(a => a.Suite.KeyExchange == KeyExchange.DHE && a.Suite.Authentication == Authentication.RSA)) continue;
            if (device.Behaviours.Any(b => b.Kind == BehaviourKind.HandshakeFailsAfterHello && b.Version == p.Version)) continue;
            return p.Version;
        }
        return null;
    }

    /// <summary>Random controls drawn at most: a control whose secret happens to start with 0x00 (one in 256) shows
    /// nothing and is drawn again; three in a row happen once in 16 million proofs.</summary>
    internal const int MaxControls = 3;

    public ProbeRequest? Next(ScanState s)
    {
        var z = s.LeadingZero!;
        LeadingZeroMode? mode = z.Proof.Length == 0 ? LeadingZeroMode.ForceSharedSecretLeadingZero
            : NeedsControl(Result(z.Proof[0])) && Control(z) is null && z.Proof.Count(a => Mode(a) == LeadingZeroMode.Random) < MaxControls ? LeadingZeroMode.Random
            : !z.Proof.Any(a => Mode(a) == LeadingZeroMode.ForceClientPublicLeadingZeroUnpadded) ? LeadingZeroMode.ForceClientPublicLeadingZeroUnpadded
            : null;
        if (mode is null && z.StressRun >= z.Stress) return null;
        return new LeadingZeroRequest(mode ?? LeadingZeroMode.Random, Stress: mode is null)
        {
            Step = ProbeStep.LeadingZero, Version = z.Version,
            Purpose = mode is null ? $"dh stress {z.Version.Name()}" : $"dh leading zero {z.Version.Name()}",
        };
    }

    public ScanState Fold(ScanState s, ProbeAttempt attempt)
    {
        var z = s.LeadingZero!;
        if (((LeadingZeroRequest)attempt.Request).Stress)
        {
            // Thousands of stress handshakes are counted, not kept.
            return s with
            {
                Attempts = s.Attempts.RemoveAt(s.Attempts.Length - 1),
                Tallied = s.Tallied + 1,
                LeadingZero = z with { StressRun = z.StressRun + 1, StressFailures = z.StressFailures + (Result(attempt).Completed ? 0 : 1) },
            };
        }
        return s with { LeadingZero = z with { Proof = z.Proof.Add(attempt) } };
    }

    public string Label(ScanState s, ProbeRequest request)
    {
        var z = s.LeadingZero!;
        var r = (LeadingZeroRequest)request;
        return r.Stress
            ? $"DH stress {z.StressRun / 50 * 50}/{z.Stress}, {z.StressFailures} failed"
            : $"DH leading-zero handshake ({LeadingZeroModes.Name(r.Mode)}, {z.Version.Name()})";
    }

    /// <summary>The proof's result once the runner is done.</summary>
    public static LeadingZeroRun Conclude(ScanState s)
    {
        var z = s.LeadingZero!;
        var forced = z.Proof.Length > 0 ? Result(z.Proof[0]) : null;
        var verdict = LeadingZeroVerdict.Inconclusive;
        if (forced is { Completed: true, SharedSecretHadLeadingZero: true }) verdict = LeadingZeroVerdict.Cleared;
        else if (forced is not null && NeedsControl(forced) && Control(z) is { } control)
            // The control completing shows that only the zero byte differs.
            verdict = Result(control).Completed ? LeadingZeroVerdict.Proven : LeadingZeroVerdict.Inconclusive;
        return new LeadingZeroRun(z.Version, verdict, z.Proof, z.Stress > 0 ? z.StressRun : null, z.Stress > 0 ? z.StressFailures : null);
    }

    /// <summary>The proof's control: its first random handshake whose shared secret did not start with 0x00.</summary>
    internal static ProbeAttempt? Control(LeadingZeroProbe z) =>
        z.Proof.FirstOrDefault(a => Mode(a) == LeadingZeroMode.Random && !Result(a).SharedSecretHadLeadingZero);

    private static bool NeedsControl(LeadingZeroResult forced) =>
        !forced.Completed && forced.Stage == HandshakeStage.Finished && forced.SharedSecretHadLeadingZero;

    private static LeadingZeroResult Result(ProbeAttempt a) => (LeadingZeroResult)a.Answer;

    private static LeadingZeroMode Mode(ProbeAttempt a) => ((LeadingZeroRequest)a.Request).Mode;
}
