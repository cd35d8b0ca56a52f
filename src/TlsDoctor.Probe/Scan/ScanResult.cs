using System.Collections.Immutable;
using TlsDoctor.Core;

namespace TlsDoctor.Probe;

/// <summary>The outcome of scanning one endpoint: the profile it showed and what it cost.</summary>
/// <param name="Reachable">False when no TCP connection could be made.</param>
/// <param name="Error">Why the scan could not produce a profile (unreachable, not TLS, deadline), else null.</param>
/// <param name="Handshakes">TCP connections the scan opened, raw hellos and full handshakes together.</param>
/// <param name="Attempts">Every connection in order, as evidence.</param>
public sealed record ScanResult(
    ProbeTarget Target,
    bool Reachable,
    string? Error,
    ServerProfile Profile,
    int Handshakes,
    TimeSpan Elapsed,
    ImmutableArray<ProbeAttempt> Attempts)
{
    /// <summary>True when the target answered TLS in at least one version.</summary>
    public bool SpeaksTls => Profile.Protocols.Any(p => p.Supported);
}

/// <summary>One connection of a scan: why it was opened, what was offered and what came back.</summary>
public sealed record ProbeAttempt(int Id, string Purpose, string Offered, string Outcome, long ElapsedMs)
{
    /// <summary>Why the connection gave no TLS answer (refused, timed out, reset…); null when the peer answered.</summary>
    public ProbeErrorKind? Failure { get; init; }
}

/// <summary>Progress of a scan, for a status line.</summary>
public sealed record ScanProgress(ProbeTarget Target, string Step, int Handshakes);
