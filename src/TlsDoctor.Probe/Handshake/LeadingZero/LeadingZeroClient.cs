using Org.BouncyCastle.Crypto.Parameters;
using TlsDoctor.Core;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Utilities;
using BcCipherSuite = Org.BouncyCastle.Tls.CipherSuite;

namespace TlsDoctor.Probe.Handshake.LeadingZero;

/// <summary>Shared between the client, its crypto and its DH agreement: what happened in one handshake.</summary>
internal sealed class LeadingZeroState
{
    public HandshakeStage Stage { get; set; } = HandshakeStage.Connect;
    public int? DhBits { get; set; }
    public bool SharedLeadingZero { get; set; }
    public bool PublicLeadingZero { get; set; }
    public int Attempts { get; set; }
    public ushort? Version { get; set; }
    public ushort? Suite { get; set; }
}

/// <summary>A BouncyCastle client that offers only DHE-RSA suites and forces leading zeros on request.</summary>
internal sealed class LeadingZeroClient(LeadingZeroCrypto crypto, ProtocolVersion version, LeadingZeroState state)
    : DefaultTlsClient(crypto)
{
    protected override ProtocolVersion[] GetSupportedVersions() => version.Only();

    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto,
    [
        BcCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, BcCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        BcCipherSuite.TLS_DHE_RSA_WITH_AES_128_CBC_SHA256, BcCipherSuite.TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
        BcCipherSuite.TLS_DHE_RSA_WITH_AES_128_CBC_SHA, BcCipherSuite.TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
        BcCipherSuite.TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA,
    ]);

    // No FFDHE groups: a server following RFC 7919 would otherwise answer with ffdhe2048 instead of its own group,
    // and the point is to exercise the device's own DH code with its own group.
    protected override IList<int> GetSupportedGroups(IList<int> namedGroupRoles) => new List<int>();

    public override TlsDHGroupVerifier GetDHGroupVerifier() => new Verifier(state);

    public override void NotifyServerVersion(ProtocolVersion serverVersion)
    {
        base.NotifyServerVersion(serverVersion);
        state.Version = (ushort)((serverVersion.MajorVersion << 8) | serverVersion.MinorVersion);
        state.Stage = HandshakeStage.ServerHello;
    }

    public override void NotifySelectedCipherSuite(int selectedCipherSuite)
    {
        base.NotifySelectedCipherSuite(selectedCipherSuite);
        state.Suite = (ushort)selectedCipherSuite;
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        state.Stage = HandshakeStage.Completed;
    }

    public override TlsAuthentication GetAuthentication() => new AcceptAny();

    // The probe diagnoses key exchange, not trust: any certificate is fine.
    private sealed class AcceptAny : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate) { }
        public TlsCredentials? GetClientCredentials(CertificateRequest certificateRequest) => null;
    }

    // BouncyCastle's DefaultTlsDHGroupVerifier accepts only its known groups of ≥ 2048 bits; devices use others.
    private sealed class Verifier(LeadingZeroState state) : TlsDHGroupVerifier
    {
        public bool Accept(DHGroup dhGroup)
        {
            state.DhBits = dhGroup.P.BitLength;
            state.Stage = HandshakeStage.ServerKeyExchange;
            return dhGroup.P.BitLength >= 512;
        }
    }
}

/// <summary>BcTlsCrypto whose DH agreements choose the private value per <see cref="LeadingZeroMode"/>.</summary>
internal sealed class LeadingZeroCrypto(SecureRandom random, LeadingZeroMode mode, LeadingZeroState state) : BcTlsCrypto(random)
{
    public override TlsDHDomain CreateDHDomain(TlsDHConfig dhConfig) => new Domain(this, dhConfig, mode, state);

    private sealed class Domain(BcTlsCrypto crypto, TlsDHConfig config, LeadingZeroMode mode, LeadingZeroState state)
        : BcTlsDHDomain(crypto, config)
    {
        public override TlsAgreement CreateDH() => new Agreement(this, mode, state);

        public DHParameters Parameters => m_domainParameters;

        public SecureRandom Random => m_crypto.SecureRandom;
    }

    /// <summary>Client side: BouncyCastle calls ReceivePeerValue (Ys) before GenerateEphemeral, so x can be chosen knowing Ys.</summary>
    private sealed class Agreement(Domain domain, LeadingZeroMode mode, LeadingZeroState state) : BcTlsDH(domain)
    {
        // 256-bit private values, as OpenSSL uses for its DH groups: 4x cheaper modexps than BouncyCastle's default.
        private const int PrivateValueBits = 256;
        private const int MaxAttempts = 256 * 64; // P(no hit) = (255/256)^16384 ≈ 1e-28

        public override byte[] GenerateEphemeral()
        {
            var prm = domain.Parameters;
            var len = BigIntegers.GetUnsignedByteLength(prm.P);
            // System.Numerics for the arithmetic: its ModPow and multiplications are several times faster than
            // BouncyCastle's managed BigInteger, and a forced mode may take a few hundred steps.
            var p = ToNumerics(prm.P);
            var g = ToNumerics(prm.G);
            var ys = ToNumerics(m_peerPublicKey.Y);
            var x = ToNumerics(new BigInteger(PrivateValueBits, domain.Random).SetBit(PrivateValueBits - 1));
            var y = System.Numerics.BigInteger.ModPow(g, x, p);
            var z = System.Numerics.BigInteger.ModPow(ys, x, p);
            var attempt = 1;
            // Walking x, x+1, x+2, ... costs one modular multiplication per step for Y and for Z instead of two
            // modexps, so the ~256 tries of a forced mode stay cheap.
            while (attempt < MaxAttempts && !Hit(mode, Length(y), Length(z), len))
            {
                x += 1;
                y = y * g % p;
                z = z * ys % p;
                attempt++;
            }
            var yBc = ToBc(y);
            m_localKeyPair = new Org.BouncyCastle.Crypto.AsymmetricCipherKeyPair(
                new DHPublicKeyParameters(yBc, prm), new DHPrivateKeyParameters(ToBc(x), prm));
            state.Attempts = attempt;
            state.SharedLeadingZero = Length(z) < len;
            state.PublicLeadingZero = Length(y) < len;
            // BouncyCastle pads Yc to the prime's length (as RFC 7919 asks); the unpadded mode sends minimal bytes.
            return mode == LeadingZeroMode.ForceClientPublicLeadingZeroUnpadded
                ? BigIntegers.AsUnsignedByteArray(yBc)
                : BigIntegers.AsUnsignedByteArray(len, yBc);
        }

        private static int Length(System.Numerics.BigInteger v) => v.GetByteCount(isUnsigned: true);

        private static System.Numerics.BigInteger ToNumerics(BigInteger v) =>
            new(v.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);

        private static BigInteger ToBc(System.Numerics.BigInteger v) =>
            new(1, v.ToByteArray(isUnsigned: true, isBigEndian: true));

        private static bool Hit(LeadingZeroMode mode, int yLength, int zLength, int len) => mode switch
        {
            LeadingZeroMode.ForceSharedSecretLeadingZero => zLength < len,
            LeadingZeroMode.ForceClientPublicLeadingZeroUnpadded => yLength < len,
            _ => true,
        };
    }
}
