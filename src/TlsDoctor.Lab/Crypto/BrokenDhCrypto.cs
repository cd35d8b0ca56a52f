using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace TlsDoctor.Lab.Crypto;

/// <summary>
/// BouncyCastle crypto whose finite-field DH agreement gets RFC 5246 §8.1.2 wrong: BcTlsDHDomain strips
/// leading zero bytes of Z for TLS ≤ 1.2 (TlsDHConfig.IsPadded is false there) and pads only for TLS 1.3.
/// This one always left-pads Z to the prime's length, so whenever Z starts with 0x00 (≈1/256) its
/// pre_master_secret is one byte longer than the client's and the Finished MACs disagree.
/// </summary>
internal sealed class BrokenDhCrypto(SecureRandom random) : BcTlsCrypto(random)
{
    public override TlsDHDomain CreateDHDomain(TlsDHConfig dhConfig) => new PaddingDhDomain(this, dhConfig);

    private sealed class PaddingDhDomain(BcTlsCrypto crypto, TlsDHConfig config) : BcTlsDHDomain(crypto, config)
    {
        public override BcTlsSecret CalculateDHAgreement(DHPrivateKeyParameters privateKey, DHPublicKeyParameters publicKey) =>
            CalculateDHAgreement(m_crypto, privateKey, publicKey, padded: true);
    }
}
