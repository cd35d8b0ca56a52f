using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Probe;

namespace TlsDoctor.Diagnosis;

/// <summary>What one probed endpoint showed, in brief.</summary>
/// <param name="Versions">Versions the endpoint accepted, oldest first.</param>
/// <param name="Handshakes">Connections the probe opened (scan plus leading-zero proof).</param>
public sealed record ProbeSummary(
    EndpointRole Role,
    string Target,
    bool Reachable,
    string? Error,
    ImmutableArray<TlsVersion> Versions,
    int Handshakes,
    long ElapsedMs);

/// <summary>The simulated handshake of one direction with the policy as it is now.</summary>
public sealed record DirectionOutcome(Direction Direction, string Target, string ClientName, string ServerName, HandshakeOutcome Outcome);

/// <summary>The DH leading-zero proof: one entry per handshake (forced modes, control, stress).</summary>
public sealed record LeadingZeroProof(
    string Target,
    LeadingZeroVerdict Verdict,
    ImmutableArray<LeadingZeroHandshake> Handshakes,
    int? StressHandshakes,
    int? StressFailures);

/// <summary>One handshake of the leading-zero proof.</summary>
/// <param name="Mode">force-shared-secret-leading-zero, force-client-public-leading-zero-unpadded, random.</param>
/// <param name="Stage">The last stage reached (connect, server-hello, server-key-exchange, finished, completed).</param>
public sealed record LeadingZeroHandshake(
    string Mode,
    bool Completed,
    HandshakeStage Stage,
    AlertDescription? Alert,
    bool AlertFromServer,
    TlsVersion? Version,
    string? CipherSuite,
    int? DhBits,
    bool SharedSecretHadLeadingZero,
    bool ClientPublicHadLeadingZero,
    string Reason)
{
    /// <summary>The handshake's connection number, after the scan's attempts.</summary>
    public int? AttemptId { get; init; }
}

/// <summary>The result of `diagnose`: findings with evidence and verified remedies, and what was assumed.</summary>
/// <param name="Windows">The Windows release and build the policy describes.</param>
/// <param name="Assumptions">Statements about the Windows side that were not observed (ids from the knowledge base plus the diagnosis' own).</param>
/// <param name="NotScanned">Targets that could not be checked at all (unreachable, not TLS): results of their own, never an all-clear (exit code 3).</param>
/// <param name="Unreachable">Targets that could not be reached (exit code 3).</param>
public sealed record DiagnosisReport(
    string Windows,
    ImmutableArray<NotScannedTarget> NotScanned,
    ImmutableArray<Finding> Findings,
    ImmutableArray<ReportAssumption> Assumptions,
    ImmutableArray<ProbeSummary> Probes,
    ImmutableArray<DirectionOutcome> Outcomes,
    ImmutableArray<LeadingZeroProof> LeadingZero,
    ImmutableArray<string> Unreachable,
    DateTimeOffset At,
    ImmutableArray<ModelCheck> ModelChecks = default)
{
    /// <summary>True when any finding is of error severity.</summary>
    public bool HasErrors => Findings.Any(f => f.Severity == Severity.Error);

    /// <summary>True when a target could not be checked, so "no findings" is not an all-clear.</summary>
    public bool Incomplete => !NotScanned.IsDefaultOrEmpty;
}

/// <summary>Why a target could not be checked.</summary>
public enum NotScannedReason
{
    /// <summary>No TCP connection could be made.</summary>
    Unreachable,
    /// <summary>Connected, but no version was answered with TLS (HTTP, garbage, reset, silence).</summary>
    NotTls,
}

/// <summary>A target the diagnosis could not check: what it is, why, and what the probe saw.</summary>
public sealed record NotScannedTarget(EndpointRole Role, string Target, NotScannedReason Reason, string Error);

/// <summary>An assumption in the report: id (knowledge base or diagnosis), text.</summary>
public sealed record ReportAssumption(string Id, string Text);

/// <summary>Progress of a diagnosis, for a status line.</summary>
public sealed record DiagnosisProgress(string Step);
