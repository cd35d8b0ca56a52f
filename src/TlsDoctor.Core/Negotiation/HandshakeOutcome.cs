using System.Collections.Immutable;

namespace TlsDoctor.Core;

/// <summary>The simulated result of one client meeting one server.</summary>
/// <param name="Completed">True when the handshake completes (possibly only most of the time, see <paramref name="FailureRate"/>).</param>
/// <param name="Version">Negotiated version, or the one the server chose before the failure; null when none was chosen.</param>
/// <param name="CipherSuite">Negotiated suite, or the one chosen before the failure.</param>
/// <param name="KeyExchange">Key exchange actually used (ECDHE or DHE for TLS 1.3, from the group).</param>
/// <param name="KeyExchangeBits">DH prime bits, curve bits, or RSA key bits for RSA key exchange.</param>
/// <param name="Reason">A code from <see cref="FailureReasons"/>; null for a clean success.</param>
/// <param name="AbortingSide">"client" or "server": who ends the handshake; null for a clean success.</param>
/// <param name="Alert">The fatal alert sent, or null when the side just closes the connection.</param>
/// <param name="FailureRate">Share of handshakes that fail when the failure is intermittent (≈ 1/256 for the DH leading-zero rule).</param>
/// <param name="Explanation">One or two sentences saying what happens and why.</param>
public sealed record HandshakeOutcome(
    bool Completed,
    TlsVersion? Version,
    CipherSuite? CipherSuite,
    KeyExchange? KeyExchange,
    int? KeyExchangeBits,
    string? Reason,
    string? AbortingSide,
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
    public ImmutableArray<string> AdditionalReasons { get; init; } = [];

    /// <summary>True for a handshake that always completes.</summary>
    public bool Healthy => Completed && Reason is null;
}

/// <summary>Constants for the aborting side.</summary>
public static class Sides
{
    public const string Client = "client";
    public const string Server = "server";
}

/// <summary>
/// The stable list of failure reasons (JSON, findings and docs rely on these spellings; add, never rename).
/// </summary>
public static class FailureReasons
{
    /// <summary>No version both sides accept (server aborts: none ≤ client's max; client aborts: server's pick not offered).</summary>
    public const string NoCommonProtocol = "no-common-protocol";
    /// <summary>No suite offered by the client is accepted by the server in the chosen version.</summary>
    public const string NoCommonCipherSuite = "no-common-cipher-suite";
    /// <summary>Common suites exist but all need a curve/group the two sides do not share (or TLS 1.3 without a common group).</summary>
    public const string NoCommonGroup = "no-common-group";
    /// <summary>TLS 1.2+: the client's signature_algorithms has nothing the server's key can sign with.</summary>
    public const string NoCommonSignatureScheme = "no-common-signature-scheme";
    /// <summary>Server's DH prime is smaller than the client's minimum (SCHANNEL after MS15-055: 1024 bits).</summary>
    public const string DhTooSmall = "dh-too-small";
    /// <summary>Server's DH prime is larger than the client can handle.</summary>
    public const string DhTooLarge = "dh-too-large";
    /// <summary>Certificate RSA key below the client's minimum.</summary>
    public const string CertificateKeyTooSmall = "certificate-key-too-small";
    /// <summary>Certificate RSA key above what the client can verify (old devices).</summary>
    public const string CertificateKeyTooLarge = "certificate-key-too-large";
    /// <summary>Certificate key algorithm (EC, DSA) the client cannot verify.</summary>
    public const string CertificateKeyUnsupported = "certificate-key-unsupported";
    /// <summary>A certificate in the chain is signed with a hash the client cannot verify.</summary>
    public const string CertificateHashUnsupported = "certificate-hash-unsupported";
    /// <summary>TLS 1.2 and a SHA-512-signed certificate on Windows without KB2973337 / KB2975719 / KB2975331.</summary>
    public const string Sha512Tls12Unpatched = "sha512-tls12-unpatched";
    /// <summary>The client trusts none of the certificates in the chain.</summary>
    public const string UntrustedCertificate = "untrusted-certificate";
    /// <summary>A certificate in the chain is past its notAfter.</summary>
    public const string CertificateExpired = "certificate-expired";
    /// <summary>A certificate in the chain is before its notBefore.</summary>
    public const string CertificateNotYetValid = "certificate-not-yet-valid";
    /// <summary>The server aborts when the client offers a version it does not know instead of negotiating down.</summary>
    public const string VersionIntolerance = "version-intolerance";
    /// <summary>The server rejects hellos that carry extensions.</summary>
    public const string ExtensionIntolerance = "extension-intolerance";
    /// <summary>ServerHello names a version, then Finished fails (bad_record_mac): the guide's "fake TLS 1.2".</summary>
    public const string HandshakeFailsAfterHello = "handshake-fails-after-hello";
    /// <summary>DHE with one side not stripping leading zeros of the shared secret: ≈ 1 in 256 handshakes fail.</summary>
    public const string DhLeadingZero = "dh-leading-zero";
    /// <summary>The server presents no certificate for a suite that needs one.</summary>
    public const string NoCertificate = "no-certificate";
    /// <summary>The server's DH parameters cannot work (the probe saw them: p even or ≤ 1, g or Ys out of range, p absurdly large).</summary>
    public const string DhInvalidParameters = "dh-invalid-parameters";

    /// <summary>Every reason with a one-line description, in documentation order.</summary>
    public static IReadOnlyList<(string Code, string Description)> All { get; } =
    [
        (NoCommonProtocol, "the two sides share no protocol version"),
        (NoCommonCipherSuite, "no cipher suite offered by the client is accepted by the server in the chosen version"),
        (NoCommonGroup, "the suites in common need an elliptic curve / group that the two sides do not share"),
        (NoCommonSignatureScheme, "the client's signature_algorithms contains nothing the server's key can sign with"),
        (DhTooSmall, "the server's DH group is smaller than the client's minimum"),
        (DhTooLarge, "the server's DH group is larger than the client's maximum"),
        (CertificateKeyTooSmall, "the certificate's RSA key is smaller than the client's minimum"),
        (CertificateKeyTooLarge, "the certificate's RSA key is larger than the client can verify"),
        (CertificateKeyUnsupported, "the certificate's key algorithm is one the client cannot verify"),
        (CertificateHashUnsupported, "a certificate is signed with a hash the client cannot verify"),
        (Sha512Tls12Unpatched, "TLS 1.2 with a SHA-512-signed certificate on Windows without the August 2014 rollups"),
        (UntrustedCertificate, "the client does not trust the server's certificate"),
        (CertificateExpired, "a certificate in the chain has expired"),
        (CertificateNotYetValid, "a certificate in the chain is not yet valid"),
        (VersionIntolerance, "the server aborts on a hello with a version it does not implement"),
        (ExtensionIntolerance, "the server aborts on a hello with extensions"),
        (HandshakeFailsAfterHello, "the server answers with a version, then the handshake fails with bad_record_mac"),
        (DhLeadingZero, "DHE shared secret with a leading zero is handled differently by the two sides; about 1 in 256 handshakes fail"),
        (NoCertificate, "the server presents no certificate"),
        (DhInvalidParameters, "the server's DH parameters are invalid (seen by the probe); no client completes that key exchange"),
    ];
}
