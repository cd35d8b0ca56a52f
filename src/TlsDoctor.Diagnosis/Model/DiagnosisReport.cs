using System.Collections.Immutable;
using TlsDoctor.Core;

namespace TlsDoctor.Diagnosis;

/// <summary>What one probed endpoint showed, in brief.</summary>
/// <param name="Role">device, payment or server (the Terminal Server's inbound port).</param>
/// <param name="Versions">Versions the endpoint accepted, oldest first.</param>
/// <param name="Handshakes">Connections the probe opened (scan plus leading-zero proof).</param>
public sealed record ProbeSummary(
    string Role,
    string Target,
    bool Reachable,
    string? Error,
    ImmutableArray<TlsVersion> Versions,
    int Handshakes,
    long ElapsedMs);

/// <summary>The simulated handshake of one direction with the policy as it is now.</summary>
public sealed record DirectionOutcome(string Direction, string Target, string ClientName, string ServerName, HandshakeOutcome Outcome);

/// <summary>The DH leading-zero proof: one entry per handshake (forced modes, control, stress).</summary>
/// <param name="Verdict">proven, cleared, inconclusive or not-applicable.</param>
public sealed record LeadingZeroProof(
    string Target,
    string Verdict,
    ImmutableArray<LeadingZeroHandshake> Handshakes,
    int? StressHandshakes,
    int? StressFailures)
{
    public const string Proven = "proven";
    public const string Cleared = "cleared";
    public const string Inconclusive = "inconclusive";
}

/// <summary>One handshake of the leading-zero proof.</summary>
/// <param name="Mode">force-shared-secret-leading-zero, force-client-public-leading-zero-unpadded, random.</param>
/// <param name="Stage">connect, server-hello, server-key-exchange, finished, completed.</param>
public sealed record LeadingZeroHandshake(
    string Mode,
    bool Completed,
    string Stage,
    AlertDescription? Alert,
    bool AlertFromServer,
    TlsVersion? Version,
    string? CipherSuite,
    int? DhBits,
    bool SharedSecretHadLeadingZero,
    bool ClientPublicHadLeadingZero,
    string Reason);

/// <summary>The result of `diagnose`: findings with evidence and verified remedies, and what was assumed.</summary>
/// <param name="Windows">The Windows release and build the policy describes.</param>
/// <param name="Assumptions">Statements about the Windows side that were not observed (ids from the knowledge base plus the diagnosis' own).</param>
/// <param name="Unreachable">Targets that could not be reached (exit code 3).</param>
public sealed record DiagnosisReport(
    string Windows,
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
}

/// <summary>An assumption in the report: id (knowledge base or diagnosis), text.</summary>
public sealed record ReportAssumption(string Id, string Text);

/// <summary>Progress of a diagnosis, for a status line.</summary>
public sealed record DiagnosisProgress(string Step);
