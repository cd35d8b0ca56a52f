namespace TlsDoctor.Core;

/// <summary>Why a simulated handshake fails; the JSON spelling (<see cref="FailureReasons.Name(FailureReason)"/>) is a contract.</summary>
public enum FailureReason
{
    /// <summary>No version both sides accept (server aborts: none ≤ client's max; client aborts: server's pick not offered).</summary>
    NoCommonProtocol,
    /// <summary>No suite offered by the client is accepted by the server in the chosen version.</summary>
    NoCommonCipherSuite,
    /// <summary>Common suites exist but all need a curve/group the two sides do not share (or TLS 1.3 without a common group).</summary>
    NoCommonGroup,
    /// <summary>TLS 1.2+: the client's signature_algorithms has nothing the server's key can sign with.</summary>
    NoCommonSignatureScheme,
    /// <summary>Server's DH prime is smaller than the client's minimum (SCHANNEL after MS15-055: 1024 bits).</summary>
    DhTooSmall,
    /// <summary>Server's DH prime is larger than the client can handle.</summary>
    DhTooLarge,
    /// <summary>Certificate RSA key below the client's minimum.</summary>
    CertificateKeyTooSmall,
    /// <summary>Certificate RSA key above what the client can verify (old devices).</summary>
    CertificateKeyTooLarge,
    /// <summary>Certificate key algorithm (EC, DSA) the client cannot verify.</summary>
    CertificateKeyUnsupported,
    /// <summary>A certificate in the chain is signed with a hash the client cannot verify.</summary>
    CertificateHashUnsupported,
    /// <summary>TLS 1.2 and a SHA-512-signed certificate on Windows without KB2973337 / KB2975719 / KB2975331.</summary>
    Sha512Tls12Unpatched,
    /// <summary>The client trusts none of the certificates in the chain.</summary>
    UntrustedCertificate,
    /// <summary>A certificate in the chain is past its notAfter.</summary>
    CertificateExpired,
    /// <summary>A certificate in the chain is before its notBefore.</summary>
    CertificateNotYetValid,
    /// <summary>The server aborts when the client offers a version it does not know instead of negotiating down.</summary>
    VersionIntolerance,
    /// <summary>The server rejects hellos that carry extensions.</summary>
    ExtensionIntolerance,
    /// <summary>ServerHello names a version, then Finished fails (bad_record_mac): the guide's "fake TLS 1.2".</summary>
    HandshakeFailsAfterHello,
    /// <summary>DHE with one side not stripping leading zeros of the shared secret: ≈ 1 in 256 handshakes fail.</summary>
    DhLeadingZero,
    /// <summary>The server presents no certificate for a suite that needs one.</summary>
    NoCertificate,
    /// <summary>The server's DH parameters cannot work (the probe saw them: p even or ≤ 1, g or Ys out of range, p absurdly large).</summary>
    DhInvalidParameters,
}

/// <summary>The side of a handshake: who aborts it, who sends an alert.</summary>
public enum Side { Client, Server }

/// <summary>Spellings and descriptions of <see cref="FailureReason"/> and <see cref="Side"/> (JSON and docs rely on them: add, never rename).</summary>
public static class FailureReasons
{
    /// <summary>The kebab-case code written in JSON (no-common-protocol, dh-too-small, …).</summary>
    public static string Name(this FailureReason reason) => reason switch
    {
        FailureReason.NoCommonProtocol => "no-common-protocol",
        FailureReason.NoCommonCipherSuite => "no-common-cipher-suite",
        FailureReason.NoCommonGroup => "no-common-group",
        FailureReason.NoCommonSignatureScheme => "no-common-signature-scheme",
        FailureReason.DhTooSmall => "dh-too-small",
        FailureReason.DhTooLarge => "dh-too-large",
        FailureReason.CertificateKeyTooSmall => "certificate-key-too-small",
        FailureReason.CertificateKeyTooLarge => "certificate-key-too-large",
        FailureReason.CertificateKeyUnsupported => "certificate-key-unsupported",
        FailureReason.CertificateHashUnsupported => "certificate-hash-unsupported",
        FailureReason.Sha512Tls12Unpatched => "sha512-tls12-unpatched",
        FailureReason.UntrustedCertificate => "untrusted-certificate",
        FailureReason.CertificateExpired => "certificate-expired",
        FailureReason.CertificateNotYetValid => "certificate-not-yet-valid",
        FailureReason.VersionIntolerance => "version-intolerance",
        FailureReason.ExtensionIntolerance => "extension-intolerance",
        FailureReason.HandshakeFailsAfterHello => "handshake-fails-after-hello",
        FailureReason.DhLeadingZero => "dh-leading-zero",
        FailureReason.NoCertificate => "no-certificate",
        FailureReason.DhInvalidParameters => "dh-invalid-parameters",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    /// <summary>One line for documentation and tables.</summary>
    public static string Description(this FailureReason reason) => reason switch
    {
        FailureReason.NoCommonProtocol => "the two sides share no protocol version",
        FailureReason.NoCommonCipherSuite => "no cipher suite offered by the client is accepted by the server in the chosen version",
        FailureReason.NoCommonGroup => "the suites in common need an elliptic curve / group that the two sides do not share",
        FailureReason.NoCommonSignatureScheme => "the client's signature_algorithms contains nothing the server's key can sign with",
        FailureReason.DhTooSmall => "the server's DH group is smaller than the client's minimum",
        FailureReason.DhTooLarge => "the server's DH group is larger than the client's maximum",
        FailureReason.CertificateKeyTooSmall => "the certificate's RSA key is smaller than the client's minimum",
        FailureReason.CertificateKeyTooLarge => "the certificate's RSA key is larger than the client can verify",
        FailureReason.CertificateKeyUnsupported => "the certificate's key algorithm is one the client cannot verify",
        FailureReason.CertificateHashUnsupported => "a certificate is signed with a hash the client cannot verify",
        FailureReason.Sha512Tls12Unpatched => "TLS 1.2 with a SHA-512-signed certificate on Windows without the August 2014 rollups",
        FailureReason.UntrustedCertificate => "the client does not trust the server's certificate",
        FailureReason.CertificateExpired => "a certificate in the chain has expired",
        FailureReason.CertificateNotYetValid => "a certificate in the chain is not yet valid",
        FailureReason.VersionIntolerance => "the server aborts on a hello with a version it does not implement",
        FailureReason.ExtensionIntolerance => "the server aborts on a hello with extensions",
        FailureReason.HandshakeFailsAfterHello => "the server answers with a version, then the handshake fails with bad_record_mac",
        FailureReason.DhLeadingZero => "DHE shared secret with a leading zero is handled differently by the two sides; about 1 in 256 handshakes fail",
        FailureReason.NoCertificate => "the server presents no certificate",
        FailureReason.DhInvalidParameters => "the server's DH parameters are invalid (seen by the probe); no client completes that key exchange",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    /// <summary>Every reason, in documentation order.</summary>
    public static IReadOnlyList<FailureReason> All { get; } = Enum.GetValues<FailureReason>();

    /// <summary>The reason for a JSON code; false for a code that is not one.</summary>
    public static bool TryParse(string? code, out FailureReason reason) => Spellings.TryParse(code, Name, out reason);

    /// <summary>"client" or "server".</summary>
    public static string Name(this Side side) => side == Side.Client ? "client" : "server";
}
