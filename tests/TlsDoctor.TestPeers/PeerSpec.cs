using TlsDoctor.Core;

namespace TlsDoctor.TestPeers;

/// <summary>Which TLS server program serves a target.</summary>
public enum PeerEngine { OpenSsl, GnuTls }

/// <summary>One cipher suite as the peers configure it: IANA code and name, OpenSSL name, GnuTLS priority tokens.</summary>
public sealed record PeerSuite(ushort Code, string Name, string OpenSslName, string? GnuTlsKx = null, string? GnuTlsCipher = null, string? GnuTlsMac = null)
{
    /// <summary>True for suites the local OpenSSL 3.0 can still negotiate (not RC4 or 3DES).</summary>
    public bool LocalOpenSslCanNegotiate => !Name.Contains("RC4", StringComparison.Ordinal) && !Name.Contains("3DES", StringComparison.Ordinal);

    /// <summary>True for TLS 1.3 suites (configured with -ciphersuites, not -cipher).</summary>
    public bool IsTls13 => Code is >= 0x1301 and <= 0x1305;

    public override string ToString() => Name;
}

/// <summary>The suites the catalogue uses (IANA names; OpenSSL and GnuTLS spellings alongside).</summary>
public static class PeerSuites
{
    public static readonly PeerSuite RsaAes128CbcSha = new(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", "RSA", "AES-128-CBC", "SHA1");
    public static readonly PeerSuite RsaAes256CbcSha = new(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", "RSA", "AES-256-CBC", "SHA1");
    public static readonly PeerSuite DheRsaAes128CbcSha = new(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA-AES128-SHA", "DHE-RSA", "AES-128-CBC", "SHA1");
    public static readonly PeerSuite DheRsaAes256CbcSha = new(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA", "DHE-RSA", "AES-256-CBC", "SHA1");
    public static readonly PeerSuite RsaAes128GcmSha256 = new(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", "RSA", "AES-128-GCM", "AEAD");
    public static readonly PeerSuite Rsa3DesEdeCbcSha = new(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", "RSA", "3DES-CBC", "SHA1");
    public static readonly PeerSuite RsaRc4128Sha = new(0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA", "RSA", "ARCFOUR-128", "SHA1");
    public static readonly PeerSuite RsaRc4128Md5 = new(0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RC4-MD5", "RSA", "ARCFOUR-128", "MD5");
    public static readonly PeerSuite EcdheRsaAes128CbcSha256 = new(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", "ECDHE-RSA", "AES-128-CBC", "SHA256");
    public static readonly PeerSuite EcdheRsaAes128GcmSha256 = new(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA", "AES-128-GCM", "AEAD");
    public static readonly PeerSuite EcdheRsaAes256GcmSha384 = new(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA", "AES-256-GCM", "AEAD");
    public static readonly PeerSuite EcdheRsaChaCha20Poly1305 = new(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD");
    public static readonly PeerSuite EcdheEcdsaAes128GcmSha256 = new(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA", "AES-128-GCM", "AEAD");
    public static readonly PeerSuite EcdheEcdsaAes256GcmSha384 = new(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA", "AES-256-GCM", "AEAD");
    public static readonly PeerSuite Tls13Aes128GcmSha256 = new(0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256");
    public static readonly PeerSuite Tls13Aes256GcmSha384 = new(0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384");
    public static readonly PeerSuite Tls13ChaCha20Poly1305Sha256 = new(0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256");
}

/// <summary>
/// A named test server and the facts a test may assert about it. Every fact here is checked against
/// the running server by the sanity tests in TlsDoctor.Probe.Tests/Peers.
/// </summary>
/// <param name="Target">Catalogue name.</param>
/// <param name="Engine">openssl s_server or gnutls-serv.</param>
/// <param name="Versions">Every version the server accepts, oldest first; it refuses all others.</param>
/// <param name="Suites">The suites it accepts (each in every one of <paramref name="Versions"/>); its preference order when <paramref name="ServerOrder"/>, else the configured order.</param>
/// <param name="ServerOrder">True when the server picks by its own order (-serverpref / %SERVER_PRECEDENCE); false: first client suite it accepts.</param>
/// <param name="DhBits">Size of the server's finite-field DH group in DHE handshakes where the client offers no RFC 7919 group; null without DHE suites.</param>
/// <param name="Groups">IANA names of the ECDHE groups it accepts, its preference first; empty without ECDHE (and TLS 1.3).</param>
/// <param name="Certificate">The certificate (chain) it sends; facts in <see cref="CertificateFacts"/>.</param>
/// <param name="ClientNeedsSeclevelShim">True when a stock OpenSSL 3.0 client can only connect with the SECLEVEL shim (DH below 1024 bits, or an RSA-1024 key).</param>
/// <param name="Notes">Anything else worth knowing.</param>
public sealed record PeerSpec(
    PeerTarget Target,
    PeerEngine Engine,
    IReadOnlyList<TlsVersion> Versions,
    IReadOnlyList<PeerSuite> Suites,
    bool ServerOrder,
    int? DhBits,
    IReadOnlyList<string> Groups,
    PeerCertificate Certificate,
    bool ClientNeedsSeclevelShim,
    string Notes)
{
    /// <summary>DH size when the client offers RFC 7919 FFDHE groups (GnuTLS then picks ffdhe2048); null when that changes nothing.</summary>
    public int? DhBitsWhenClientOffersFfdhe { get; init; }

    /// <summary>RFC 7919 groups it accepts for TLS ≤ 1.2 DHE, its preference first; empty when it ignores them.</summary>
    public IReadOnlyList<string> FfdheGroups { get; init; } = [];

    /// <summary>GnuTLS priority string (gnutls-serv targets only).</summary>
    public string? GnuTlsPriority { get; init; }

    /// <summary>True when the server runs under the SECLEVEL shim (openssl targets with weak DH or a weak key).</summary>
    public bool ServerNeedsSeclevelShim => Engine == PeerEngine.OpenSsl && ClientNeedsSeclevelShim;

    public CertificateFacts CertificateFacts => CertificateFacts.For(Certificate);
    public TlsVersion MinVersion => Versions[0];
    public TlsVersion MaxVersion => Versions[^1];
}
