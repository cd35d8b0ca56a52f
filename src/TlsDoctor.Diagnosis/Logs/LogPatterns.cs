using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;

namespace TlsDoctor.Diagnosis.Logs;

/// <summary>A known secure-channel failure message and the findings it can stand for.</summary>
/// <param name="Id">Stable short id (secure-channel, algorithm-mismatch, …).</param>
/// <param name="Specific">False for wrappers ("A call to SSPI failed") that say only that TLS failed.</param>
public sealed record LogPattern(string Id, string Meaning, Regex Regex, ImmutableArray<string> Findings, bool Specific);

/// <summary>The .NET / SCHANNEL failure texts terminalserver.log and exported event logs contain (English texts and the SEC_E codes).</summary>
public static partial class LogPatterns
{
    private static readonly string[] AnyHandshake = ["TD001", "TD002", "TD003", "TD004", "TD005", "TD006", "TD007", "TD101", "TD102", "TD104", "TD105", "TD106", "TD107", "TD108"];
    private static readonly string[] Outbound = ["TD001", "TD002", "TD003", "TD004", "TD005", "TD101", "TD102", "TD106", "TD107", "TD108"];

    private static LogPattern P(string id, string meaning, string regex, IEnumerable<string> findings, bool specific = true) =>
        new(id, meaning, new Regex(regex, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), [.. findings], specific);

    /// <summary>Every pattern, most specific first.</summary>
    public static ImmutableArray<LogPattern> All { get; } =
    [
        P("lsa-unreachable", "SEC_E_INTERNAL_ERROR: typical of a DH key shorter than ClientMinKeyBitLength (KB3061518 and later)",
            @"The Local Security Authority cannot be contacted|0x80090304", ["TD001", "TD103"]),
        P("algorithm-mismatch", "SEC_E_ALGORITHM_MISMATCH: no common protocol version, cipher suite or curve",
            @"do not possess a common algorithm|0x80090331", ["TD005", "TD101", "TD102", "TD106", "TD107", "TD108", "TD004"]),
        P("illegal-message", "SEC_E_ILLEGAL_MESSAGE: the peer sent an alert or bytes SCHANNEL did not expect",
            @"The message received was unexpected or badly formatted|0x80090326", ["TD001", "TD002", "TD003", "TD004", "TD007"]),
        P("decrypt-failure", "SEC_E_DECRYPT_FAILURE: keys differ between the sides (bad MAC, DH leading zero, fake TLS 1.2)",
            @"The decryption operation failed|0x80090330|bad_record_mac|bad record mac", ["TD002", "TD003"]),
        P("invalid-token", "SEC_E_INVALID_TOKEN: the peer's handshake message was not valid TLS for the version",
            @"The token supplied to the function is invalid|0x80090308", ["TD003", "TD005", "TD002"]),
        P("unsupported-function", "SEC_E_UNSUPPORTED_FUNCTION: the protocol version is disabled on this side",
            @"The function requested is not supported|0x80090302", ["TD005", "TD108", "TD107"]),
        P("untrusted-root", "SEC_E_UNTRUSTED_ROOT: a certificate's issuer is not trusted by the side validating it",
            @"issued by an authority that is not trusted|0x80090325|unknown_ca|RemoteCertificateChainErrors", ["TD006", "TD104"]),
        P("certificate-expired", "SEC_E_CERT_EXPIRED: a certificate is outside its validity period",
            @"certificate has expired|0x80090328|certificate_expired|NotTimeValid", ["TD104"]),
        P("wrong-principal", "SEC_E_WRONG_PRINCIPAL: the certificate does not name the host",
            @"The target principal name is incorrect|0x80090322|RemoteCertificateNameMismatch", ["TD105"]),
        P("certificate-invalid", ".NET rejected the peer's certificate (untrusted, expired or wrong name)",
            @"The remote certificate is invalid according to the validation procedure|The remote certificate was rejected", ["TD104", "TD105", "TD006"]),
        P("remote-closed", "The peer closed the connection during the handshake: it rejected our version, suites or certificate",
            @"remote party has closed the transport stream|Received an unexpected EOF or 0 bytes from the transport stream", ["TD005", "TD006", "TD007", "TD101", "TD003"]),
        P("connection-reset", "The peer reset the connection (often a device aborting a handshake it cannot complete)",
            @"An existing connection was forcibly closed by the remote host|Connection reset by peer|WSAECONNRESET|10054", ["TD002", "TD003", "TD005", "TD007"]),
        P("schannel-36874", "SCHANNEL 36874: a client connected with no cipher suite this server supports",
            @"none of the cipher suites supported by the client application are supported by the server|\b36874\b", ["TD101", "TD106", "TD005"]),
        P("schannel-36871", "SCHANNEL 36871: a fatal error creating the TLS credential (certificate or private key unusable)",
            @"A fatal error occurred while creating (?:a|an) (?:TLS|SSL) (?:client|server) credential|\b36871\b", ["TD004", "TD108", "TD007"]),
        P("schannel-36887", "SCHANNEL 36887: a fatal alert was received from the peer",
            @"A fatal alert was received from the remote endpoint|\b36887\b", AnyHandshake),
        P("schannel-36888", "SCHANNEL 36888: this side generated a fatal alert",
            @"A fatal alert was generated and sent to the remote endpoint|\b36888\b", AnyHandshake),
        P("underlying-closed", "The underlying connection was closed during send/receive (handshake refused)",
            @"The underlying connection was closed: An unexpected error occurred on a (?:send|receive)", Outbound, specific: false),
        P("secure-channel", ".NET could not complete a TLS handshake as a client (Terminal Server to the device or payment service)",
            @"Could not (?:create|establish) SSL/TLS secure channel|Could not establish trust relationship for the SSL/TLS secure channel", Outbound, specific: false),
        P("request-aborted", "An HTTP request was aborted (together with a TLS message: the handshake failed)",
            @"The request was aborted", Outbound, specific: false),
        P("sspi-failed", "A call to SSPI failed: the TLS handshake failed; the inner exception says why",
            @"A call to SSPI failed|Authentication failed, see inner exception|AuthenticationException", AnyHandshake, specific: false),
    ];

    /// <summary>Findings a TLS alert code (SCHANNEL 36887/36888 texts) points to; empty when the code says nothing specific.</summary>
    public static ImmutableArray<string> ForAlert(int code) => code switch
    {
        20 or 21 => ["TD002", "TD003"],                  // bad_record_mac, decryption_failed
        40 => ["TD005", "TD101", "TD102", "TD106", "TD107"], // handshake_failure
        42 or 43 => ["TD007"],                           // bad_certificate, unsupported_certificate
        44 => ["TD104"],                                 // certificate_revoked
        45 => ["TD104"],                                 // certificate_expired
        46 => ["TD006", "TD007"],                        // certificate_unknown
        47 => ["TD002", "TD001"],                        // illegal_parameter
        48 => ["TD006"],                                 // unknown_ca
        51 => ["TD002", "TD003", "TD004"],               // decrypt_error
        70 => ["TD005", "TD107"],                        // protocol_version
        71 => ["TD001", "TD106"],                        // insufficient_security
        _ => [],
    };

    /// <summary>The alert code in an SCHANNEL alert text ("The TLS protocol defined fatal alert code is 40."), if any.</summary>
    public static int? AlertCode(string text)
    {
        var m = AlertCodeRegex().Match(text);
        return m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : null;
    }

    [GeneratedRegex(@"fatal alert code is (\d{1,3})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AlertCodeRegex();
}
