using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TlsDoctor.TestPeers;

/// <summary>The server certificates the test peers can present.</summary>
public enum PeerCertificate
{
    /// <summary>Self-signed RSA-1024, sha1WithRSAEncryption, CN=old-mfd: what old printers ship with.</summary>
    OldMfdRsa1024Sha1,
    /// <summary>Self-signed RSA-2048, sha256WithRSAEncryption, CN=tls-peer.</summary>
    Rsa2048Sha256,
    /// <summary>RSA-2048 leaf CN=sha512-leaf issued by RSA-2048 CN=sha512-ca; both signed sha512WithRSAEncryption.</summary>
    Sha512Chain,
    /// <summary>Self-signed ECDSA P-256, ecdsa-with-SHA256, CN=ecdsa-peer.</summary>
    EcdsaP256,
}

/// <summary>PEM files of one certificate: leaf, its key, and the CA certificates sent after it (if any).</summary>
public sealed record CertificateFiles(PeerCertificate Kind, string CertificatePath, string KeyPath, string? ChainPath);

/// <summary>What a test may assert about a peer's certificate chain as the server sends it.</summary>
/// <param name="SubjectCommonName">CN of the leaf.</param>
/// <param name="KeyAlgorithm">"RSA" or "EC".</param>
/// <param name="KeyBits">RSA modulus bits or curve bits of the leaf key.</param>
/// <param name="Curve">Curve name for EC keys (secp256r1), else null.</param>
/// <param name="SignatureAlgorithm">RFC name of the leaf's signature algorithm (sha1WithRSAEncryption).</param>
/// <param name="SignatureAlgorithmOid">OID of that signature algorithm.</param>
/// <param name="ChainLength">Certificates the server sends, leaf included.</param>
/// <param name="IssuerSignatureAlgorithm">Signature algorithm of the second certificate sent, else null.</param>
/// <param name="SelfSigned">True when the leaf is its own issuer.</param>
public sealed record CertificateFacts(
    string SubjectCommonName, string KeyAlgorithm, int KeyBits, string? Curve,
    string SignatureAlgorithm, string SignatureAlgorithmOid, int ChainLength, string? IssuerSignatureAlgorithm, bool SelfSigned)
{
    public static CertificateFacts For(PeerCertificate kind) => kind switch
    {
        PeerCertificate.OldMfdRsa1024Sha1 => new("old-mfd", "RSA", 1024, null, "sha1WithRSAEncryption", Oids.Sha1Rsa, 1, null, true),
        PeerCertificate.Rsa2048Sha256 => new("tls-peer", "RSA", 2048, null, "sha256WithRSAEncryption", Oids.Sha256Rsa, 1, null, true),
        PeerCertificate.Sha512Chain => new("sha512-leaf", "RSA", 2048, null, "sha512WithRSAEncryption", Oids.Sha512Rsa, 2, "sha512WithRSAEncryption", false),
        PeerCertificate.EcdsaP256 => new("ecdsa-peer", "EC", 256, "secp256r1", "ecdsa-with-SHA256", Oids.EcdsaSha256, 1, null, true),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

/// <summary>Signature algorithm OIDs used by the peers' certificates.</summary>
public static class Oids
{
    public const string Sha1Rsa = "1.2.840.113549.1.1.5";
    public const string Sha256Rsa = "1.2.840.113549.1.1.11";
    public const string Sha512Rsa = "1.2.840.113549.1.1.13";
    public const string EcdsaSha256 = "1.2.840.10045.4.3.2";

    /// <summary>RFC name for an OID above, or the OID itself.</summary>
    public static string Name(string? oid) => oid switch
    {
        Sha1Rsa => "sha1WithRSAEncryption",
        Sha256Rsa => "sha256WithRSAEncryption",
        Sha512Rsa => "sha512WithRSAEncryption",
        EcdsaSha256 => "ecdsa-with-SHA256",
        _ => oid ?? "unknown",
    };
}

/// <summary>Generates every <see cref="PeerCertificate"/> as PEM files in a directory.</summary>
public sealed record PeerCertificates(CertificateFiles OldMfd, CertificateFiles Rsa2048, CertificateFiles Sha512Chain, CertificateFiles EcdsaP256)
{
    public CertificateFiles Get(PeerCertificate kind) => kind switch
    {
        PeerCertificate.OldMfdRsa1024Sha1 => OldMfd,
        PeerCertificate.Rsa2048Sha256 => Rsa2048,
        PeerCertificate.Sha512Chain => Sha512Chain,
        PeerCertificate.EcdsaP256 => EcdsaP256,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static PeerCertificates Create(string directory)
    {
        Directory.CreateDirectory(directory);
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = notBefore.AddYears(10);

        CertificateFiles SelfSignedRsa(PeerCertificate kind, string cn, int bits, HashAlgorithmName hash)
        {
            using var rsa = RSA.Create(bits);
            if (hash == HashAlgorithmName.SHA1)
            {
                // .NET refuses to sign certificates with SHA-1, so a generator of our own does it.
                var generator = new RsaSha1SignatureGenerator(rsa);
                var sha1Req = new CertificateRequest(new X500DistinguishedName($"CN={cn}"), generator.PublicKey, hash);
                AddLeafExtensions(sha1Req);
                using var sha1Cert = sha1Req.Create(sha1Req.SubjectName, generator, notBefore, notAfter, RandomNumberGenerator.GetBytes(12));
                return Write(directory, kind, sha1Cert, rsa.ExportPkcs8PrivateKeyPem(), null);
            }
            var req = new CertificateRequest($"CN={cn}", rsa, hash, RSASignaturePadding.Pkcs1);
            AddLeafExtensions(req);
            using var cert = req.CreateSelfSigned(notBefore, notAfter);
            return Write(directory, kind, cert, rsa.ExportPkcs8PrivateKeyPem(), null);
        }

        var oldMfd = SelfSignedRsa(PeerCertificate.OldMfdRsa1024Sha1, "old-mfd", 1024, HashAlgorithmName.SHA1);
        var rsa2048 = SelfSignedRsa(PeerCertificate.Rsa2048Sha256, "tls-peer", 2048, HashAlgorithmName.SHA256);

        CertificateFiles chain;
        using (var caKey = RSA.Create(2048))
        using (var leafKey = RSA.Create(2048))
        {
            var caReq = new CertificateRequest("CN=sha512-ca", caKey, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);
            caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            caReq.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caReq.PublicKey, false));
            using var ca = caReq.CreateSelfSigned(notBefore, notAfter);

            var leafReq = new CertificateRequest("CN=sha512-leaf", leafKey, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);
            AddLeafExtensions(leafReq);
            leafReq.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
            using var leaf = leafReq.Create(ca, notBefore, notAfter.AddDays(-1), RandomNumberGenerator.GetBytes(12));
            chain = Write(directory, PeerCertificate.Sha512Chain, leaf, leafKey.ExportPkcs8PrivateKeyPem(), ca.ExportCertificatePem());
        }

        CertificateFiles ecdsa;
        using (var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var req = new CertificateRequest("CN=ecdsa-peer", ec, HashAlgorithmName.SHA256);
            AddLeafExtensions(req);
            using var cert = req.CreateSelfSigned(notBefore, notAfter);
            ecdsa = Write(directory, PeerCertificate.EcdsaP256, cert, ec.ExportPkcs8PrivateKeyPem(), null);
        }

        return new PeerCertificates(oldMfd, rsa2048, chain, ecdsa);
    }

    private static void AddLeafExtensions(CertificateRequest req)
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
    }

    private static CertificateFiles Write(string directory, PeerCertificate kind, X509Certificate2 cert, string keyPem, string? chainPem)
    {
        var name = kind.ToString();
        var certPath = Path.Combine(directory, name + ".crt.pem");
        var keyPath = Path.Combine(directory, name + ".key.pem");
        File.WriteAllText(certPath, cert.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, keyPem + "\n");
        string? chainPath = null;
        if (chainPem is not null)
        {
            chainPath = Path.Combine(directory, name + ".chain.pem");
            File.WriteAllText(chainPath, chainPem + "\n");
        }
        return new CertificateFiles(kind, certPath, keyPath, chainPath);
    }
}

/// <summary>Signs with sha1WithRSAEncryption, which .NET's built-in RSA generator no longer offers.</summary>
internal sealed class RsaSha1SignatureGenerator(RSA key) : X509SignatureGenerator
{
    // AlgorithmIdentifier { sha1WithRSAEncryption, NULL }
    private static readonly byte[] Sha1WithRsa = [0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x05, 0x05, 0x00];

    public new PublicKey PublicKey => CreateForRSA(key, RSASignaturePadding.Pkcs1).PublicKey;

    public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) => (byte[])Sha1WithRsa.Clone();

    public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) =>
        key.SignData(data, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);

    protected override PublicKey BuildPublicKey() => CreateForRSA(key, RSASignaturePadding.Pkcs1).PublicKey;
}
