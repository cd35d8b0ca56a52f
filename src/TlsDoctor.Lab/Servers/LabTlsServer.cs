using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using TlsDoctor.Lab.Crypto;

namespace TlsDoctor.Lab.Servers;

/// <summary>A BouncyCastle TLS server configured by a <see cref="LabServerSpec"/>; one instance per connection.</summary>
internal sealed class LabTlsServer(BcTlsCrypto crypto, LabServerSpec spec, LabCredential credential) : DefaultTlsServer(crypto)
{
    private readonly BcTlsCrypto _crypto = crypto;

    protected override ProtocolVersion[] GetSupportedVersions() => spec.Versions;

    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto, spec.CipherSuites);

    // Devices choose from their own list: that is what makes mfd-weak-dh pick DHE over RSA key exchange.
    protected override bool PreferLocalCipherSuites() => true;

    // Old firmware ignores RFC 7919: it serves its one configured group whatever supported_groups says,
    // so DHE stays selectable even when the client lists no FFDHE group.
    protected override int GetMaximumNegotiableFiniteFieldBits() => spec.DhGroup is null ? base.GetMaximumNegotiableFiniteFieldBits() : 8192;

    public override TlsDHConfig GetDHConfig()
    {
        if (spec.FfdheFrom is { } from && !m_context.ServerVersion.IsEarlierVersionOf(from)
            && TlsExtensionsUtilities.GetSupportedGroupsExtension(m_clientExtensions) is { } offered
            && offered.FirstOrDefault(g => g is NamedGroup.ffdhe2048 or NamedGroup.ffdhe3072) is var ffdhe and not 0)
            return new TlsDHConfig(ffdhe, false);
        return spec.DhGroup is { } g ? new TlsDHConfig(g) : base.GetDHConfig();
    }

    public override int GetSelectedCipherSuite()
    {
        if (spec.ChaChaForChaChaClients && PrefersChaCha(m_offeredCipherSuites))
            m_cipherSuites = [.. m_cipherSuites.Where(IsChaCha), .. m_cipherSuites.Where(s => !IsChaCha(s))];
        return base.GetSelectedCipherSuite();
    }

    // A client without AES hardware lists ChaCha20-Poly1305 before AES-GCM; Go's crypto/tls then puts ChaCha20 first.
    private static bool PrefersChaCha(int[] offered)
    {
        var chacha = Array.FindIndex(offered, IsChaCha);
        var gcm = Array.FindIndex(offered, s => TlsUtilities.GetEncryptionAlgorithm(s) is EncryptionAlgorithm.AES_128_GCM or EncryptionAlgorithm.AES_256_GCM);
        return chacha >= 0 && (gcm < 0 || chacha < gcm);
    }

    private static bool IsChaCha(int suite) => TlsUtilities.GetEncryptionAlgorithm(suite) == EncryptionAlgorithm.CHACHA20_POLY1305;

    // BouncyCastle refuses a client that signals neither renegotiation_info nor the SCSV (RFC 5746); device firmware
    // and SCHANNEL accept such legacy clients (pre-2010 stacks, nmap's ssl-enum-ciphers), so the lab does too.
    public override void NotifySecureRenegotiation(bool secureRenegotiation) { }

    // Renegotiation and session tickets are out of scope for the lab; EMS stays on (BC default) as on most firmware.
    public override TlsCredentials GetCredentials()
    {
        var version = m_context.ServerVersion;
        var isTls13 = TlsUtilities.IsTlsV13(version);
        var kx = m_context.SecurityParameters.KeyExchangeAlgorithm;
        if (!isTls13 && kx == KeyExchangeAlgorithm.RSA)
            return new BcDefaultTlsCredentialedDecryptor(_crypto, BuildCertificate(isTls13), credential.PrivateKey);
        if (isTls13 || kx is KeyExchangeAlgorithm.DHE_RSA or KeyExchangeAlgorithm.ECDHE_RSA)
            return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(m_context), _crypto, credential.PrivateKey,
                BuildCertificate(isTls13), ChooseSignature(version, isTls13));
        throw new TlsFatalAlert(AlertDescription.internal_error);
    }

    private Certificate BuildCertificate(bool isTls13)
    {
        var certs = credential.ChainDer.Select(der => Crypto.CreateCertificate(der)).ToArray();
        if (!isTls13) return new Certificate(certs);
        return new Certificate(TlsUtilities.EmptyBytes, certs.Select(c => new CertificateEntry(c, null)).ToArray());
    }

    private SignatureAndHashAlgorithm? ChooseSignature(ProtocolVersion version, bool isTls13)
    {
        if (!TlsUtilities.IsSignatureAlgorithmsExtensionAllowed(version)) return null;
        var offered = m_context.SecurityParameters.ClientSigAlgs;
        if (offered is null)
            return isTls13 ? SignatureAndHashAlgorithm.rsa_pss_rsae_sha256 : SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha1, SignatureAlgorithm.rsa);
        foreach (var alg in offered)
        {
            var ok = alg.Signature == SignatureAlgorithm.rsa_pss_rsae_sha256 || alg.Signature == SignatureAlgorithm.rsa_pss_rsae_sha384
                || alg.Signature == SignatureAlgorithm.rsa_pss_rsae_sha512
                || (!isTls13 && alg.Signature == SignatureAlgorithm.rsa);
            if (ok && Crypto.HasSignatureAndHashAlgorithm(alg)) return alg;
        }
        throw new TlsFatalAlert(AlertDescription.handshake_failure, "no RSA signature scheme offered");
    }
}
