using TlsDoctor.Core;
using static TlsDoctor.TestPeers.PeerSuites;

namespace TlsDoctor.TestPeers;

/// <summary>Named test servers; <see cref="PeerCatalog"/> holds the facts of each.</summary>
public enum PeerTarget
{
    OldMfdWeakDh,
    OldMfdWeakDhGnutls,
    Dh768,
    Dh1024,
    ModernTls12ServerOrder,
    Tls13Only,
    Tls10Tls11RsaOnly,
    Sha512Chain,
    Legacy3DesRc4,
    ClientOrder,
    EcdsaTls12,
}

/// <summary>The catalogue of test servers: one method per target returning its spec.</summary>
public static class PeerCatalog
{
    private const TlsVersion T10 = TlsVersion.TLSv1_0, T11 = TlsVersion.TLSv1_1, T12 = TlsVersion.TLSv1_2, T13 = TlsVersion.TLSv1_3;

    // Declared before All: static initialisers run in textual order.
    private static readonly PeerSuite[] OldMfdSuites = [DheRsaAes256CbcSha, DheRsaAes128CbcSha, RsaAes256CbcSha, RsaAes128CbcSha];

    /// <summary>Every target, in enum order.</summary>
    public static IReadOnlyList<PeerSpec> All { get; } = Enum.GetValues<PeerTarget>().Select(Get).ToArray();

    public static PeerSpec Get(PeerTarget target) => target switch
    {
        PeerTarget.OldMfdWeakDh => OldMfdWeakDh(),
        PeerTarget.OldMfdWeakDhGnutls => OldMfdWeakDhGnutls(),
        PeerTarget.Dh768 => Dh768(),
        PeerTarget.Dh1024 => Dh1024(),
        PeerTarget.ModernTls12ServerOrder => ModernTls12ServerOrder(),
        PeerTarget.Tls13Only => Tls13Only(),
        PeerTarget.Tls10Tls11RsaOnly => Tls10Tls11RsaOnly(),
        PeerTarget.Sha512Chain => Sha512Chain(),
        PeerTarget.Legacy3DesRc4 => Legacy3DesRc4(),
        PeerTarget.ClientOrder => ClientOrder(),
        PeerTarget.EcdsaTls12 => EcdsaTls12(),
        _ => throw new ArgumentOutOfRangeException(nameof(target)),
    };

    /// <summary>The guide's weak-DH printer: TLS 1.0 only, DHE-RSA then RSA suites in server order, DH 512, RSA-1024/SHA-1 CN=old-mfd.</summary>
    public static PeerSpec OldMfdWeakDh() => new(
        PeerTarget.OldMfdWeakDh, PeerEngine.OpenSsl, [T10], OldMfdSuites, ServerOrder: true, DhBits: 512, Groups: [],
        PeerCertificate.OldMfdRsa1024Sha1, ClientNeedsSeclevelShim: true,
        "openssl s_server under the SECLEVEL shim; ServerKeyExchange signed with MD5+SHA-1 (TLS 1.0).");

    /// <summary>The same printer served by GnuTLS: DH 512 unless the client offers an FFDHE group (RFC 7919), then ffdhe2048.</summary>
    public static PeerSpec OldMfdWeakDhGnutls() => new(
        PeerTarget.OldMfdWeakDhGnutls, PeerEngine.GnuTls, [T10], OldMfdSuites, ServerOrder: true, DhBits: 512, Groups: [],
        PeerCertificate.OldMfdRsa1024Sha1, ClientNeedsSeclevelShim: true,
        "gnutls-serv with --dhparams 512; a ClientHello whose supported_groups holds any ffdhe group gets ffdhe2048 (RFC 7919). " +
        "OpenSSL 3.0 clients send no ffdhe groups, so they see 512 bits.")
    {
        DhBitsWhenClientOffersFfdhe = 2048,
        FfdheGroups = ["ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192"],
        GnuTlsPriority = "NONE:+VERS-TLS1.0:+DHE-RSA:+RSA:+AES-256-CBC:+AES-128-CBC:+SHA1:+COMP-NULL:+SIGN-ALL:+GROUP-ALL:%SERVER_PRECEDENCE",
    };

    /// <summary>Weak-DH printer with a 768-bit group, TLS 1.0–1.2.</summary>
    public static PeerSpec Dh768() => OldMfdWeakDh() with
    {
        Target = PeerTarget.Dh768, Versions = [T10, T11, T12], DhBits = 768,
        Notes = "openssl s_server under the SECLEVEL shim; DH 768 in every version.",
    };

    /// <summary>Weak-DH printer with a 1024-bit group, TLS 1.0–1.2; runs without the shim (needs only @SECLEVEL=0 on both ends).</summary>
    public static PeerSpec Dh1024() => OldMfdWeakDh() with
    {
        Target = PeerTarget.Dh1024, Versions = [T10, T11, T12], DhBits = 1024, ClientNeedsSeclevelShim = false,
        Notes = "openssl s_server without the shim, cipher string @SECLEVEL=0; an OpenSSL 3.0 client needs @SECLEVEL=0 too.",
    };

    /// <summary>A modern TLS 1.2-only server: ECDHE-RSA only, its own order, groups x25519 then secp256r1, RSA-2048/SHA-256.</summary>
    public static PeerSpec ModernTls12ServerOrder() => new(
        PeerTarget.ModernTls12ServerOrder, PeerEngine.OpenSsl, [T12],
        [EcdheRsaAes256GcmSha384, EcdheRsaChaCha20Poly1305, EcdheRsaAes128GcmSha256, EcdheRsaAes128CbcSha256],
        ServerOrder: true, DhBits: null, Groups: ["x25519", "secp256r1"],
        PeerCertificate.Rsa2048Sha256, ClientNeedsSeclevelShim: false,
        "openssl s_server -serverpref -groups X25519:P-256; with -serverpref the group is the server's choice too.");

    /// <summary>TLS 1.3 only, three suites in server order, groups x25519, secp256r1, secp384r1.</summary>
    public static PeerSpec Tls13Only() => new(
        PeerTarget.Tls13Only, PeerEngine.OpenSsl, [T13],
        [Tls13Aes128GcmSha256, Tls13Aes256GcmSha384, Tls13ChaCha20Poly1305Sha256],
        ServerOrder: true, DhBits: null, Groups: ["x25519", "secp256r1", "secp384r1"],
        PeerCertificate.Rsa2048Sha256, ClientNeedsSeclevelShim: false,
        "openssl s_server -tls1_3 -ciphersuites ... -serverpref; the group follows the client's key_share when the server accepts it.");

    /// <summary>TLS 1.0 and 1.1 only, RSA key exchange only (AES256-SHA then AES128-SHA, server order), RSA-2048/SHA-256.</summary>
    public static PeerSpec Tls10Tls11RsaOnly() => new(
        PeerTarget.Tls10Tls11RsaOnly, PeerEngine.OpenSsl, [T10, T11], [RsaAes256CbcSha, RsaAes128CbcSha],
        ServerOrder: true, DhBits: null, Groups: [],
        PeerCertificate.Rsa2048Sha256, ClientNeedsSeclevelShim: false,
        "openssl s_server with @SECLEVEL=0 (at level 2 it answers TLS 1.0 with internal_error); a client needs only @SECLEVEL=0, no shim.");

    /// <summary>TLS 1.2 only, sends a two-certificate chain signed with SHA-512 (the guide's payment service).</summary>
    public static PeerSpec Sha512Chain() => new(
        PeerTarget.Sha512Chain, PeerEngine.OpenSsl, [T12], [EcdheRsaAes128GcmSha256, RsaAes128GcmSha256],
        ServerOrder: true, DhBits: null, Groups: ["secp256r1", "secp384r1"],
        PeerCertificate.Sha512Chain, ClientNeedsSeclevelShim: false,
        "openssl s_server -cert_chain: leaf CN=sha512-leaf then CA CN=sha512-ca, both sha512WithRSAEncryption.");

    /// <summary>GnuTLS with RC4 and 3DES (which OpenSSL 3.0 cannot serve), RSA key exchange, TLS 1.0–1.2, server order.</summary>
    public static PeerSpec Legacy3DesRc4() => new(
        PeerTarget.Legacy3DesRc4, PeerEngine.GnuTls, [T10, T11, T12],
        [Rsa3DesEdeCbcSha, RsaRc4128Sha, RsaRc4128Md5, RsaAes128CbcSha],
        ServerOrder: true, DhBits: null, Groups: [],
        PeerCertificate.Rsa2048Sha256, ClientNeedsSeclevelShim: false,
        "gnutls-serv; only gnutls-cli (not the local openssl) can negotiate the RC4 and 3DES suites.")
    {
        GnuTlsPriority = "NONE:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:+RSA:+3DES-CBC:+ARCFOUR-128:+AES-128-CBC:+SHA1:+MD5:+COMP-NULL:+SIGN-ALL:+GROUP-ALL:%SERVER_PRECEDENCE",
    };

    /// <summary>TLS 1.2 without -serverpref: the server takes the first suite of the client's list that it accepts.</summary>
    public static PeerSpec ClientOrder() => new(
        PeerTarget.ClientOrder, PeerEngine.OpenSsl, [T12],
        [EcdheRsaAes128GcmSha256, EcdheRsaAes256GcmSha384, EcdheRsaChaCha20Poly1305, RsaAes128GcmSha256],
        ServerOrder: false, DhBits: null, Groups: ["x25519", "secp256r1"],
        PeerCertificate.Rsa2048Sha256, ClientNeedsSeclevelShim: false,
        "openssl s_server without -serverpref.");

    /// <summary>TLS 1.2 only with an ECDSA P-256 certificate and ECDHE-ECDSA suites in server order.</summary>
    public static PeerSpec EcdsaTls12() => new(
        PeerTarget.EcdsaTls12, PeerEngine.OpenSsl, [T12], [EcdheEcdsaAes256GcmSha384, EcdheEcdsaAes128GcmSha256],
        ServerOrder: true, DhBits: null, Groups: ["secp256r1"],
        PeerCertificate.EcdsaP256, ClientNeedsSeclevelShim: false,
        "openssl s_server -serverpref -groups P-256. In TLS 1.2 the certificate's curve must also be in the client's " +
        "supported_groups (RFC 8422 §5.1): a client offering only x25519 gets handshake_failure.");
}
