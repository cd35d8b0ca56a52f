using System.Security.Cryptography;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using TlsDoctor.Core;
using BcAlert = Org.BouncyCastle.Tls.AlertDescription;
using AlertDescription = TlsDoctor.Core.AlertDescription;
using BcCipherSuite = Org.BouncyCastle.Tls.CipherSuite;

namespace TlsDoctor.Lab;

/// <summary>A lab device's BouncyCastle client: how far it got and its result.</summary>
internal interface ILabTlsClient : TlsClient
{
    LabClientStage Stage { get; }
    LabClientResult Result(bool completed, AlertDescription? alert, bool sent, LabClientStage stage, string reason);
}

/// <summary>The BouncyCastle client behind mfd-legacy-client.</summary>
internal sealed class LegacyTlsClient(BcTlsCrypto crypto, IReadOnlySet<string> trustedSha256) : DefaultTlsClient(crypto), ILabTlsClient
{
    // OIDs of the only certificate signatures such firmware can verify.
    private const string Sha1WithRsa = "1.2.840.113549.1.1.5";
    private const string Md5WithRsa = "1.2.840.113549.1.1.4";

    public LabClientStage Stage { get; private set; } = LabClientStage.Connect;
    private TlsVersion? _version;
    private string? _certSha256;

    public LabClientResult Result(bool completed, AlertDescription? alert, bool sent, LabClientStage stage, string reason) =>
        new(completed, alert, sent, stage, reason) { Version = _version, ServerCertificateSha256 = _certSha256 };

    // TLS 1.0 only: BouncyCastle then sends no signature_algorithms extension (it is TLS 1.2's).
    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.TLSv10.Only();

    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto,
    [
        BcCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA, BcCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA,
        BcCipherSuite.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
        BcCipherSuite.TLS_DHE_RSA_WITH_AES_128_CBC_SHA, BcCipherSuite.TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
    ]);

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
        if (rsa.Modulus.BitLength > 1024)
            throw new TlsFatalAlert(BcAlert.unsupported_certificate, $"device supports RSA keys up to 1024 bits, server key has {rsa.Modulus.BitLength}");
        foreach (var tls in chain.GetCertificateList())
        {
            var cert = new Org.BouncyCastle.X509.X509Certificate(tls.GetEncoded());
            if (cert.SigAlgOid is not (Sha1WithRsa or Md5WithRsa))
                throw new TlsFatalAlert(BcAlert.bad_certificate, $"device cannot verify signature algorithm {cert.SigAlgName} ({cert.SigAlgOid})");
        }
        var anyTrusted = chain.GetCertificateList().Any(c => trustedSha256.Contains(Convert.ToHexStringLower(SHA256.HashData(c.GetEncoded()))));
        if (!anyTrusted)
            throw new TlsFatalAlert(BcAlert.unknown_ca, $"certificate {_certSha256} is not in the device's trusted list");
        Stage = LabClientStage.KeyExchange;
    }

    private sealed class Authentication(LegacyTlsClient owner) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate) => owner.Check(serverCertificate);
        public TlsCredentials? GetClientCredentials(CertificateRequest certificateRequest) => null;
    }

    private sealed class AnyDhGroup : TlsDHGroupVerifier
    {
        public bool Accept(DHGroup dhGroup) => dhGroup.P.BitLength >= 256;
    }
}
