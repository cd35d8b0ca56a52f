using Org.BouncyCastle.Math;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;

namespace TlsDoctor.Lab.Servers;

/// <summary>How one BouncyCastle-served profile behaves: versions, suites in preference order, DH group, quirks.</summary>
internal sealed record LabServerSpec(
    ProtocolVersion[] Versions,
    int[] CipherSuites,
    DHGroup? DhGroup,
    bool BrokenDhLeadingZero = false,
    bool FailTls12Finished = false)
{
    /// <summary>Answers a ClientHello offering more suites than this with decode_error (a fixed-size parser buffer).</summary>
    public int? MaxHelloSuites { get; init; }

    /// <summary>Closes the connection when the ClientHello carries status_request (OCSP stapling).</summary>
    public bool RejectStatusRequest { get; init; }

    /// <summary>Honours RFC 7919 FFDHE groups from this version on: a client offering ffdhe2048 or ffdhe3072 gets that
    /// group (the first of them in the client's order); everything else gets <see cref="DhGroup"/>.</summary>
    public ProtocolVersion? FfdheFrom { get; init; }

    /// <summary>Go's rule: its own order, except that a client listing ChaCha20-Poly1305 before AES-GCM gets ChaCha20 first.</summary>
    public bool ChaChaForChaChaClients { get; init; }
    // Private exponents of 256 bits (the last DHGroup argument), as OpenSSL and most firmware use: a full-size
    // exponent makes each of the server's two modexps 4x dearer and the lab's 2,000-handshake test CPU-bound.
    private const int PrivateValueBits = 256;

    // A 512-bit safe-prime group (openssl dhparam 512): what export-era firmware shipped.
    private static readonly DHGroup Dh512 = new(
        new BigInteger("896221c343186ba2e7e141e2d9867b74b90a1d5fa17599a9e7d126bf7e3055db6196f4dfbcc4b36db5bba1dec4bdbaca05105016de8a62feed86252e46c1e1d7", 16),
        null, BigInteger.Two, PrivateValueBits);

    // RFC 2409 Oakley group 2 (1024 bits): p is just below 2^1024, so P(Z < 2^1016) is 1/256 almost exactly.
    private static readonly DHGroup Dh1024 = new(DHStandardGroups.rfc2409_1024.P, null, DHStandardGroups.rfc2409_1024.G, PrivateValueBits);

    /// <summary>The spec of a BouncyCastle-served profile; null for profiles served otherwise.</summary>
    public static LabServerSpec? For(string profile) => profile switch
    {
        LabProfiles.MfdWeakDh => new(
            ProtocolVersion.TLSv10.Only(),
            [
                CipherSuite.TLS_DHE_RSA_WITH_AES_256_CBC_SHA, CipherSuite.TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
                CipherSuite.TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA,
                CipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA, CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA,
                CipherSuite.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
            ],
            Dh512),
        LabProfiles.MfdBrokenDh => new(
            ProtocolVersion.TLSv12.DownTo(ProtocolVersion.TLSv10),
            [
                CipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
                CipherSuite.TLS_DHE_RSA_WITH_AES_256_CBC_SHA256, CipherSuite.TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
                CipherSuite.TLS_DHE_RSA_WITH_AES_256_CBC_SHA, CipherSuite.TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
                CipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA, CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA,
            ],
            Dh1024, BrokenDhLeadingZero: true),
        LabProfiles.MfdFakeTls12 => new(
            ProtocolVersion.TLSv12.DownTo(ProtocolVersion.TLSv10),
            [
                CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA256,
                CipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA, CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA,
                CipherSuite.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
            ],
            null, FailTls12Finished: true),
        LabProfiles.MfdTls12Only => new(
            ProtocolVersion.TLSv12.Only(),
            [
                CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
            ],
            null),
        LabProfiles.PaymentSha512 => new(
            ProtocolVersion.TLSv12.Only(),
            [
                CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                CipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384, CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
            ],
            null),
        LabProfiles.MfdModern => new(
            ProtocolVersion.TLSv13.DownTo(ProtocolVersion.TLSv12),
            [
                CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
                CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                // A healthy device still serves the CBC suites that Windows 2012 R2 and older offer with ECDHE.
                CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
            ],
            null),
        _ => FieldReport(profile),
    };

    // The devices that reproduce what issue 15 found on real stacks (size caps, status_request, RFC 7919, Go's order).
    private static LabServerSpec? FieldReport(string profile) => profile switch
    {
        LabProfiles.MfdHelloLimit => new(
            ProtocolVersion.TLSv13.DownTo(ProtocolVersion.TLSv12),
            [
                CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_AES_128_GCM_SHA256,
                // The favourite is no suite a short hello offers first: it is found in a later chunk.
                CipherSuite.TLS_RSA_WITH_AES_256_CCM,
                CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            ],
            null) { MaxHelloSuites = 150 },
        // Two suites found in different chunks: picking the later-found one first is what a server following the client
        // does too, so only the pair probe tells its order.
        LabProfiles.MfdChunkedOrder => new(
            ProtocolVersion.TLSv12.Only(),
            [CipherSuite.TLS_RSA_WITH_AES_256_CCM, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256],
            null) { MaxHelloSuites = 150 },
        LabProfiles.MfdNoOcsp => new(
            ProtocolVersion.TLSv13.Only(),
            [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384],
            null) { RejectStatusRequest = true },
        LabProfiles.MfdFfdhe => new(
            ProtocolVersion.TLSv12.DownTo(ProtocolVersion.TLSv10),
            [
                CipherSuite.TLS_DHE_RSA_WITH_AES_256_CBC_SHA, CipherSuite.TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
                CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA,
            ],
            Dh1024) { FfdheFrom = ProtocolVersion.TLSv12 },
        LabProfiles.MfdChaChaOrder => new(
            ProtocolVersion.TLSv13.DownTo(ProtocolVersion.TLSv12),
            [
                CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
                CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            ],
            null) { ChaChaForChaChaClients = true },
        _ => null,
    };
}
