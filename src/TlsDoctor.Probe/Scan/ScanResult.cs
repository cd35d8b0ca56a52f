using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Wire;

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

    /// <summary>The first attempt of a step (for one version, when given), or null.</summary>
    public ProbeAttempt? FirstAttempt(ProbeStep step, TlsVersion? version = null) =>
        Attempts.FirstOrDefault(a => a.Request.Step == step && (version is null || a.Request.Version == version));

    /// <summary>The attempt whose complete handshake the profile reports for a version (after a repeat, the one that counted).</summary>
    public ProbeAttempt? HandshakeAttempt(TlsVersion version) => Profile.For(version)?.FullHandshake is { } check
        ? Attempts.LastOrDefault(a => a.Request.Step == ProbeStep.FullHandshake && a.Request.Version == version && a.Answer is FullHandshakeResult f && f.Check == check)
        : null;

    /// <summary>The first attempt whose answer showed the suite accepted in the version.</summary>
    public ProbeAttempt? AttemptAccepting(TlsVersion version, ushort suite) => Attempts.FirstOrDefault(a => a.Accepted(version, suite));

    /// <summary>The first attempt on which the peer sent the certificate.</summary>
    public ProbeAttempt? AttemptCarrying(CertificateInfo certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (string.IsNullOrEmpty(certificate.Der)) return null;
        var der = Convert.FromBase64String(certificate.Der);
        return Attempts.FirstOrDefault(a => a.Carries(der));
    }
}

/// <summary>What a peer answered to one request; the concrete kinds are <see cref="HelloResponse"/>,
/// <see cref="FullHandshakeResult"/> and <see cref="Handshake.LeadingZero.LeadingZeroResult"/>.</summary>
public abstract record ProbeAnswer
{
    /// <summary>Why the connection gave no TLS answer (refused, timed out, reset…); null when the peer answered.</summary>
    public ProbeErrorKind? Failure { get; init; }

    /// <summary>Where the peer's bytes stopped being valid TLS, when they did.</summary>
    public WireError? WireError { get; init; }
}

/// <summary>The bytes of one connection: what we sent and what the peer sent, in order.</summary>
/// <param name="EndedBy">Why reading stopped before the answer was complete (closed, read-timeout, reset…); null when it was complete.</param>
/// <param name="EndMessage">The text of that ending, as the connection reported it.</param>
public sealed record Transcript(ReadOnlyMemory<byte> Sent, ReadOnlyMemory<byte> Received, ProbeErrorKind? EndedBy = null, string? EndMessage = null)
{
    public static Transcript Empty { get; } = new(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty);
}

/// <summary>One connection of a scan: the request (with its ClientHello spec), the typed answer and the bytes exchanged.</summary>
/// <param name="Id">1-based number of the connection within the target's scan (and its leading-zero proof).</param>
/// <param name="Outcome">The answer in words, with what the scan concluded from it.</param>
public sealed record ProbeAttempt(int Id, ProbeRequest Request, ProbeAnswer Answer, Transcript Transcript, string Outcome, long ElapsedMs)
{
    /// <summary>Why the connection was opened.</summary>
    public string Purpose => Request.Purpose;

    /// <summary>What was offered.</summary>
    public string Offered => Request.Offered;

    /// <summary>Why the connection gave no TLS answer (refused, timed out, reset…); null when the peer answered.</summary>
    public ProbeErrorKind? Failure => Answer.Failure;

    /// <summary>True when a raw hello of this attempt was answered with this version and suite.</summary>
    public bool Accepted(TlsVersion version, ushort suite) =>
        Answer is HelloResponse { Accepted: true } r && r.Version == version && r.CipherSuite == suite;

    /// <summary>True when the peer sent this certificate (DER) on this connection.</summary>
    public bool Carries(ReadOnlySpan<byte> der)
    {
        var chain = Answer switch
        {
            HelloResponse h => h.Certificates,
            FullHandshakeResult f => f.Certificates,
            _ => [],
        };
        if (chain.IsDefault) return false;
        foreach (var c in chain)
            if (c.AsSpan().SequenceEqual(der)) return true;
        return false;
    }
}

/// <summary>Progress of a scan, for a status line.</summary>
public sealed record ScanProgress(ProbeTarget Target, string Step, int Handshakes);
