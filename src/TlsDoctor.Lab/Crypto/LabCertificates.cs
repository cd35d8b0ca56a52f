using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace TlsDoctor.Lab.Crypto;

/// <summary>A certificate chain (leaf first, DER) and the leaf's private key.</summary>
internal sealed record LabCredential(IReadOnlyList<byte[]> ChainDer, AsymmetricKeyParameter PrivateKey)
{
    /// <summary>SHA-256 of the leaf's DER, lowercase hex without separators.</summary>
    public string LeafSha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(ChainDer[0]));
}

/// <summary>Generates the lab's keys and certificates; one instance per LabHost so every key is made once.</summary>
internal sealed class LabCertificates
{
    private readonly Lazy<AsymmetricCipherKeyPair> _rsa1024 = new(() => GenerateRsa(1024));
    private readonly Lazy<AsymmetricCipherKeyPair> _rsa2048 = new(() => GenerateRsa(2048));
    private readonly Lazy<AsymmetricCipherKeyPair> _rsa2048Ca = new(() => GenerateRsa(2048));
    private readonly Dictionary<string, Lazy<LabCredential>> _byProfile;

    public LabCertificates()
    {
        _byProfile = new(StringComparer.Ordinal)
        {
            [LabProfiles.MfdWeakDh] = new(() => SelfSigned("mfd-weak-dh.lab", _rsa1024.Value, "SHA1WITHRSA")),
            // RSA-1024 like much 2016-era firmware; it also keeps BouncyCastle's signing (~4x cheaper than 2048) from
            // dominating the 2,000-handshake failure-rate test.
            [LabProfiles.MfdBrokenDh] = new(() => SelfSigned("mfd-broken-dh.lab", _rsa1024.Value, "SHA256WITHRSA")),
            [LabProfiles.MfdFakeTls12] = new(() => SelfSigned("mfd-fake-tls12.lab", _rsa2048.Value, "SHA256WITHRSA")),
            [LabProfiles.MfdTls12Only] = new(() => SelfSigned("mfd-tls12-only.lab", _rsa2048.Value, "SHA256WITHRSA")),
            [LabProfiles.MfdModern] = new(() => SelfSigned("mfd-modern.lab", _rsa2048.Value, "SHA256WITHRSA")),
            [LabProfiles.MfdHelloLimit] = new(() => SelfSigned("mfd-hello-limit.lab", _rsa2048.Value, "SHA256WITHRSA")),
            [LabProfiles.MfdNoOcsp] = new(() => SelfSigned("mfd-no-ocsp.lab", _rsa2048.Value, "SHA256WITHRSA")),
            [LabProfiles.MfdFfdhe] = new(() => SelfSigned("mfd-ffdhe.lab", _rsa1024.Value, "SHA256WITHRSA")),
            [LabProfiles.MfdChunkedOrder] = new(() => SelfSigned("mfd-chunked-order.lab", _rsa2048.Value, "SHA256WITHRSA")),
            [LabProfiles.MfdChaChaOrder] = new(() => SelfSigned("mfd-chacha-order.lab", _rsa2048.Value, "SHA256WITHRSA")),
            // CN exactly "mfd-ssl-only", without the ".lab" of the others: the name the scan tests check.
            [LabProfiles.MfdSslOnly] = new(() => SelfSigned("mfd-ssl-only", _rsa1024.Value, "SHA1WITHRSA")),
            [LabProfiles.PaymentSha512] = new(() => CaSigned("payment-sha512.lab", _rsa2048.Value, "Lab Payment CA", _rsa2048Ca.Value, "SHA512WITHRSA")),
        };
    }

    /// <summary>The credential of a profile that serves a certificate (created on first use, then shared).</summary>
    public LabCredential For(string profile) => _byProfile[profile].Value;

    public bool Has(string profile) => _byProfile.ContainsKey(profile);

    // The OS (OpenSSL / CNG) generates RSA keys 10-50x faster than BouncyCastle's managed code,
    // which matters when a host of 1,000 devices must be ready in seconds.
    private static AsymmetricCipherKeyPair GenerateRsa(int bits)
    {
        using var rsa = RSA.Create(bits);
        return DotNetUtilities.GetRsaKeyPair(rsa.ExportParameters(includePrivateParameters: true));
    }

    private static LabCredential SelfSigned(string cn, AsymmetricCipherKeyPair key, string sigAlg)
    {
        var name = new X509Name($"CN={cn}, O=TlsDoctor Lab");
        var cert = Build(name, key.Public, name, key.Private, sigAlg, isCa: true);
        return new LabCredential([cert.GetEncoded()], key.Private);
    }

    private static LabCredential CaSigned(string cn, AsymmetricCipherKeyPair leafKey, string caCn, AsymmetricCipherKeyPair caKey, string sigAlg)
    {
        var caName = new X509Name($"CN={caCn}, O=TlsDoctor Lab");
        var ca = Build(caName, caKey.Public, caName, caKey.Private, sigAlg, isCa: true);
        var leaf = Build(new X509Name($"CN={cn}, O=TlsDoctor Lab"), leafKey.Public, caName, caKey.Private, sigAlg, isCa: false);
        return new LabCredential([leaf.GetEncoded(), ca.GetEncoded()], leafKey.Private);
    }

    private static X509Certificate Build(X509Name subject, AsymmetricKeyParameter publicKey, X509Name issuer,
        AsymmetricKeyParameter signingKey, string sigAlg, bool isCa)
    {
        var gen = new X509V3CertificateGenerator();
        gen.SetSerialNumber(new BigInteger(1, RandomNumberGenerator.GetBytes(8)));
        gen.SetSubjectDN(subject);
        gen.SetIssuerDN(issuer);
        var now = DateTime.UtcNow;
        gen.SetNotBefore(now.AddDays(-1));
        gen.SetNotAfter(now.AddYears(5));
        gen.SetPublicKey(publicKey);
        gen.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(isCa));
        if (!isCa)
            gen.AddExtension(X509Extensions.SubjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.DnsName, subject.GetValueList(X509Name.CN)[0])));
        return gen.Generate(new Asn1SignatureFactory(sigAlg, signingKey));
    }
}
