using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.X509;

namespace TlsDoctor.Probe.Tests.Handshake;

public sealed class ProbeCryptoTests
{
    private static readonly SecureRandom Random = new();

    // 496 bits: about the smallest key that carries a 48-byte premaster in PKCS#1 v1.5 and signs its own certificate.
    [Theory]
    [InlineData(496)]
    [InlineData(1024)]
    [InlineData(2048)]
    [InlineData(1000)]
    public void Premaster_encrypted_for_the_certificate_key_decrypts_with_the_private_key(int bits)
    {
        var (der, key) = SelfSigned(bits);
        AssertRoundTrip(der, key, bits);
    }

    [Fact]
    public async Task A_key_the_platform_refuses_is_encrypted_by_BouncyCastle_instead()
    {
        // OpenSSL 3 refuses public exponents above 64 bits once the modulus passes 3072 bits ("bad e value");
        // BouncyCastle takes them. OpenSSL can still generate such a key, in about a second.
        var file = Path.Combine(Path.GetTempPath(), $"tlsdoctor-big-e-{Guid.NewGuid():N}.pem");
        try
        {
            var gen = await TlsDoctor.TestPeers.ProcessRunner.RunAsync("openssl",
                ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3080", "-pkeyopt", "rsa_keygen_pubexp:1208925819614629174706177", "-out", file],
                timeout: TimeSpan.FromSeconds(60));
            Assert.True(gen.ExitCode == 0, gen.Output);
            AsymmetricCipherKeyPair key;
            using (var reader = File.OpenText(file))
            {
                var pem = new Org.BouncyCastle.OpenSsl.PemReader(reader).ReadObject();
                key = pem as AsymmetricCipherKeyPair
                    ?? new AsymmetricCipherKeyPair(new RsaKeyParameters(false, ((RsaPrivateCrtKeyParameters)pem).Modulus, ((RsaPrivateCrtKeyParameters)pem).PublicExponent), (AsymmetricKeyParameter)pem);
            }
            var modulus = ((RsaKeyParameters)key.Public).Modulus.ToByteArrayUnsigned();
            using (var platform = System.Security.Cryptography.RSA.Create())
            {
                platform.ImportParameters(new System.Security.Cryptography.RSAParameters
                {
                    Modulus = modulus,
                    Exponent = ((RsaKeyParameters)key.Public).Exponent.ToByteArrayUnsigned(),
                });
                // The premise: this platform refuses the key. Were it to accept it, this test would prove nothing.
                Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => platform.Encrypt(new byte[48], System.Security.Cryptography.RSAEncryptionPadding.Pkcs1));
            }
            AssertRoundTrip(Certificate(key, new X509Name("CN=big-e"), null), key, 3080);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Two_encryptions_of_one_premaster_differ_because_the_padding_is_random()
    {
        var (der, _) = SelfSigned(1024);
        var encryptor = new ProbeCrypto(Random).CreateCertificate(CertificateType.X509, der).CreateEncryptor(TlsCertificateRole.RsaEncryption);
        var premaster = new byte[48];
        Assert.NotEqual(encryptor.Encrypt(premaster, 0, 48), encryptor.Encrypt(premaster, 0, 48));
    }

    [Fact]
    public void BouncyCastle_checks_still_apply_to_a_key_that_cannot_encrypt()
    {
        // A certificate whose key usage forbids key encipherment must not be used for RSA key exchange (RFC 5246 §7.4.2).
        var (der, _) = SelfSigned(1024, new KeyUsage(KeyUsage.DigitalSignature));
        var certificate = new ProbeCrypto(Random).CreateCertificate(CertificateType.X509, der);
        Assert.Throws<TlsFatalAlert>(() => certificate.CreateEncryptor(TlsCertificateRole.RsaEncryption));
    }

    private static void AssertRoundTrip(byte[] der, AsymmetricCipherKeyPair key, int bits)
    {
        var premaster = new byte[48];
        Random.NextBytes(premaster);
        premaster[0] = 3; premaster[1] = 3;

        var encryptor = new ProbeCrypto(Random).CreateCertificate(CertificateType.X509, der).CreateEncryptor(TlsCertificateRole.RsaEncryption);
        var cipherText = encryptor.Encrypt(premaster, 0, premaster.Length);

        Assert.Equal((bits + 7) / 8, cipherText.Length);
        var decrypt = new Pkcs1Encoding(new RsaEngine());
        decrypt.Init(false, key.Private);
        Assert.Equal(premaster, decrypt.ProcessBlock(cipherText, 0, cipherText.Length));
    }

    private static (byte[] Der, AsymmetricCipherKeyPair Key) SelfSigned(int bits, KeyUsage? usage = null)
    {
        var generator = new RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(65537), Random, bits, 25));
        var key = generator.GenerateKeyPair();
        return (Certificate(key, new X509Name($"CN=rsa-{bits}"), usage), key);
    }

    private static byte[] Certificate(AsymmetricCipherKeyPair key, X509Name name, KeyUsage? usage)
    {
        var builder = new X509V3CertificateGenerator();
        builder.SetSerialNumber(BigInteger.One);
        builder.SetIssuerDN(name);
        builder.SetSubjectDN(name);
        builder.SetNotBefore(DateTime.UtcNow.AddDays(-1));
        builder.SetNotAfter(DateTime.UtcNow.AddDays(1));
        builder.SetPublicKey(key.Public);
        if (usage is not null) builder.AddExtension(X509Extensions.KeyUsage, true, usage);
        return builder.Generate(new Asn1SignatureFactory("SHA1WITHRSA", key.Private, Random)).GetEncoded();
    }
}
