using TlsDoctor.Core;

namespace TlsDoctor.TestPeers;

/// <summary>
/// The one builder of hand-made profiles for tests that need no network: a certificate, a server (what a device
/// accepts) and a client (what a device or Windows offers), each from names, with defaults a test overrides by name.
/// </summary>
public static class TestProfiles
{
    /// <summary>The clock of tests that check certificate dates.</summary>
    public static readonly DateTimeOffset Now = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A suite by IANA name (registry or derived).</summary>
    public static CipherSuite S(string name) => Vocabulary.Suite(name);

    /// <summary>A certificate: RSA 2048 / SHA-256, self-signed, valid 2020-2040 unless told otherwise.</summary>
    public static CertificateInfo Cert(string subject = "CN=device", int bits = 2048, string sig = "sha256WithRSAEncryption",
        string key = "RSA", bool selfSigned = true, string fp = "aa11", DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null,
        string[]? sans = null) =>
        new(subject, selfSigned ? subject : "CN=ca", notBefore ?? new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
            notAfter ?? new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero), key, bits, key == "EC" ? "secp256r1" : null, sig,
            [.. sans ?? []], selfSigned, fp, "");

    /// <summary>A server accepting the suites in each given version (those valid there), DHE suites with <paramref name="dhBits"/>.</summary>
    public static ServerProfile Server(TlsVersion[] versions, string[] suites, int? dhBits = 2048, bool? serverOrder = false,
        string[]? groups = null, CertificateInfo? cert = null, params Behaviour[] behaviours) =>
        new([.. TlsVersions.All.Select(v => versions.Contains(v)
                ? new ProtocolSupport(v, true, serverOrder, [.. suites.Select(S).Where(s => s.ValidIn(v))
                    .Select(s => new AcceptedSuite(s, s.KeyExchange.IsFiniteFieldDh() ? dhBits : null))])
                : ProtocolSupport.NotSupported(v))],
            [.. (groups ?? ["secp256r1"]).Select(Vocabulary.Group)], [], [cert ?? Cert()], [.. behaviours]);

    /// <summary>A client offering the versions and suites, with the given groups and signature schemes (TLS 1.2-style defaults).</summary>
    public static ClientProfile Client(TlsVersion[] versions, string[] suites, string[]? groups = null, string[]? schemes = null, string name = "test client",
        string[]? extensions = null) =>
        new(name, [.. versions], [.. suites.Select(S)], [.. (groups ?? ["x25519", "secp256r1", "secp384r1"]).Select(Vocabulary.Group)],
            [.. (schemes ?? ["rsa_pkcs1_sha256", "rsa_pkcs1_sha384", "rsa_pkcs1_sha1", "ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256"]).Select(Vocabulary.Scheme)],
            [.. extensions ?? ["server_name", "renegotiation_info"]]);
}
