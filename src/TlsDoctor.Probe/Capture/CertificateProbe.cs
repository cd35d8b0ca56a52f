using System.Collections.Immutable;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using TlsDoctor.Core;
using BcAlert = Org.BouncyCastle.Tls.AlertDescription;
using BcCipherSuite = Org.BouncyCastle.Tls.CipherSuite;
using CoreAlert = TlsDoctor.Core.AlertDescription;

namespace TlsDoctor.Probe.Capture;

/// <summary>One certificate the listener can present: what it is, and the key material BouncyCastle serves it with.</summary>
public sealed record ProbeCertificate(string Label, CertificateSpec Spec, CertificateInfo Info, byte[] Der, AsymmetricKeyParameter PrivateKey)
{
    /// <summary>True for an EC (ECDSA) key.</summary>
    public bool IsEc => Spec.Key == CertificateKeyKind.EcP256;

    /// <summary>Issuer certificates (DER) sent after the leaf, e.g. the private CA of `cert new --ca`.</summary>
    public ImmutableArray<byte[]> Issuers { get; init; } = [];
}

/// <summary>What a device did with one presented certificate.</summary>
public enum CertificateVerdict
{
    /// <summary>Handshake completed: the device verified and trusted the certificate.</summary>
    Accepted,
    /// <summary>Aborted with unknown_ca: the device could process the key and signature but does not trust the issuer.</summary>
    Untrusted,
    /// <summary>Aborted after the certificate with another alert, or closed: the key size or signature is not supported.</summary>
    Rejected,
    /// <summary>The device offers no cipher suite or version this certificate can be used with; nothing learned.</summary>
    NotApplicable,
    /// <summary>The connection failed before the certificate was sent (timeout, reset).</summary>
    Error,
}

/// <summary>One presented certificate and the device's reaction.</summary>
/// <param name="Connection">Connection number within the listen run; null when no connection was spent (not applicable).</param>
/// <param name="CertificateSent">True when the server got as far as sending the certificate.</param>
public sealed record CertificateProbeAttempt(
    int? Connection,
    string Certificate,
    string KeyAlgorithm,
    int KeyBits,
    string SignatureAlgorithm,
    string Sha256,
    CertificateVerdict Verdict,
    CoreAlert? Alert,
    bool AlertSentByDevice,
    bool CertificateSent,
    TlsVersion? Version,
    string? CipherSuite,
    string Detail)
{
    /// <summary>True when the connection failed because the device went silent (a read timed out), not because it said no.</summary>
    public bool TimedOut { get; init; }
}

/// <summary>How a learning connection narrows the server: one version, some suites, a DH group size.</summary>
/// <param name="Version">The only version the server accepts; null = TLS 1.0-1.3.</param>
/// <param name="Suites">The only suites it accepts (IANA codes); null = every suite the certificate can serve.</param>
/// <param name="DhBits">Size of the DH group for DHE suites (1024, 2048, 3072, 4096); null = BouncyCastle's choice.</param>
public sealed record ServeRestrictions(TlsVersion? Version, ImmutableArray<int>? Suites, int? DhBits);

/// <summary>What the attempts say about the device's certificate support.</summary>
/// <param name="Strongest">Label of the strongest certificate the device can process (accepted or merely untrusted).</param>
/// <param name="ChecksTrust">True when it refused an unknown issuer, false when it completed with one, null when unseen.</param>
public sealed record CertificateProbeSummary(
    string? Strongest,
    int? RsaMaxBits,
    ImmutableArray<string> AcceptedCertificateHashes,
    ImmutableArray<string> AcceptedCertificateKeys,
    bool? ChecksTrust,
    string Explanation)
{
    /// <summary>
    /// Infers limits only from contrasts: RSA size when a larger key with an accepted hash was rejected, hashes when a
    /// certificate of an accepted key size was rejected for its hash, key types when one type worked and the other did not.
    /// </summary>
    public static CertificateProbeSummary From(IReadOnlyList<CertificateProbeAttempt> attempts)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        var ok = attempts.Where(a => a.Verdict is CertificateVerdict.Accepted or CertificateVerdict.Untrusted).ToList();
        var bad = attempts.Where(a => a.Verdict == CertificateVerdict.Rejected).ToList();
        var okHashes = ok.Select(a => SignatureAlgorithms.HashOf(a.SignatureAlgorithm)).OfType<string>().Distinct().ToList();
        var okRsa = ok.Where(a => a.KeyAlgorithm == "RSA").Select(a => a.KeyBits).DefaultIfEmpty(0).Max();

        int? rsaMax = null;
        if (okRsa > 0 && bad.Any(a => a.KeyAlgorithm == "RSA" && a.KeyBits > okRsa && okHashes.Contains(SignatureAlgorithms.HashOf(a.SignatureAlgorithm) ?? "")))
            rsaMax = okRsa;

        ImmutableArray<string> hashes = [];
        if (okHashes.Count > 0 && bad.Any(a => a.KeyAlgorithm == "RSA" && a.KeyBits <= okRsa && !okHashes.Contains(SignatureAlgorithms.HashOf(a.SignatureAlgorithm) ?? "")))
            hashes = [.. okHashes.Order(StringComparer.Ordinal)];

        ImmutableArray<string> keys = [];
        var okKeys = ok.Select(a => a.KeyAlgorithm).Distinct().ToList();
        var badKeys = bad.Select(a => a.KeyAlgorithm).Distinct().Where(k => !okKeys.Contains(k)).ToList();
        if (okKeys.Count > 0 && badKeys.Count > 0) keys = [.. okKeys.Order(StringComparer.Ordinal)];

        bool? trust = attempts.Any(a => a.Verdict == CertificateVerdict.Untrusted) ? true
            : attempts.Any(a => a.Verdict == CertificateVerdict.Accepted) ? false : null;
        var strongest = ok.FirstOrDefault()?.Certificate;

        var parts = new List<string>();
        parts.Add(strongest is null ? "the device processed none of the certificates presented" : $"strongest certificate the device can process: {strongest}");
        if (rsaMax is { } m) parts.Add($"RSA keys up to {m} bits");
        if (!hashes.IsEmpty) parts.Add($"signature hashes {string.Join(", ", hashes)} only");
        if (!keys.IsEmpty) parts.Add($"key types {string.Join(", ", keys)} only");
        if (trust == true) parts.Add("it checks trust (unknown_ca for an unknown issuer): import the certificate or its CA into the device");
        if (trust == false) parts.Add("it completed with a self-signed certificate it was never given (no trust check)");
        return new CertificateProbeSummary(strongest, rsaMax, hashes, keys, trust, string.Join("; ", parts));
    }

    /// <summary>The profile with what was learned filled in (only facts the attempts support).</summary>
    public ClientProfile ApplyTo(ClientProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return profile with
        {
            RsaMaxBits = RsaMaxBits ?? profile.RsaMaxBits,
            AcceptedCertificateHashes = AcceptedCertificateHashes.IsEmpty ? profile.AcceptedCertificateHashes : AcceptedCertificateHashes,
            AcceptedCertificateKeys = AcceptedCertificateKeys.IsEmpty ? profile.AcceptedCertificateKeys : AcceptedCertificateKeys,
        };
    }
}

/// <summary>The certificates `listen --probe-certs` presents, strongest first, and the TLS server that presents them.</summary>
public static class CertificateProbe
{
    /// <summary>
    /// RSA-2048/SHA-256, RSA-2048/SHA-1, RSA-1024/SHA-1, ECDSA-P256/SHA-256, then RSA-1024/SHA-256 which tells a
    /// hash limit from a key-size limit when RSA-2048/SHA-256 fails.
    /// </summary>
    public static ImmutableArray<ProbeCertificate> CreateDefaultSet(string commonName = "tlsdoctor-probe")
    {
        (CertificateKeyKind Key, string Hash)[] order =
        [
            (CertificateKeyKind.Rsa2048, "sha256"), (CertificateKeyKind.Rsa2048, "sha1"), (CertificateKeyKind.Rsa1024, "sha1"),
            (CertificateKeyKind.EcP256, "sha256"), (CertificateKeyKind.Rsa1024, "sha256"),
        ];
        return [.. order.Select(o => Create(new CertificateSpec(o.Key, o.Hash, commonName, [commonName, "127.0.0.1"], 825)))];
    }

    /// <summary>A self-signed certificate for the spec, ready for BouncyCastle.</summary>
    public static ProbeCertificate Create(CertificateSpec spec)
    {
        using var generated = CertificateBuilder.SelfSigned(spec);
        var der = generated.Certificate.RawData;
        var key = PrivateKeyFactory.CreateKey(generated.Pkcs8());
        return new ProbeCertificate(spec.Label, spec, CertificateInfo.FromDer(der), der, key);
    }

    /// <summary>A certificate generated elsewhere (e.g. by `cert new`): the leaf, its PKCS#8 private key and the issuers to send after it.</summary>
    public static ProbeCertificate FromGenerated(GeneratedCertificate generated, CertificateSpec spec)
    {
        ArgumentNullException.ThrowIfNull(generated);
        var der = generated.Certificate.RawData;
        return new ProbeCertificate(spec.Label, spec, CertificateInfo.FromDer(der), der, PrivateKeyFactory.CreateKey(generated.Pkcs8()))
        {
            Issuers = generated.Issuer is { } ca ? [ca.RawData] : [],
        };
    }

    /// <summary>True when the hello offers a version and suite this certificate can be served with.</summary>
    public static bool IsApplicable(ProbeCertificate cert, ClientHelloFacts hello)
    {
        ArgumentNullException.ThrowIfNull(cert);
        ArgumentNullException.ThrowIfNull(hello);
        if (hello.Format == HelloFormat.Sslv2 && hello.LegacyVersion == 0x0002) return false;
        var versions = CaptureProfiles.Versions(hello);
        if (versions.Contains(TlsVersion.TLSv1_3) && hello.CipherSuites.Any(c => c is >= 0x1301 and <= 0x1303)) return true;
        var want = cert.IsEc ? Authentication.ECDSA : Authentication.RSA;
        return hello.CipherSuites.Select(CipherSuites.Get).Any(s => s.Known && s.Authentication == want
            && s.KeyExchange is KeyExchange.RSA or KeyExchange.DHE or KeyExchange.ECDHE && ServedSuites(cert).Contains(s.Code));
    }

    /// <summary>
    /// Serves one handshake with the certificate on the stream (the ClientHello bytes already read must be replayed in
    /// front of it). Blocking: run on a dedicated thread; the stream's read timeouts bound it.
    /// </summary>
    public static CertificateProbeAttempt Serve(Stream stream, ProbeCertificate cert, int connection, ServeRestrictions? restrict = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(cert);
        var server = new ProbeServer(new BcTlsCrypto(new SecureRandom()), cert, restrict);
        CertificateProbeAttempt Make(CertificateVerdict v, CoreAlert? alert, bool byDevice, string detail) => new(
            connection, cert.Label, cert.Info.KeyAlgorithm, cert.Info.KeyBits, cert.Info.SignatureAlgorithm, cert.Info.Sha256,
            v, alert, byDevice, server.CertificateSent, server.Version, server.Suite, detail);
        try
        {
            var protocol = new TlsServerProtocol(stream);
            protocol.Accept(server);
            try { protocol.Close(); } catch (IOException) { /* the device may already be gone */ }
            return Make(CertificateVerdict.Accepted, null, false, "handshake completed");
        }
        catch (TlsFatalAlertReceived e)
        {
            var alert = (CoreAlert)e.AlertDescription;
            if (!server.CertificateSent)
                return Make(CertificateVerdict.Error, alert, true, $"device sent {BcAlert.GetText(e.AlertDescription)} before the certificate");
            return alert == CoreAlert.UnknownCa
                ? Make(CertificateVerdict.Untrusted, alert, true, "device sent unknown_ca: it can verify this certificate type but does not trust the issuer")
                : Make(CertificateVerdict.Rejected, alert, true, $"device aborted with {BcAlert.GetText(e.AlertDescription)} after the certificate"
                    + (alert == CoreAlert.CertificateUnknown ? " (certificate_unknown may also mean untrusted)" : ""));
        }
        catch (TlsFatalAlert e)
        {
            if (!server.CertificateSent)
                return Make(CertificateVerdict.NotApplicable, null, false, $"server could not use this certificate: {e.Message}");
            return Make(CertificateVerdict.Rejected, (CoreAlert)e.AlertDescription, false, $"handshake failed after the certificate: {e.Message}");
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or ObjectDisposedException or TlsException or System.Net.Sockets.SocketException)
        {
            var silent = e is IOException { InnerException: System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.TimedOut } }
                || e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.TimedOut };
            return (server.CertificateSent
                ? Make(CertificateVerdict.Rejected, null, false, silent
                    ? $"device went silent after the certificate ({e.Message})"
                    : $"device closed the connection after the certificate without an alert ({e.Message})")
                : Make(CertificateVerdict.Error, null, false, $"connection failed before the certificate: {e.Message}")) with { TimedOut = silent };
        }
    }

    internal static int[] ServedSuites(ProbeCertificate cert) => cert.IsEc
        ?
        [
            BcCipherSuite.TLS_AES_128_GCM_SHA256, BcCipherSuite.TLS_AES_256_GCM_SHA384, BcCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
            BcCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, BcCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            BcCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            BcCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, BcCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
            BcCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, BcCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
            BcCipherSuite.TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA,
        ]
        :
        [
            BcCipherSuite.TLS_AES_128_GCM_SHA256, BcCipherSuite.TLS_AES_256_GCM_SHA384, BcCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
            BcCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, BcCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            BcCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            BcCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, BcCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
            BcCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, BcCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
            BcCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, BcCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
            BcCipherSuite.TLS_DHE_RSA_WITH_AES_128_CBC_SHA256, BcCipherSuite.TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
            BcCipherSuite.TLS_DHE_RSA_WITH_AES_128_CBC_SHA, BcCipherSuite.TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
            BcCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, BcCipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384,
            BcCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA256, BcCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA256,
            BcCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA, BcCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA,
            BcCipherSuite.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, BcCipherSuite.TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA,
            BcCipherSuite.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
        ];

    /// <summary>BouncyCastle server presenting one certificate; TLS 1.0-1.3 so old devices get as far as the certificate.</summary>
    private sealed class ProbeServer(BcTlsCrypto crypto, ProbeCertificate cert, ServeRestrictions? restrict) : DefaultTlsServer(crypto)
    {
        private readonly BcTlsCrypto _crypto = crypto;

        public bool CertificateSent { get; private set; }
        public TlsVersion? Version { get; private set; }
        public string? Suite { get; private set; }

        protected override ProtocolVersion[] GetSupportedVersions() => restrict?.Version is { } v
            ? [ProtocolVersion.Get((int)v >> 8, (int)v & 0xFF)]
            : ProtocolVersion.TLSv13.DownTo(ProtocolVersion.TLSv10);

        protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto,
            restrict?.Suites is { } only ? [.. ServedSuites(cert).Where(only.Contains)] : ServedSuites(cert));

        // The Terminal Server's DH group size, so a client with a DH limit meets the size it would meet there.
        public override TlsDHConfig GetDHConfig() => restrict?.DhBits switch
        {
            1024 => new TlsDHConfig(DHStandardGroups.rfc2409_1024),
            2048 => new TlsDHConfig(Org.BouncyCastle.Tls.NamedGroup.ffdhe2048, false),
            3072 => new TlsDHConfig(Org.BouncyCastle.Tls.NamedGroup.ffdhe3072, false),
            4096 => new TlsDHConfig(Org.BouncyCastle.Tls.NamedGroup.ffdhe4096, false),
            _ => base.GetDHConfig(),
        };

        public override TlsCredentials GetCredentials()
        {
            var version = m_context.ServerVersion;
            Version = (TlsVersion)(ushort)((version.MajorVersion << 8) | version.MinorVersion);
            Suite = Core.CipherSuites.Get((ushort)m_context.SecurityParameters.CipherSuite).Name;
            var isTls13 = TlsUtilities.IsTlsV13(version);
            var certs = new[] { cert.Der }.Concat(cert.Issuers).Select(d => Crypto.CreateCertificate(d)).ToArray();
            var chain = isTls13
                ? new Certificate(TlsUtilities.EmptyBytes, [.. certs.Select(c => new CertificateEntry(c, null))])
                : new Certificate(certs);
            var kx = m_context.SecurityParameters.KeyExchangeAlgorithm;
            TlsCredentials credentials = !isTls13 && kx == KeyExchangeAlgorithm.RSA
                ? new BcDefaultTlsCredentialedDecryptor(_crypto, chain, cert.PrivateKey)
                : new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(m_context), _crypto, cert.PrivateKey, chain, Signature(version, isTls13));
            // From here on the device's next move is a verdict on the certificate.
            CertificateSent = true;
            return credentials;
        }

        private SignatureAndHashAlgorithm? Signature(ProtocolVersion version, bool isTls13)
        {
            if (!TlsUtilities.IsSignatureAlgorithmsExtensionAllowed(version)) return null;
            var offered = m_context.SecurityParameters.ClientSigAlgs;
            var ec = cert.IsEc;
            if (offered is null || offered.Count == 0)
                return ec ? SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha1, SignatureAlgorithm.ecdsa)
                    : isTls13 ? SignatureAndHashAlgorithm.rsa_pss_rsae_sha256 : SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha1, SignatureAlgorithm.rsa);
            foreach (var alg in offered)
            {
                var usable = ec
                    ? alg.Signature == SignatureAlgorithm.ecdsa && (!isTls13 || alg.Hash == HashAlgorithm.sha256)
                    : alg.Signature is SignatureAlgorithm.rsa_pss_rsae_sha256 or SignatureAlgorithm.rsa_pss_rsae_sha384 or SignatureAlgorithm.rsa_pss_rsae_sha512
                      || (!isTls13 && alg.Signature == SignatureAlgorithm.rsa);
                if (usable && Crypto.HasSignatureAndHashAlgorithm(alg)) return alg;
            }
            throw new TlsFatalAlert(BcAlert.handshake_failure, "the device offers no signature scheme for this key");
        }
    }
}
