using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.TestPeers;
using static TlsDoctor.TestPeers.TestProfiles;

namespace TlsDoctor.Core.Tests.Negotiation;

public class NegotiatorTests
{
    private static readonly DateTimeOffset Now = TestProfiles.Now;

    // The Negotiator's own tests: a client with SCHANNEL-like minimums.
    internal static ClientProfile Client(TlsVersion[] versions, string[] suites, string[]? groups = null, string[]? schemes = null) =>
        TestProfiles.Client(versions, suites, groups, schemes) with { DhMinBits = 1024, RsaMinBits = 1024 };

    private static readonly TlsVersion[] T10to12 = [TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2];
    private const string DheAes256 = "TLS_DHE_RSA_WITH_AES_256_CBC_SHA";
    private const string DheAes128 = "TLS_DHE_RSA_WITH_AES_128_CBC_SHA";
    private const string RsaAes128 = "TLS_RSA_WITH_AES_128_CBC_SHA";
    private const string EcdheGcm = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";

    private static void AssertFailure(HandshakeOutcome o, FailureReason reason, Side side)
    {
        Assert.False(o.Completed, o.Explanation);
        Assert.Equal(reason, o.Reason);
        Assert.Equal(side, o.AbortingSide);
        Assert.Null(o.FailureRate);
    }

    // Guide case TD001: the device only offers DHE with a 512-bit group; Windows requires 1024 (MS15-055).
    [Fact]
    public void Weak_dh_is_rejected_by_the_client_without_an_alert_like_schannel()
    {
        var client = Client(T10to12, [EcdheGcm, DheAes256, DheAes128]) with { DhRejectAlert = null };
        var o = Negotiator.Simulate(client, Server(T10to12, [DheAes256, DheAes128], dhBits: 512));
        AssertFailure(o, FailureReason.DhTooSmall, Side.Client);
        Assert.Null(o.Alert);
        Assert.Equal(512, o.KeyExchangeBits);
        Assert.Equal(KeyExchange.DHE, o.KeyExchange);
        Assert.Equal(TlsVersion.TLSv1_2, o.Version);
    }

    [Fact]
    public void Weak_dh_gives_insufficient_security_from_a_generic_client()
    {
        var o = Negotiator.Simulate(Client(T10to12, [DheAes256]), Server(T10to12, [DheAes256], dhBits: 768));
        AssertFailure(o, FailureReason.DhTooSmall, Side.Client);
        Assert.Equal(AlertDescription.InsufficientSecurity, o.Alert);
    }

    [Fact]
    public void Weak_dh_fixed_by_lowering_the_client_minimum()
    {
        var client = Client(T10to12, [DheAes256]) with { DhMinBits = 512 };
        var o = Negotiator.Simulate(client, Server(T10to12, [DheAes256], dhBits: 512));
        Assert.True(o.Healthy, o.Explanation);
    }

    [Fact]
    public void Dh_larger_than_an_old_client_handles_is_dh_too_large()
    {
        var client = Client(T10to12, [DheAes256]) with { DhMinBits = 512, DhMaxBits = 1024 };
        var o = Negotiator.Simulate(client, Server(T10to12, [DheAes256], dhBits: 2048));
        AssertFailure(o, FailureReason.DhTooLarge, Side.Client);
    }

    // Guide case TD002: the device does not strip the leading zero of the DH secret.
    [Fact]
    public void Dh_leading_zero_bug_fails_about_one_in_256()
    {
        var server = Server(T10to12, [DheAes256], behaviours: new Behaviour(BehaviourKind.DhLeadingZeroBug, "proven by a chosen secret"));
        var o = Negotiator.Simulate(Client(T10to12, [DheAes256]), server);
        Assert.True(o.Completed);
        Assert.Equal(FailureReason.DhLeadingZero, o.Reason);
        Assert.Equal(Side.Server, o.AbortingSide);
        Assert.Equal(AlertDescription.BadRecordMac, o.Alert);
        Assert.Equal(1.0 / 256, o.FailureRate!.Value, 6);
        Assert.False(o.Healthy);
    }

    [Fact]
    public void Dh_leading_zero_does_not_matter_when_ecdhe_is_chosen()
    {
        var server = Server(T10to12, [EcdheGcm, DheAes256], behaviours: new Behaviour(BehaviourKind.DhLeadingZeroBug, "x"));
        var o = Negotiator.Simulate(Client(T10to12, [EcdheGcm, DheAes256]), server);
        Assert.True(o.Healthy, o.Explanation);
        Assert.Equal(KeyExchange.ECDHE, o.KeyExchange);
    }

    [Fact]
    public void Unpatched_client_against_correct_server_also_fails_one_in_256_but_two_buggy_sides_agree()
    {
        var buggyClient = Client(T10to12, [DheAes256]) with { StripsDhLeadingZero = false };
        var correct = Negotiator.Simulate(buggyClient, Server(T10to12, [DheAes256]));
        Assert.Equal(FailureReason.DhLeadingZero, correct.Reason);
        var same = Negotiator.Simulate(buggyClient, Server(T10to12, [DheAes256], behaviours: new Behaviour(BehaviourKind.DhLeadingZeroBug, "x")));
        Assert.True(same.Healthy, same.Explanation);
    }

    // Guide case TD003: "fake TLS 1.2" — ServerHello 1.2 then bad_record_mac.
    [Fact]
    public void Fake_tls12_fails_after_hello_with_bad_record_mac()
    {
        var server = Server(T10to12, [RsaAes128], behaviours: new Behaviour(BehaviourKind.HandshakeFailsAfterHello, "Finished fails", TlsVersion.TLSv1_2));
        var o = Negotiator.Simulate(Client(T10to12, [RsaAes128]), server);
        AssertFailure(o, FailureReason.HandshakeFailsAfterHello, Side.Server);
        Assert.Equal(AlertDescription.BadRecordMac, o.Alert);
        Assert.Equal(TlsVersion.TLSv1_2, o.Version);
    }

    [Fact]
    public void Fake_tls12_is_avoided_by_limiting_the_client_to_tls11()
    {
        var server = Server(T10to12, [RsaAes128], behaviours: new Behaviour(BehaviourKind.HandshakeFailsAfterHello, "Finished fails", TlsVersion.TLSv1_2));
        var o = Negotiator.Simulate(Client([TlsVersion.TLSv1_0, TlsVersion.TLSv1_1], [RsaAes128]), server);
        Assert.True(o.Healthy, o.Explanation);
        Assert.Equal(TlsVersion.TLSv1_1, o.Version);
    }

    // Guide case TD005: no common protocol, in both directions.
    [Fact]
    public void Tls12_only_client_vs_tls10_server_client_rejects_the_lower_version()
    {
        var o = Negotiator.Simulate(Client([TlsVersion.TLSv1_2], [RsaAes128]), Server([TlsVersion.SSLv3, TlsVersion.TLSv1_0], [RsaAes128]));
        AssertFailure(o, FailureReason.NoCommonProtocol, Side.Client);
        Assert.Equal(AlertDescription.ProtocolVersion, o.Alert);
        Assert.Equal(TlsVersion.TLSv1_0, o.Version);
    }

    [Fact]
    public void Tls10_client_vs_tls12_only_server_server_rejects_the_hello()
    {
        var o = Negotiator.Simulate(Client([TlsVersion.TLSv1_0], [RsaAes128]), Server([TlsVersion.TLSv1_2], [RsaAes128]));
        AssertFailure(o, FailureReason.NoCommonProtocol, Side.Server);
        Assert.Equal(AlertDescription.ProtocolVersion, o.Alert);
        Assert.Null(o.Version);
    }

    [Fact]
    public void Client_with_a_version_gap_aborts_when_the_server_picks_the_gap()
    {
        var o = Negotiator.Simulate(Client([TlsVersion.TLSv1_0, TlsVersion.TLSv1_2], [RsaAes128]), Server([TlsVersion.TLSv1_0, TlsVersion.TLSv1_1], [RsaAes128]));
        AssertFailure(o, FailureReason.NoCommonProtocol, Side.Client);
        Assert.Equal(TlsVersion.TLSv1_1, o.Version);
    }

    // Guide case TD004: SHA-512 certificate with TLS 1.2 on unpatched Windows.
    [Fact]
    public void Sha512_certificate_in_tls12_fails_on_unpatched_windows()
    {
        var client = Client(T10to12, [RsaAes128]) with { Sha512InTls12 = false };
        var o = Negotiator.Simulate(client, Server(T10to12, [RsaAes128], cert: Cert(sig: "sha512WithRSAEncryption")));
        AssertFailure(o, FailureReason.Sha512Tls12Unpatched, Side.Client);
        Assert.Equal(TlsVersion.TLSv1_2, o.Version);
    }

    [Fact]
    public void Sha512_certificate_is_fine_in_tls10_and_when_patched()
    {
        var server = Server([TlsVersion.TLSv1_0], [RsaAes128], cert: Cert(sig: "sha512WithRSAEncryption"));
        Assert.True(Negotiator.Simulate(Client(T10to12, [RsaAes128]) with { Sha512InTls12 = false }, server).Healthy);
        var server12 = Server(T10to12, [RsaAes128], cert: Cert(sig: "sha512WithRSAEncryption"));
        Assert.True(Negotiator.Simulate(Client(T10to12, [RsaAes128]), server12).Healthy);
    }

    // Guide case TD006: the device does not trust the server certificate.
    [Fact]
    public void Untrusted_certificate_is_rejected_with_unknown_ca()
    {
        var device = Client(T10to12, [RsaAes128]) with { TrustedCertificates = ["ffff"] };
        var o = Negotiator.Simulate(device, Server(T10to12, [RsaAes128], cert: Cert(fp: "aa11")));
        AssertFailure(o, FailureReason.UntrustedCertificate, Side.Client);
        Assert.Equal(AlertDescription.UnknownCa, o.Alert);
        Assert.True(Negotiator.Simulate(device with { TrustedCertificates = ["AA11"] }, Server(T10to12, [RsaAes128], cert: Cert(fp: "aa11"))).Healthy);
    }

    // Guide case TD007: the device cannot verify SHA-256 / RSA-2048.
    [Fact]
    public void Old_device_cannot_verify_sha256_signature()
    {
        var device = Client([TlsVersion.TLSv1_0], [RsaAes128]) with { AcceptedCertificateHashes = ["md5", "sha1"] };
        var o = Negotiator.Simulate(device, Server(T10to12, [RsaAes128], cert: Cert(bits: 1024)));
        AssertFailure(o, FailureReason.CertificateHashUnsupported, Side.Client);
        Assert.True(Negotiator.Simulate(device, Server(T10to12, [RsaAes128], cert: Cert(bits: 1024, sig: "sha1WithRSAEncryption"))).Healthy);
    }

    [Fact]
    public void Old_device_cannot_verify_rsa_2048()
    {
        var device = Client([TlsVersion.TLSv1_0], [RsaAes128]) with { RsaMaxBits = 1024 };
        AssertFailure(Negotiator.Simulate(device, Server(T10to12, [RsaAes128], cert: Cert(bits: 2048))), FailureReason.CertificateKeyTooLarge, Side.Client);
    }

    [Fact]
    public void Rsa_512_certificate_is_too_small_for_windows()
    {
        var o = Negotiator.Simulate(Client(T10to12, [RsaAes128]), Server(T10to12, [RsaAes128], cert: Cert(bits: 512)));
        AssertFailure(o, FailureReason.CertificateKeyTooSmall, Side.Client);
    }

    [Fact]
    public void Ec_certificate_for_a_client_that_only_verifies_rsa()
    {
        var device = Client(T10to12, ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]) with { AcceptedCertificateKeys = ["RSA"] };
        var o = Negotiator.Simulate(device, Server(T10to12, ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"], cert: Cert(key: "EC", bits: 256, sig: "ecdsa-with-SHA256")));
        AssertFailure(o, FailureReason.CertificateKeyUnsupported, Side.Client);
    }

    [Fact]
    public void No_common_cipher_suite_is_a_server_handshake_failure()
    {
        var o = Negotiator.Simulate(Client(T10to12, [EcdheGcm]), Server(T10to12, ["TLS_RSA_WITH_RC4_128_SHA"]));
        AssertFailure(o, FailureReason.NoCommonCipherSuite, Side.Server);
        Assert.Equal(AlertDescription.HandshakeFailure, o.Alert);
    }

    [Fact]
    public void Ecdhe_without_a_common_curve_is_no_common_group()
    {
        var o = Negotiator.Simulate(Client(T10to12, [EcdheGcm], groups: ["secp384r1"]), Server(T10to12, [EcdheGcm], groups: ["secp256r1"]));
        AssertFailure(o, FailureReason.NoCommonGroup, Side.Server);
    }

    [Fact]
    public void Without_a_common_curve_the_server_falls_back_to_a_non_ec_suite()
    {
        var o = Negotiator.Simulate(Client(T10to12, [EcdheGcm, RsaAes128], groups: ["secp384r1"]), Server(T10to12, [EcdheGcm, RsaAes128], groups: ["secp256r1"]));
        Assert.True(o.Healthy, o.Explanation);
        Assert.Equal(RsaAes128, o.CipherSuite!.Name);
    }

    [Fact]
    public void Expired_and_not_yet_valid_certificates_need_a_clock()
    {
        var expired = Server(T10to12, [RsaAes128], cert: Cert(notAfter: new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.True(Negotiator.Simulate(Client(T10to12, [RsaAes128]), expired).Healthy);
        AssertFailure(Negotiator.Simulate(Client(T10to12, [RsaAes128]), expired, Now), FailureReason.CertificateExpired, Side.Client);
        var early = Server(T10to12, [RsaAes128], cert: Cert(notBefore: new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        AssertFailure(Negotiator.Simulate(Client(T10to12, [RsaAes128]), early, Now), FailureReason.CertificateNotYetValid, Side.Client);
    }

    [Fact]
    public void Version_intolerant_server_aborts_on_a_tls12_hello()
    {
        var server = Server(T10to12, [RsaAes128], behaviours: new Behaviour(BehaviourKind.VersionIntolerance, "resets on 1.2 hello", TlsVersion.TLSv1_2));
        AssertFailure(Negotiator.Simulate(Client(T10to12, [RsaAes128]), server), FailureReason.VersionIntolerance, Side.Server);
        Assert.True(Negotiator.Simulate(Client([TlsVersion.TLSv1_0], [RsaAes128]), server).Healthy);
    }

    [Fact]
    public void Extension_intolerant_server_aborts()
    {
        var server = Server(T10to12, [RsaAes128], behaviours: new Behaviour(BehaviourKind.ExtensionIntolerance, "x"));
        AssertFailure(Negotiator.Simulate(Client(T10to12, [RsaAes128]), server), FailureReason.ExtensionIntolerance, Side.Server);
    }

    [Fact]
    public void Server_order_and_client_order_pick_different_suites()
    {
        var client = Client(T10to12, [EcdheGcm, RsaAes128]);
        Assert.Equal(EcdheGcm, Negotiator.Simulate(client, Server(T10to12, [RsaAes128, EcdheGcm], serverOrder: false)).CipherSuite!.Name);
        Assert.Equal(RsaAes128, Negotiator.Simulate(client, Server(T10to12, [RsaAes128, EcdheGcm], serverOrder: true)).CipherSuite!.Name);
    }

    [Fact]
    public void Healthy_tls13_pair_uses_the_common_group()
    {
        TlsVersion[] v = [TlsVersion.TLSv1_2, TlsVersion.TLSv1_3];
        var o = Negotiator.Simulate(Client(v, ["TLS_AES_128_GCM_SHA256", EcdheGcm]), Server(v, ["TLS_AES_128_GCM_SHA256", EcdheGcm], groups: ["x25519", "secp256r1"]));
        Assert.True(o.Healthy, o.Explanation);
        Assert.Equal(TlsVersion.TLSv1_3, o.Version);
        Assert.Equal(KeyExchange.ECDHE, o.KeyExchange);
        Assert.Equal("x25519", o.Group!.Name);
    }

    // A scanned TLS 1.3 server: the scanner's hello got x25519; the group scan found x25519, secp256r1 and secp384r1.
    private static ServerProfile ScannedTls13(params string[] groups)
    {
        TlsVersion[] v = [TlsVersion.TLSv1_2, TlsVersion.TLSv1_3];
        var server = Server(v, ["TLS_AES_128_GCM_SHA256", DheAes128], groups: groups);
        return server with
        {
            Protocols = [.. server.Protocols.Select(p => p.Version switch
            {
                TlsVersion.TLSv1_3 => p with { CipherSuites = [.. p.CipherSuites.Select(a => a with { Group = Vocabulary.Group("x25519") })] },
                TlsVersion.TLSv1_2 => p with { FfdheGroups = [new GroupDhBits(Vocabulary.Group("ffdhe2048"), 2048)] },
                _ => p,
            })],
        };
    }

    [Fact]
    public void A_tls13_client_without_the_scanners_group_gets_another_group_the_server_accepts()
    {
        var client = Client([TlsVersion.TLSv1_3], ["TLS_AES_128_GCM_SHA256"], groups: ["secp384r1"]);
        var o = Negotiator.Simulate(client, ScannedTls13("x25519", "secp256r1", "secp384r1", "ffdhe2048"));
        Assert.True(o.Healthy, o.Explanation);
        Assert.Equal("secp384r1", o.Group!.Name);
        // A client that offers the scanner's group keeps it.
        Assert.Equal("x25519", Negotiator.Simulate(Client([TlsVersion.TLSv1_3], ["TLS_AES_128_GCM_SHA256"]), ScannedTls13("x25519", "secp256r1", "ffdhe2048")).Group!.Name);
        // Nothing in common is still no common group.
        AssertFailure(Negotiator.Simulate(client, ScannedTls13("x25519", "secp256r1")), FailureReason.NoCommonGroup, Side.Server);
    }

    [Fact]
    public void Ffdhe_groups_seen_only_in_tls12_dhe_are_not_tls13_key_shares()
    {
        var ffdheOnly = Client([TlsVersion.TLSv1_3], ["TLS_AES_128_GCM_SHA256"], groups: ["ffdhe2048"]);
        AssertFailure(Negotiator.Simulate(ffdheOnly, ScannedTls13("x25519", "secp256r1", "ffdhe2048")), FailureReason.NoCommonGroup, Side.Server);
        // Also when no TLS 1.3 suite recorded a group (older scan files).
        var unrecorded = ScannedTls13("x25519", "secp256r1", "ffdhe2048");
        unrecorded = unrecorded with { Protocols = [.. unrecorded.Protocols.Select(p => p with { CipherSuites = [.. p.CipherSuites.Select(a => a with { Group = null })] })] };
        AssertFailure(Negotiator.Simulate(ffdheOnly, unrecorded), FailureReason.NoCommonGroup, Side.Server);
        // The same client with TLS 1.2 as well falls back to DHE, where the group was measured.
        var both = Client([TlsVersion.TLSv1_2, TlsVersion.TLSv1_3], ["TLS_AES_128_GCM_SHA256", DheAes128], groups: ["ffdhe2048"]);
        var o = Negotiator.Simulate(both, ScannedTls13("x25519", "secp256r1", "ffdhe2048"));
        Assert.Equal((TlsVersion.TLSv1_3, FailureReason.NoCommonGroup), (o.Version!.Value, o.Reason!.Value));
    }

    [Fact]
    public void Healthy_tls12_ecdhe_pair()
    {
        var o = Negotiator.Simulate(Client(T10to12, [EcdheGcm, DheAes256, RsaAes128]), Server(T10to12, [DheAes256, EcdheGcm, RsaAes128]));
        Assert.True(o.Healthy, o.Explanation);
        Assert.Equal(TlsVersion.TLSv1_2, o.Version);
        Assert.Equal(EcdheGcm, o.CipherSuite!.Name);
        Assert.Equal(256, o.KeyExchangeBits);
        Assert.Null(o.Reason);
        Assert.Null(o.AbortingSide);
    }

    [Fact]
    public void Healthy_legacy_pair_on_tls10_with_dhe_2048()
    {
        var o = Negotiator.Simulate(Client([TlsVersion.TLSv1_0], [DheAes128]), Server([TlsVersion.SSLv3, TlsVersion.TLSv1_0], [DheAes128], dhBits: 2048));
        Assert.True(o.Healthy, o.Explanation);
        Assert.Equal(2048, o.KeyExchangeBits);
    }

    [Fact]
    public void Rsa_certificate_needs_an_rsa_signature_scheme_in_tls12()
    {
        var client = Client(T10to12, [EcdheGcm], schemes: ["ecdsa_secp256r1_sha256"]);
        var o = Negotiator.Simulate(client, Server(T10to12, [EcdheGcm]));
        AssertFailure(o, FailureReason.NoCommonSignatureScheme, Side.Server);
    }

    [Fact]
    public void Trust_checked_after_handshake_reports_the_dh_failure_first_and_lists_the_rest()
    {
        var client = Client(T10to12, [DheAes256]) with { TrustedCertificates = ["ffff"], ChecksTrustAfterHandshake = true };
        var o = Negotiator.Simulate(client, Server(T10to12, [DheAes256], dhBits: 512));
        Assert.Equal(FailureReason.DhTooSmall, o.Reason);
        Assert.Contains(FailureReason.UntrustedCertificate, o.AdditionalReasons);
        var wire = Negotiator.Simulate(client with { ChecksTrustAfterHandshake = false }, Server(T10to12, [DheAes256], dhBits: 512));
        Assert.Equal(FailureReason.UntrustedCertificate, wire.Reason);
    }

    [Fact]
    public void Simulation_is_deterministic()
    {
        var c = Client(T10to12, [EcdheGcm, DheAes256]);
        var s = Server(T10to12, [DheAes256, EcdheGcm], serverOrder: true);
        Assert.Equal(Negotiator.Simulate(c, s), Negotiator.Simulate(c, s));
    }

    [Fact]
    public void Reasons_are_unique_and_documented()
    {
        var codes = FailureReasons.All.Select(r => r.Name()).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.Equal(Enum.GetValues<FailureReason>().Length, codes.Count);
        Assert.All(FailureReasons.All, r => Assert.True(FailureReasons.TryParse(r.Name(), out var back) && back == r));
        Assert.All(FailureReasons.All, r => Assert.False(string.IsNullOrWhiteSpace(r.Description())));
    }
}
