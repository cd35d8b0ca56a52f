using System.Security.Cryptography;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using TlsDoctor.Core;
using BcAlert = Org.BouncyCastle.Tls.AlertDescription;
using BcCipherSuite = Org.BouncyCastle.Tls.CipherSuite;
using BcHash = Org.BouncyCastle.Tls.HashAlgorithm;

namespace TlsDoctor.Lab;

/// <summary>What a lab device client offers and what it can verify; it trusts any issuer (no trust list), like many devices.</summary>
/// <param name="Versions">Offered versions (BouncyCastle sends no supported_versions below TLS 1.3).</param>
/// <param name="SignatureHashes">signature_algorithms as RSA PKCS#1 hashes (HashAlgorithm codes), in order.</param>
/// <param name="CertificateSignatureOids">Certificate signature algorithms the firmware verifies; empty = any.</param>
/// <param name="RsaMaxBits">Largest RSA certificate key it verifies.</param>
/// <param name="TrustedSha256">Certificates it trusts (SHA-256, lower-case hex); null = any issuer.</param>
internal sealed record DeviceClientSpec(ProtocolVersion[] Versions, int[] Suites, short[] SignatureHashes, string[] CertificateSignatureOids, int RsaMaxBits,
    IReadOnlySet<string>? TrustedSha256 = null);

/// <summary>The BouncyCastle client behind the lab's device clients.</summary>
internal sealed class DeviceTlsClient(BcTlsCrypto crypto, DeviceClientSpec spec) : DefaultTlsClient(crypto)
{
    private const string Sha1WithRsa = "1.2.840.113549.1.1.5";
    private const string Md5WithRsa = "1.2.840.113549.1.1.4";

    public LabClientStage Stage { get; private set; } = LabClientStage.Connect;
    private TlsVersion? _version;
    private string? _certSha256;

    public LabClientResult Result(bool completed, Core.AlertDescription? alert, bool sent, LabClientStage stage, string reason) =>
        new(completed, alert, sent, stage, reason) { Version = _version, ServerCertificateSha256 = _certSha256 };

    protected override ProtocolVersion[] GetSupportedVersions() => spec.Versions;

    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto, spec.Suites);

    protected override IList<SignatureAndHashAlgorithm> GetSupportedSignatureAlgorithms() =>
        [.. spec.SignatureHashes.Select(h => SignatureAndHashAlgorithm.GetInstance(h, SignatureAlgorithm.rsa))];

    // Firmware of that era takes whatever DH group the server sends.
    public override TlsDHGroupVerifier GetDHGroupVerifier() => new AnyDhGroup();

    public override void NotifyServerVersion(ProtocolVersion serverVersion)
    {
        base.NotifyServerVersion(serverVersion);
        _version = (TlsVersion)(ushort)((serverVersion.MajorVersion << 8) | serverVersion.MinorVersion);
        Stage = LabClientStage.ServerHello;
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        Stage = LabClientStage.Completed;
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    private void Check(TlsServerCertificate serverCertificate)
    {
        Stage = LabClientStage.Certificate;
        var chain = serverCertificate.Certificate;
        if (chain is null || chain.IsEmpty) throw new TlsFatalAlert(BcAlert.bad_certificate, "server sent no certificate");
        var leafDer = chain.GetCertificateAt(0).GetEncoded();
        _certSha256 = Convert.ToHexStringLower(SHA256.HashData(leafDer));
        var leaf = new Org.BouncyCastle.X509.X509Certificate(leafDer);
        if (leaf.GetPublicKey() is not Org.BouncyCastle.Crypto.Parameters.RsaKeyParameters rsa)
            throw new TlsFatalAlert(BcAlert.unsupported_certificate, "device verifies RSA certificates only");
        if (rsa.Modulus.BitLength > spec.RsaMaxBits)
            throw new TlsFatalAlert(BcAlert.unsupported_certificate, $"device supports RSA keys up to {spec.RsaMaxBits} bits, server key has {rsa.Modulus.BitLength}");
        if (spec.CertificateSignatureOids.Length > 0)
            foreach (var tls in chain.GetCertificateList())
            {
                var cert = new Org.BouncyCastle.X509.X509Certificate(tls.GetEncoded());
                if (!spec.CertificateSignatureOids.Contains(cert.SigAlgOid))
                    throw new TlsFatalAlert(BcAlert.bad_certificate, $"device cannot verify signature algorithm {cert.SigAlgName} ({cert.SigAlgOid})");
            }
        if (spec.TrustedSha256 is { } trusted && !chain.GetCertificateList().Any(c => trusted.Contains(Convert.ToHexStringLower(SHA256.HashData(c.GetEncoded())))))
            throw new TlsFatalAlert(BcAlert.unknown_ca, $"certificate {_certSha256} is not in the device's trusted list");
        Stage = LabClientStage.KeyExchange;
    }

    private sealed class AnyDhGroup : TlsDHGroupVerifier
    {
        public bool Accept(DHGroup dhGroup) => dhGroup.P.BitLength >= 256;
    }

    private sealed class Authentication(DeviceTlsClient owner) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate) => owner.Check(serverCertificate);
        public TlsCredentials? GetClientCredentials(CertificateRequest certificateRequest) => null;
    }

    /// <summary>
    /// mfd-legacy-client: TLS 1.0 only (so no signature_algorithms), RSA and DHE-RSA CBC suites, verifies only RSA ≤ 1024
    /// certificates signed with SHA-1 or MD5, and trusts only its own list.
    /// </summary>
    public static DeviceClientSpec Legacy(IReadOnlySet<string> trusted) => new(
        ProtocolVersion.TLSv10.Only(),
        [
            BcCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA, BcCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA,
            BcCipherSuite.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
            BcCipherSuite.TLS_DHE_RSA_WITH_AES_128_CBC_SHA, BcCipherSuite.TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
        ],
        [], [Sha1WithRsa, Md5WithRsa], 1024, trusted);

    /// <summary>mfd-tls12-client: TLS 1.2 only, ECDHE-RSA and RSA AES suites, SHA-256/384/1 signatures, any RSA ≤ 4096 certificate.</summary>
    public static DeviceClientSpec Tls12Only { get; } = new(
        ProtocolVersion.TLSv12.Only(),
        [
            BcCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, BcCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            BcCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, BcCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
            BcCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA256, BcCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA,
        ],
        [BcHash.sha256, BcHash.sha384, BcHash.sha1], [], 4096);

    /// <summary>mfd-sha1-client: TLS 1.0-1.2, signature_algorithms rsa_pkcs1_sha1 only, verifies only SHA-1-signed RSA ≤ 2048 certificates.</summary>
    public static DeviceClientSpec Sha1Only { get; } = new(
        ProtocolVersion.TLSv12.DownTo(ProtocolVersion.TLSv10),
        [
            BcCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, BcCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
            BcCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA, BcCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA,
        ],
        [BcHash.sha1], [Sha1WithRsa], 2048);
}
