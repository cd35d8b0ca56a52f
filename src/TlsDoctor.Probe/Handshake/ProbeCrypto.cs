using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace TlsDoctor.Probe;

/// <summary>BouncyCastle's TLS crypto for probes, with the RSA key-exchange encryption done by the platform (OpenSSL, CNG).</summary>
/// <remarks>
/// BouncyCastle's managed ModPow brings the premaster into Montgomery form with a bit-serial division: ~0.6 ms for one
/// RSA-2048 encryption in a native build, against ~0.05 ms for the platform's. Every full handshake over an RSA suite
/// pays it while the device waits, and a scan makes one per supported version.
/// </remarks>
internal sealed class ProbeCrypto(SecureRandom random) : BcTlsCrypto(random)
{
    public override TlsCertificate CreateCertificate(short type, byte[] encoding) =>
        type == CertificateType.X509 ? new Certificate(this, encoding) : base.CreateCertificate(type, encoding);

    private sealed class Certificate(BcTlsCrypto crypto, byte[] encoding) : BcTlsCertificate(crypto, encoding)
    {
        public override TlsEncryptor CreateEncryptor(int tlsCertificateRole)
        {
            // BouncyCastle's own encryptor is still built first, so its checks (role, key usage, key type) stay in force.
            var checkedEncryptor = base.CreateEncryptor(tlsCertificateRole);
            return tlsCertificateRole == TlsCertificateRole.RsaEncryption
                ? new PlatformRsaEncryptor(GetPubKeyRsa(), checkedEncryptor)
                : checkedEncryptor;
        }
    }

    // RSAES-PKCS1-v1_5 (RFC 8017 §7.2), the padding TLS 1.0–1.2 use for the premaster secret.
    private sealed class PlatformRsaEncryptor(RsaKeyParameters key, TlsEncryptor fallback) : TlsEncryptor
    {
        public byte[] Encrypt(byte[] input, int inOff, int length)
        {
            try
            {
                using var rsa = RSA.Create();
                rsa.ImportParameters(new RSAParameters
                {
                    Modulus = key.Modulus.ToByteArrayUnsigned(),
                    Exponent = key.Exponent.ToByteArrayUnsigned(),
                });
                return rsa.Encrypt(input.AsSpan(inOff, length), RSAEncryptionPadding.Pkcs1);
            }
            catch (CryptographicException)
            {
                // Keys the platform refuses (below 512 bits, odd sizes under CNG) still get encrypted, by BouncyCastle.
                return fallback.Encrypt(input, inOff, length);
            }
        }
    }
}
