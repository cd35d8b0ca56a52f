using TlsDoctor.Core;
using static TlsDoctor.TestPeers.TestProfiles;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Schannel.Tests;

/// <summary>Windows policy profiles against hand-built device profiles: one test per guide case, plus healthy pairs.</summary>
public class SimulationTests
{
    /// <summary>A device's HTTPS server.</summary>
    private static ServerProfile Device(TlsVersion[] versions, string[] suites, int dhBits = 2048, CertificateInfo? cert = null, params Behaviour[] behaviours) =>
        Server(versions, suites, dhBits, cert: cert, behaviours: behaviours);

    /// <summary>A device connecting to the Terminal Server (its ClientHello).</summary>
    private static ClientProfile DeviceClient(TlsVersion[] versions, string[] suites) =>
        Client(versions, suites, ["secp256r1"], versions.Contains(TlsVersion.TLSv1_2) ? ["rsa_pkcs1_sha256", "rsa_pkcs1_sha1"] : [], "mfd", []);

    private static readonly TlsVersion[] Old = [TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2];
    private const string DheCbc = "TLS_DHE_RSA_WITH_AES_256_CBC_SHA";
    private const string DheCbc128 = "TLS_DHE_RSA_WITH_AES_128_CBC_SHA";
    private const string RsaCbc = "TLS_RSA_WITH_AES_128_CBC_SHA";

    private static HandshakeOutcome Outbound(SchannelPolicy p, ServerProfile device) => Negotiator.Simulate(p.ToClientProfile(), device);

    private static void Fails(HandshakeOutcome o, FailureReason reason, Side side)
    {
        Assert.False(o.Completed, o.Explanation);
        Assert.Equal(reason, o.Reason);
        Assert.Equal(side, o.AbortingSide);
    }

    // TD001 weak DH: a device with a 512-bit DH group against 2012 R2 with the July 2016 rollup.
    [Fact]
    public void Weak_dh_512_fails_after_the_2016_dh_rollup()
    {
        var device = Device(Old, [DheCbc, DheCbc128], dhBits: 512);
        var o = Outbound(PolicyTests.Policy("2012r2", updates: ["KB2919355", "KB3042058", "KB3172614"]), device);
        Fails(o, FailureReason.DhTooSmall, Side.Client);
        Assert.Null(o.Alert); // SCHANNEL closes after ServerKeyExchange [S42]
        Assert.Equal(512, o.KeyExchangeBits);
    }

    [Fact]
    public void Weak_dh_512_worked_before_ms15_055()
    {
        var o = Outbound(PolicyTests.Policy("2012r2", updates: ["KB2919355"]), Device(Old, [DheCbc], dhBits: 512));
        Assert.True(o.Completed, o.Explanation);
    }

    [Fact]
    public void Weak_dh_remedy_dh_reg_is_proven_by_resimulation()
    {
        var device = Device(Old, [DheCbc], dhBits: 512);
        var fixedPolicy = PolicyTests.Policy("2012r2", updates: ["KB2919355", "KB3172614"], reg: ["dh.reg"]);
        Assert.True(Outbound(fixedPolicy, device).Completed);
        // Disabling DHE does not help a DHE-only device but does for one that also speaks RSA key exchange.
        var noDhe = PolicyTests.Policy("2012r2", updates: ["KB2919355", "KB3172614"], reg: ["dh-disable.reg"]);
        Fails(Outbound(noDhe, device), FailureReason.NoCommonCipherSuite, Side.Server);
        var o = Outbound(noDhe, Device(Old, [DheCbc, RsaCbc], dhBits: 512));
        Assert.True(o.Healthy, o.Explanation);
        Assert.Equal(KeyExchange.RSA, o.KeyExchange);
    }

    // TD002 broken DH: a device that keeps the leading zero, against a patched Windows (2019).
    [Fact]
    public void Dh_leading_zero_device_against_2019_fails_one_in_256()
    {
        // 2019 no longer enables DHE_RSA AES-CBC (§3.2), so the device offers the GCM suite that 2019 still has.
        var device = Device(Old, ["TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"], behaviours: new Behaviour(BehaviourKind.DhLeadingZeroBug, "chosen-secret probe"));
        Fails(Outbound(PolicyTests.Policy("2019"), Device(Old, [DheCbc])), FailureReason.NoCommonCipherSuite, Side.Server);
        var o = Outbound(PolicyTests.Policy("2019"), device);
        Assert.True(o.Completed);
        Assert.Equal(FailureReason.DhLeadingZero, o.Reason);
        Assert.Equal(Side.Server, o.AbortingSide);
        Assert.Equal(AlertDescription.BadRecordMac, o.Alert);
        Assert.Equal(1.0 / 256, o.FailureRate);
    }

    [Fact]
    public void Correct_dhe_device_against_unpatched_2012_r2_fails_one_in_256_and_2016_patched_does_not()
    {
        var device = Device(Old, [DheCbc]);
        Assert.Equal(FailureReason.DhLeadingZero, Outbound(PolicyTests.Policy("2012r2"), device).Reason);
        Assert.Equal(FailureReason.DhLeadingZero, Outbound(PolicyTests.Policy("2016", updates: ["KB3163018"]), device).Reason);
        Assert.True(Outbound(PolicyTests.Policy("2016", updates: ["KB4537806"]), device).Healthy);
    }

    [Fact]
    public void Dh_leading_zero_remedy_disabling_dhe_is_proven()
    {
        var device = Device(Old, [DheCbc, RsaCbc], behaviours: new Behaviour(BehaviourKind.DhLeadingZeroBug, "x"));
        var before = Outbound(PolicyTests.Policy("2016", updates: ["KB4537806"]), device);
        Assert.Equal(FailureReason.DhLeadingZero, before.Reason);
        var after = Outbound(PolicyTests.Policy("2016", updates: ["KB4537806"], reg: ["dh-disable.reg"]), device);
        Assert.True(after.Healthy, after.Explanation);
    }

    // TD003 fake TLS 1.2: ServerHello 1.2, then bad_record_mac.
    [Fact]
    public void Fake_tls12_device_and_the_product_setting_remedy()
    {
        var device = Device(Old, [RsaCbc], behaviours: new Behaviour(BehaviourKind.HandshakeFailsAfterHello, "bad_record_mac after ServerHello", TlsVersion.TLSv1_2));
        var o = Outbound(PolicyTests.Policy("2012r2"), device);
        Fails(o, FailureReason.HandshakeFailsAfterHello, Side.Server);
        Assert.Equal(TlsVersion.TLSv1_2, o.Version);
        var fixedO = Outbound(PolicyTests.Policy("2012r2", product: "Tls, Tls11"), device);
        Assert.True(fixedO.Healthy, fixedO.Explanation);
        Assert.Equal(TlsVersion.TLSv1_1, fixedO.Version);
    }

    // TD004 SHA-512 certificate on a payment service, TLS 1.2, Windows without KB2975719.
    [Fact]
    public void Sha512_chain_on_2012_r2_without_kb2975719_and_with_it()
    {
        var payment = Device([TlsVersion.TLSv1_2], ["TLS_RSA_WITH_AES_256_CBC_SHA256", RsaCbc], cert: Cert(sig: "sha512WithRSAEncryption"));
        var o = Outbound(PolicyTests.Policy("2012r2", updates: ["KB2919355", "KB3061518"]), payment);
        Fails(o, FailureReason.Sha512Tls12Unpatched, Side.Client);
        Assert.True(Outbound(PolicyTests.Policy("2012r2", updates: ["KB2919355", "KB3061518", "KB2975719"]), payment).Healthy);
        Assert.True(Outbound(PolicyTests.Policy("2012", updates: ["KB2975331"]), payment).Healthy);
        Assert.Equal(FailureReason.Sha512Tls12Unpatched, Outbound(PolicyTests.Policy("2008r2", updates: ["KB3042058"], product: "Tls12"), payment).Reason);
    }

    // TD005 no common protocol, inbound: a TLS 1.2-only device against 2008 R2 defaults.
    [Fact]
    public void Tls12_only_device_vs_2008_r2_default_inbound()
    {
        var device = DeviceClient([TlsVersion.TLSv1_2], [RsaCbc, "TLS_RSA_WITH_AES_128_CBC_SHA256"]);
        // 2008 R2 answers with its highest version, TLS 1.0, which the device refuses.
        var o = Negotiator.Simulate(device, PolicyTests.Policy("2008r2").ToServerProfile(Cert()));
        Fails(o, FailureReason.NoCommonProtocol, Side.Client);
        Assert.Equal(TlsVersion.TLSv1_0, o.Version);
        Assert.Equal(AlertDescription.ProtocolVersion, o.Alert);
        var fixedO = Negotiator.Simulate(device, PolicyTests.Policy("2008r2", reg: ["tls.reg"]).ToServerProfile(Cert()));
        Assert.True(fixedO.Healthy, fixedO.Explanation);
        Assert.Equal(TlsVersion.TLSv1_2, fixedO.Version);
    }

    [Fact]
    public void Tls10_only_device_vs_tls_reg_that_disables_tls10_on_the_server()
    {
        var device = DeviceClient([TlsVersion.TLSv1_0], [RsaCbc]);
        Assert.True(Negotiator.Simulate(device, PolicyTests.Policy("2012r2").ToServerProfile(Cert())).Healthy);
        Fails(Negotiator.Simulate(device, PolicyTests.Policy("2012r2", reg: ["tls.reg"]).ToServerProfile(Cert())), FailureReason.NoCommonProtocol, Side.Server);
    }

    [Fact]
    public void Outbound_2008_r2_to_a_tls12_only_service_needs_the_product_setting()
    {
        var service = Device([TlsVersion.TLSv1_2], [RsaCbc, "TLS_RSA_WITH_AES_256_GCM_SHA384"]);
        Fails(Outbound(PolicyTests.Policy("2008r2"), service), FailureReason.NoCommonProtocol, Side.Server);
        Assert.True(Outbound(PolicyTests.Policy("2008r2", product: "Tls, Tls11, Tls12"), service).Healthy);
        Assert.True(Outbound(PolicyTests.Policy("2008r2", dotnet: "4.6"), service).Healthy);
    }

    // TD006 untrusted certificate: the device does not trust the Terminal Server's default certificate.
    [Fact]
    public void Device_that_does_not_trust_the_default_certificate()
    {
        var device = DeviceClient(Old, [RsaCbc]) with { TrustedCertificates = ["0badc0de"] };
        var server = PolicyTests.Policy("2016").ToServerProfile(Cert(fp: "5012"));
        var o = Negotiator.Simulate(device, server);
        Fails(o, FailureReason.UntrustedCertificate, Side.Client);
        Assert.Equal(AlertDescription.UnknownCa, o.Alert);
        Assert.True(Negotiator.Simulate(device with { TrustedCertificates = ["0badc0de", "5012"] }, server).Healthy);
    }

    // TD007 unsupported certificate: an old device that cannot verify SHA-256 or RSA-2048.
    [Fact]
    public void Old_device_that_cannot_verify_sha256_rsa2048()
    {
        var device = DeviceClient([TlsVersion.TLSv1_0], [RsaCbc]) with { AcceptedCertificateHashes = ["md5", "sha1"], RsaMaxBits = 1024 };
        var policy = PolicyTests.Policy("2016");
        var o = Negotiator.Simulate(device, policy.ToServerProfile(Cert()));
        Fails(o, FailureReason.CertificateKeyTooLarge, Side.Client);
        Assert.Contains(FailureReason.CertificateHashUnsupported, o.AdditionalReasons);
        Assert.True(Negotiator.Simulate(device, policy.ToServerProfile(Cert(bits: 1024, sig: "sha1WithRSAEncryption"))).Healthy);
    }

    // Beyond the guide.
    [Fact]
    public void Payment_gateway_requiring_ecdhe_rsa_gcm_fails_on_2012_r2_and_works_on_2016()
    {
        var gateway = Device([TlsVersion.TLSv1_2], ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"]);
        Fails(Outbound(PolicyTests.Policy("2012r2"), gateway), FailureReason.NoCommonCipherSuite, Side.Server);
        var o = Outbound(PolicyTests.Policy("2016"), gateway);
        Assert.True(o.Healthy, o.Explanation);
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", o.CipherSuite!.Name);
        Assert.Equal("secp256r1", o.Group!.Name); // Windows offers x25519 first, the device accepts secp256r1 only
    }

    [Fact]
    public void Device_offering_only_dhe_rsa_cbc_cannot_reach_a_2019_terminal_server()
    {
        var device = DeviceClient(Old, [DheCbc, DheCbc128]);
        Fails(Negotiator.Simulate(device, PolicyTests.Policy("2019").ToServerProfile(Cert())), FailureReason.NoCommonCipherSuite, Side.Server);
        var o = Negotiator.Simulate(device, PolicyTests.Policy("2016", updates: ["KB4537806"]).ToServerProfile(Cert()));
        Assert.True(o.Healthy, o.Explanation);
        Assert.Equal(2048, o.KeyExchangeBits);
    }

    [Fact]
    public void Rc4_only_device_fails_against_strong_crypto_and_works_with_dotnet_45()
    {
        var device = Device(Old, ["TLS_RSA_WITH_RC4_128_SHA"]);
        Fails(Outbound(PolicyTests.Policy("2012r2"), device), FailureReason.NoCommonCipherSuite, Side.Server);
        Assert.True(Outbound(PolicyTests.Policy("2012r2", dotnet: "4.5"), device).Completed);
    }

    [Fact]
    public void Healthy_windows_to_windows_pairs()
    {
        var o22 = Negotiator.Simulate(PolicyTests.Policy("2022").ToClientProfile(), PolicyTests.Policy("2022").ToServerProfile(Cert()));
        Assert.True(o22.Healthy, o22.Explanation);
        Assert.Equal(TlsVersion.TLSv1_3, o22.Version);
        Assert.Equal("TLS_AES_256_GCM_SHA384", o22.CipherSuite!.Name);

        var o19 = Negotiator.Simulate(PolicyTests.Policy("2019").ToClientProfile(), PolicyTests.Policy("2016").ToServerProfile(Cert()));
        Assert.True(o19.Healthy, o19.Explanation);
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", o19.CipherSuite!.Name);

        // KB4557473's case: 2012 R2 (no ECDHE_RSA GCM) lands on the 2016 server's DHE_RSA GCM and trips the leading-zero mismatch.
        var o12 = Negotiator.Simulate(PolicyTests.Policy("2012r2").ToClientProfile(), PolicyTests.Policy("2016").ToServerProfile(Cert()));
        Assert.True(o12.Completed, o12.Explanation);
        Assert.Equal(TlsVersion.TLSv1_2, o12.Version);
        Assert.Equal("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", o12.CipherSuite!.Name);
        Assert.Equal(FailureReason.DhLeadingZero, o12.Reason);
    }

    [Fact]
    public void Healthy_modern_device_outbound_from_2019()
    {
        var device = Device([TlsVersion.TLSv1_2, TlsVersion.TLSv1_3], ["TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]);
        var o = Outbound(PolicyTests.Policy("2019"), device);
        Assert.True(o.Healthy, o.Explanation);
        Assert.Equal(TlsVersion.TLSv1_2, o.Version);
        Assert.Equal("secp256r1", o.Group!.Name);
    }
}
