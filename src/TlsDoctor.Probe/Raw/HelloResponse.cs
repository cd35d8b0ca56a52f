using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe;

/// <summary>What a server did with one raw ClientHello.</summary>
public enum HelloOutcome
{
    /// <summary>A ServerHello (or HelloRetryRequest) arrived.</summary>
    ServerHello,
    /// <summary>An alert arrived before any ServerHello.</summary>
    Alert,
    /// <summary>The peer closed the connection without a word.</summary>
    Closed,
    /// <summary>The peer reset the connection.</summary>
    Reset,
    /// <summary>The peer stayed silent past the read timeout.</summary>
    Timeout,
    /// <summary>The peer answered with bytes that are not TLS, or with malformed TLS.</summary>
    Malformed,
    /// <summary>The TCP connection could not be made.</summary>
    Unreachable,
}

/// <summary>Everything one raw ClientHello revealed: the server's choice, its key exchange and certificates, or why it failed.</summary>
/// <param name="Version">Version the server selected (supported_versions, else legacy_version).</param>
/// <param name="CipherSuite">Suite the server selected.</param>
/// <param name="HelloRetry">True when the answer was a TLS 1.3 HelloRetryRequest.</param>
/// <param name="Group">ECDHE curve from ServerKeyExchange, or the key_share group of a TLS 1.3 answer.</param>
/// <param name="DhBits">Prime size from a DHE ServerKeyExchange.</param>
/// <param name="Certificates">DER chain from the Certificate message (TLS ≤ 1.2, SSLv2).</param>
/// <param name="Sslv2CipherKinds">Cipher kinds from an SSLv2 SERVER-HELLO.</param>
/// <param name="AlertAfterHello">An alert that followed the ServerHello in the same flight.</param>
/// <param name="Error">Human-readable cause for outcomes other than ServerHello.</param>
/// <param name="Compression">The compression method the ServerHello chose (0 = null, the only one offered).</param>
/// <param name="DhProblem">Why the ServerKeyExchange's DH parameters cannot work for any client, when they cannot.</param>
/// <param name="FfdheGroup">The RFC 7919 group whose prime the DHE ServerKeyExchange carried, when it is one.</param>
/// <param name="Tls12AfterTls13">The ServerHello named TLS 1.3 in supported_versions but the flight went on as TLS 1.2 (plaintext handshake messages); <see cref="Version"/> is then its legacy_version.</param>
public sealed record HelloResponse(
    HelloOutcome Outcome,
    TlsVersion? Version = null,
    ushort? CipherSuite = null,
    bool HelloRetry = false,
    NamedGroup? Group = null,
    int? DhBits = null,
    bool RenegotiationInfo = false,
    bool ExtendedMasterSecret = false,
    ImmutableArray<byte[]> Certificates = default,
    ImmutableArray<int> Sslv2CipherKinds = default,
    TlsAlert? Alert = null,
    TlsAlert? AlertAfterHello = null,
    bool SawServerHelloDone = false,
    string? Error = null,
    byte Compression = 0,
    string? DhProblem = null,
    bool Tls12AfterTls13 = false,
    NamedGroup? FfdheGroup = null) : ProbeAnswer
{
    /// <summary>True when the server accepted the hello (ServerHello or HelloRetryRequest).</summary>
    public bool Accepted => Outcome == HelloOutcome.ServerHello;

    /// <summary>True when the peer gave no TLS-level answer (not an alert): the hello itself may be what it chokes on.</summary>
    public bool Silent => Outcome is HelloOutcome.Closed or HelloOutcome.Reset or HelloOutcome.Timeout;

    public static HelloResponse Failed(ProbeException e) => new(
        e.IsUnreachable ? HelloOutcome.Unreachable : e.Kind switch
        {
            ProbeErrorKind.ReadTimeout => HelloOutcome.Timeout,
            ProbeErrorKind.Closed => HelloOutcome.Closed,
            ProbeErrorKind.Reset => HelloOutcome.Reset,
            ProbeErrorKind.Malformed => HelloOutcome.Malformed,
            _ => HelloOutcome.Timeout,
        },
        Error: e.Message)
    { Failure = e.Kind };
}
