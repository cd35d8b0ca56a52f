using System.Collections.Immutable;

namespace TlsDoctor.Core;

/// <summary>The simulated result of one client meeting one server.</summary>
/// <param name="Completed">True when the handshake completes (possibly only most of the time, see <paramref name="FailureRate"/>).</param>
/// <param name="Version">Negotiated version, or the one the server chose before the failure; null when none was chosen.</param>
/// <param name="CipherSuite">Negotiated suite, or the one chosen before the failure.</param>
/// <param name="KeyExchange">Key exchange actually used (ECDHE or DHE for TLS 1.3, from the group).</param>
/// <param name="KeyExchangeBits">DH prime bits, curve bits, or RSA key bits for RSA key exchange.</param>
/// <param name="Reason">Why it fails (or fails intermittently); null for a clean success.</param>
/// <param name="AbortingSide">Who ends the handshake; null for a clean success.</param>
/// <param name="Alert">The fatal alert sent, or null when the side just closes the connection.</param>
/// <param name="FailureRate">Share of handshakes that fail when the failure is intermittent (≈ 1/256 for the DH leading-zero rule).</param>
/// <param name="Explanation">One or two sentences saying what happens and why.</param>
public sealed record HandshakeOutcome(
    bool Completed,
    TlsVersion? Version,
    CipherSuite? CipherSuite,
    KeyExchange? KeyExchange,
    int? KeyExchangeBits,
    FailureReason? Reason,
    Side? AbortingSide,
    AlertDescription? Alert,
    double? FailureRate,
    string Explanation)
{
    /// <summary>ECDHE curve or TLS 1.3 group used, when any.</summary>
    public NamedGroup? Group { get; init; }

    /// <summary>
    /// Problems the simulation found after the first one (e.g. the certificate would also be rejected once the
    /// DH size is fixed); lets a remedy be judged before re-simulation.
    /// </summary>
    public ImmutableArray<FailureReason> AdditionalReasons { get; init; } = [];

    /// <summary>True for a handshake that always completes.</summary>
    public bool Healthy => Completed && Reason is null;
}
