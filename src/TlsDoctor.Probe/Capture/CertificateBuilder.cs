using System.Collections.Immutable;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TlsDoctor.Probe.Capture;

/// <summary>Key kinds a generated certificate can have.</summary>
public enum CertificateKeyKind { Rsa1024, Rsa2048, Rsa4096, EcP256 }

/// <summary>What to generate: key, signature hash, names and validity.</summary>
/// <param name="Hash">sha1, sha256, sha384 or sha512.</param>
/// <param name="SubjectAlternativeNames">DNS names and IP addresses (as text).</param>
public sealed record CertificateSpec(
    CertificateKeyKind Key,
    string Hash,
    string CommonName,
    ImmutableArray<string> SubjectAlternativeNames,
    int Days)
{
    /// <summary>Short label: RSA-2048/SHA-256, ECDSA-P256/SHA-256.</summary>
    public string Label => $"{KeyLabel(Key)}/{Hash.ToUpperInvariant().Replace("SHA", "SHA-")}";

    /// <summary>rsa:2048 style spelling of a key kind.</summary>
    public static string KeyLabel(CertificateKeyKind key) => key switch
    {
        CertificateKeyKind.Rsa1024 => "RSA-1024",
        CertificateKeyKind.Rsa2048 => "RSA-2048",
        CertificateKeyKind.Rsa4096 => "RSA-4096",
        CertificateKeyKind.EcP256 => "ECDSA-P256",
        _ => key.ToString(),
    };
}

/// <summary>A generated certificate with its private key (and the issuing CA when one signed it). Dispose to free the keys.</summary>
public sealed class GeneratedCertificate(X509Certificate2 certificate, AsymmetricAlgorithm key, X509Certificate2? issuer, AsymmetricAlgorithm? issuerKey) : IDisposable
{
    public X509Certificate2 Certificate { get; } = certificate;
    public AsymmetricAlgorithm Key { get; } = key;
    public X509Certificate2? Issuer { get; } = issuer;
    public AsymmetricAlgorithm? IssuerKey { get; } = issuerKey;

    /// <summary>The private key as PKCS#8 DER.</summary>
    public byte[] Pkcs8() => Key.ExportPkcs8PrivateKey();

    /// <summary>The certificate with its private key attached (for PFX export and SslStream).</summary>
    public X509Certificate2 WithPrivateKey() => Key switch
    {
        RSA rsa => Certificate.CopyWithPrivateKey(rsa),
        ECDsa ec => Certificate.CopyWithPrivateKey(ec),
        _ => throw new InvalidOperationException("unsupported key type"),
    };

    public void Dispose()
    {
        Certificate.Dispose();
        Key.Dispose();
        Issuer?.Dispose();
        IssuerKey?.Dispose();
    }
}

/// <summary>
/// Makes X.509 certificates with System.Security.Cryptography, including the SHA-1 and RSA-1024 ones old devices need
/// (CertificateRequest refuses SHA-1 for RSA on some platforms, so a signature generator of our own signs those).
/// </summary>
public static class CertificateBuilder
{
    /// <summary>The hash names accepted by <see cref="CertificateSpec.Hash"/>.</summary>
    public static ImmutableArray<string> Hashes { get; } = ["sha1", "sha256", "sha384", "sha512"];

    /// <summary>A self-signed certificate; isCa marks it as a CA (basicConstraints cA=true, keyCertSign).</summary>
    public static GeneratedCertificate SelfSigned(CertificateSpec spec, bool isCa = false)
    {
        var key = CreateKey(spec.Key);
        try
        {
            var req = Request(spec, key);
            AddExtensions(req, spec, isCa);
            var (notBefore, notAfter) = Validity(spec.Days);
            var gen = Generator(key, spec.Hash);
            var cert = req.Create(req.SubjectName, gen, notBefore, notAfter, Serial());
            return new GeneratedCertificate(cert, key, null, null);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>A certificate for spec issued by the given CA (which must carry its key in <see cref="GeneratedCertificate.Key"/>).</summary>
    public static GeneratedCertificate IssuedBy(CertificateSpec spec, GeneratedCertificate ca, string caHash)
    {
        var key = CreateKey(spec.Key);
        try
        {
            var req = Request(spec, key);
            AddExtensions(req, spec, isCa: false);
            req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca.Certificate, true, false));
            var (notBefore, notAfter) = Validity(spec.Days);
            // The leaf must not outlive its issuer, or chain builders reject it.
            if (notAfter > ca.Certificate.NotAfter) notAfter = new DateTimeOffset(ca.Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            var cert = req.Create(ca.Certificate.SubjectName, Generator(ca.Key, caHash), notBefore, notAfter, Serial());
            return new GeneratedCertificate(cert, key, X509CertificateLoader.LoadCertificate(ca.Certificate.RawData), null);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Parses a hash name (sha1, SHA-256, sha384 …); null when not one of <see cref="Hashes"/>.</summary>
    public static string? ParseHash(string? text)
    {
        var t = text?.Trim().ToLowerInvariant().Replace("-", "");
        return t is not null && Hashes.Contains(t) ? t : null;
    }

    private static AsymmetricAlgorithm CreateKey(CertificateKeyKind kind) => kind switch
    {
        CertificateKeyKind.Rsa1024 => RSA.Create(1024),
        CertificateKeyKind.Rsa2048 => RSA.Create(2048),
        CertificateKeyKind.Rsa4096 => RSA.Create(4096),
        CertificateKeyKind.EcP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static CertificateRequest Request(CertificateSpec spec, AsymmetricAlgorithm key)
    {
        var name = new X500DistinguishedName("CN=" + EscapeRdn(spec.CommonName));
        var hash = HashName(spec.Hash);
        return key switch
        {
            RSA rsa => new CertificateRequest(name, rsa, hash, RSASignaturePadding.Pkcs1),
            ECDsa ec => new CertificateRequest(name, ec, hash),
            _ => throw new ArgumentException("unsupported key", nameof(key)),
        };
    }

    private static void AddExtensions(CertificateRequest req, CertificateSpec spec, bool isCa)
    {
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        if (isCa)
        {
            req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            return;
        }
        var rsa = spec.Key != CertificateKeyKind.EcP256;
        // keyEncipherment lets RSA key exchange use the key; digitalSignature covers (EC)DHE.
        req.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | (rsa ? X509KeyUsageFlags.KeyEncipherment : 0), false));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var names = spec.SubjectAlternativeNames.IsDefaultOrEmpty ? [spec.CommonName] : spec.SubjectAlternativeNames;
        var san = new SubjectAlternativeNameBuilder();
        foreach (var n in names)
        {
            if (IPAddress.TryParse(n, out var ip)) san.AddIpAddress(ip);
            else san.AddDnsName(n);
        }
        req.CertificateExtensions.Add(san.Build());
    }

    private static X509SignatureGenerator Generator(AsymmetricAlgorithm signingKey, string hash) => signingKey switch
    {
        RSA rsa when ParseHash(hash) == "sha1" => new RsaSha1Generator(rsa),
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
        _ => throw new ArgumentException("unsupported signing key", nameof(signingKey)),
    };

    private static HashAlgorithmName HashName(string hash) => ParseHash(hash) switch
    {
        "sha1" => HashAlgorithmName.SHA1,
        "sha256" => HashAlgorithmName.SHA256,
        "sha384" => HashAlgorithmName.SHA384,
        "sha512" => HashAlgorithmName.SHA512,
        _ => throw new ArgumentException($"unknown hash '{hash}' (use {string.Join(", ", Hashes)})", nameof(hash)),
    };

    private static (DateTimeOffset, DateTimeOffset) Validity(int days)
    {
        if (days is < 1 or > 36500) throw new ArgumentOutOfRangeException(nameof(days), "days must be 1..36500");
        // A day of slack before now: device clocks are often behind.
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        return (notBefore, notBefore.AddDays(days + 1));
    }

    private static byte[] Serial()
    {
        var s = RandomNumberGenerator.GetBytes(16);
        s[0] &= 0x7F; // positive INTEGER
        s[0] |= 0x01; // no leading zero octet to strip
        return s;
    }

    private static string EscapeRdn(string value) =>
        value.IndexOfAny([',', '+', '"', '\\', '<', '>', ';', '=']) >= 0 ? "\"" + value.Replace("\"", "\\\"") + "\"" : value;

    /// <summary>sha1WithRSAEncryption signer: .NET's built-in generator may refuse SHA-1 certificate signatures.</summary>
    private sealed class RsaSha1Generator(RSA key) : X509SignatureGenerator
    {
        // AlgorithmIdentifier { sha1WithRSAEncryption (1.2.840.113549.1.1.5), NULL }
        private static readonly byte[] Sha1WithRsa = [0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x05, 0x05, 0x00];

        public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) => (byte[])Sha1WithRsa.Clone();

        public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) =>
            key.SignData(data, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);

        protected override PublicKey BuildPublicKey() => CreateForRSA(key, RSASignaturePadding.Pkcs1).PublicKey;
    }
}
