using System.Collections.Immutable;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TlsDoctor.Core;

/// <summary>What matters about one certificate for interoperability: names, validity, key and signature algorithm.</summary>
/// <param name="SignatureAlgorithm">RFC name of the signature algorithm, e.g. sha1WithRSAEncryption, ecdsa-with-SHA256.</param>
/// <param name="KeyAlgorithm">RSA, EC, DSA, Ed25519, Ed448 or the OID when unknown.</param>
/// <param name="Curve">IANA group name of an EC key (secp256r1), else null.</param>
/// <param name="Der">The certificate as DER, base64; lets later stages rebuild it without the network.</param>
public sealed record CertificateInfo(
    string Subject,
    string Issuer,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string KeyAlgorithm,
    int KeyBits,
    string? Curve,
    string SignatureAlgorithm,
    ImmutableArray<string> SubjectAlternativeNames,
    bool SelfSigned,
    string Sha256,
    string Der)
{
    /// <summary>Hash named by the signature algorithm: md5, sha1, sha256, sha384, sha512, or null when it has none (Ed25519).</summary>
    public string? SignatureHash => SignatureAlgorithms.HashOf(SignatureAlgorithm);

    /// <summary>Decodes a DER certificate; throws <see cref="CryptographicException"/> on bytes that are not one.</summary>
    public static CertificateInfo FromDer(ReadOnlySpan<byte> der)
    {
        using var cert = X509CertificateLoader.LoadCertificate(der);
        return FromCertificate(cert);
    }

    /// <summary>Decodes a DER certificate, or returns null with a reason.</summary>
    public static CertificateInfo? TryFromDer(ReadOnlySpan<byte> der, out string? error)
    {
        try
        {
            error = null;
            return FromDer(der);
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException or ArgumentException)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>Describes a loaded certificate.</summary>
    public static CertificateInfo FromCertificate(X509Certificate2 cert)
    {
        var keyOid = cert.PublicKey.Oid.Value ?? "";
        string keyAlg;
        int bits = 0;
        string? curve = null;
        switch (keyOid)
        {
            case "1.2.840.113549.1.1.1":
                keyAlg = "RSA";
                using (var rsa = cert.GetRSAPublicKey()) bits = rsa?.KeySize ?? 0;
                break;
            case "1.2.840.10045.2.1":
                keyAlg = "EC";
                curve = CurveName(cert);
                bits = curve switch { "secp256r1" => 256, "secp384r1" => 384, "secp521r1" => 521, _ => 0 };
                if (bits == 0)
                {
                    try { using var ec = cert.GetECDsaPublicKey(); bits = ec?.KeySize ?? 0; }
                    catch (CryptographicException) { bits = 0; }
                }
                break;
            case "1.2.840.10040.4.1":
                keyAlg = "DSA";
                try { using var dsa = cert.GetDSAPublicKey(); bits = dsa?.KeySize ?? 0; }
                catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException) { bits = 0; }
                break;
            case "1.3.101.112": keyAlg = "Ed25519"; bits = 256; break;
            case "1.3.101.113": keyAlg = "Ed448"; bits = 456; break;
            default: keyAlg = keyOid; break;
        }

        var sans = ImmutableArray.CreateBuilder<string>();
        foreach (var ext in cert.Extensions)
        {
            if (ext is X509SubjectAlternativeNameExtension san)
            {
                try
                {
                    foreach (var dns in san.EnumerateDnsNames()) sans.Add("DNS:" + dns);
                    foreach (var ip in san.EnumerateIPAddresses()) sans.Add("IP:" + ip);
                }
                catch (CryptographicException) { sans.Add("(undecodable subjectAltName)"); }
            }
        }

        return new CertificateInfo(
            cert.Subject,
            cert.Issuer,
            new DateTimeOffset(cert.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            new DateTimeOffset(cert.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            keyAlg,
            bits,
            curve,
            SignatureAlgorithms.NameOf(cert.SignatureAlgorithm.Value ?? ""),
            sans.ToImmutable(),
            cert.SubjectName.RawData.AsSpan().SequenceEqual(cert.IssuerName.RawData),
            Convert.ToHexStringLower(SHA256.HashData(cert.RawData)),
            Convert.ToBase64String(cert.RawData));
    }

    private static string? CurveName(X509Certificate2 cert)
    {
        // The curve OID sits in the key's algorithm parameters; reading it there works for any curve.
        try
        {
            var p = cert.PublicKey.EncodedParameters?.RawData ?? [];
            var oid = new AsnReader(p, AsnEncodingRules.DER).ReadObjectIdentifier();
            return oid switch
            {
                "1.2.840.10045.3.1.7" => "secp256r1",
                "1.3.132.0.34" => "secp384r1",
                "1.3.132.0.35" => "secp521r1",
                "1.3.132.0.10" => "secp256k1",
                "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1",
                "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1",
                "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1",
                _ => oid,
            };
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException) { return null; }
    }
}

/// <summary>RFC names of X.509 signature algorithms.</summary>
public static class SignatureAlgorithms
{
    private static readonly ImmutableDictionary<string, string> Names = new Dictionary<string, string>
    {
        ["1.2.840.113549.1.1.2"] = "md2WithRSAEncryption",
        ["1.2.840.113549.1.1.4"] = "md5WithRSAEncryption",
        ["1.2.840.113549.1.1.5"] = "sha1WithRSAEncryption",
        ["1.2.840.113549.1.1.14"] = "sha224WithRSAEncryption",
        ["1.2.840.113549.1.1.11"] = "sha256WithRSAEncryption",
        ["1.2.840.113549.1.1.12"] = "sha384WithRSAEncryption",
        ["1.2.840.113549.1.1.13"] = "sha512WithRSAEncryption",
        ["1.2.840.113549.1.1.10"] = "rsassaPss",
        ["1.2.840.10045.4.1"] = "ecdsa-with-SHA1",
        ["1.2.840.10045.4.3.1"] = "ecdsa-with-SHA224",
        ["1.2.840.10045.4.3.2"] = "ecdsa-with-SHA256",
        ["1.2.840.10045.4.3.3"] = "ecdsa-with-SHA384",
        ["1.2.840.10045.4.3.4"] = "ecdsa-with-SHA512",
        ["1.2.840.10040.4.3"] = "dsa-with-sha1",
        ["2.16.840.1.101.3.4.3.2"] = "dsa-with-sha256",
        ["1.3.101.112"] = "Ed25519",
        ["1.3.101.113"] = "Ed448",
    }.ToImmutableDictionary();

    /// <summary>The RFC name for an OID, or the OID itself when unknown.</summary>
    public static string NameOf(string oid) => Names.TryGetValue(oid, out var n) ? n : oid;

    /// <summary>The hash a signature algorithm name uses (sha1WithRSAEncryption → sha1).</summary>
    public static string? HashOf(string name)
    {
        var n = name.ToLowerInvariant();
        foreach (var h in new[] { "sha512", "sha384", "sha256", "sha224", "sha1", "md5", "md2" })
            if (n.Contains(h)) return h;
        return n.Contains("pss") ? "sha256" : null;
    }
}
