using TlsDoctor.Core;
using TlsDoctor.Lab;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe.Tests;

/// <summary>
/// Well-framed TLS that is wrong in one field (issue 15 #21, #26, #29): a clean per-target error or behaviour each,
/// never an exception out of the scanner.
/// </summary>
public sealed class MalformedFlightTests(HostileLab lab) : IClassFixture<HostileLab>
{
    private Task<ScanResult> ScanAsync(string profile) => lab.ScanAsync(profile);

    [Fact]
    public async Task A_server_hello_whose_version_is_0x0002_is_malformed_tls_not_an_sslv2_answer()
    {
        var r = await ScanAsync(LabProfiles.HostileSslv2Version);
        Assert.False(r.SpeaksTls);
        Assert.Contains("ServerHello.legacy_version", r.Error);
        Assert.Contains("0x0002", r.Error);
        Assert.Equal(1, r.Handshakes);
    }

    [Fact]
    public void The_47_byte_answer_replays_to_a_malformed_response_naming_the_field()
    {
        byte[] answer = [0x16, 0x03, 0x03, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26, 0x00, 0x02, .. new byte[32], 0x00, 0x00, 0x2f, 0x00];
        Assert.Equal(47, answer.Length);
        var r = ServerFlight.Replay(new Transcript(ReadOnlyMemory<byte>.Empty, answer, ProbeErrorKind.Closed));
        Assert.Equal(HelloOutcome.Malformed, r.Outcome);
        Assert.Equal("ServerHello.legacy_version", r.WireError?.Field);
        Assert.Equal(ProbeErrorKind.Malformed, r.Failure);
    }

    [Theory]
    [InlineData(LabProfiles.HostileGreaseSuite, "0x0a0a")]
    [InlineData(LabProfiles.HostileUnofferedSuite, "not offered")]
    [InlineData(LabProfiles.HostileDeflate, "compression method 1 (deflate)")]
    public async Task A_choice_never_offered_is_a_protocol_violation_and_no_accepted_suite(string profile, string detail)
    {
        var r = await ScanAsync(profile);
        Assert.Contains(r.Profile.Behaviours, b => b.Kind == BehaviourKind.ProtocolViolation && b.Detail.Contains(detail) && !b.AttemptIds.IsEmpty);
        var offered = r.Attempts.Select(a => a.Request).OfType<HelloRequest>().SelectMany(h => h.Suites).ToHashSet();
        Assert.All(r.Profile.Protocols.SelectMany(p => p.CipherSuites), s => Assert.Contains(s.Suite.Code, offered));
        if (profile == LabProfiles.HostileDeflate) Assert.Empty(r.Profile.Protocols.SelectMany(p => p.CipherSuites));
    }

    [Fact]
    public async Task A_record_version_that_changes_mid_flight_is_a_protocol_violation()
    {
        var r = await ScanAsync(LabProfiles.HostileRecordVersionChange);
        Assert.Contains(r.Profile.Behaviours, b => b.Kind == BehaviourKind.ProtocolViolation && b.Detail.Contains("TLSPlaintext.version") && b.Detail.Contains("0x0301"));
        Assert.Contains(TlsVersion.TLSv1_2, r.Profile.SupportedVersions);
    }

    [Fact]
    public async Task A_tls12_flight_carrying_supported_versions_13_is_not_tls13_support()
    {
        var r = await ScanAsync(LabProfiles.HostileFakeTls13);
        Assert.DoesNotContain(TlsVersion.TLSv1_3, r.Profile.SupportedVersions);
        Assert.Contains(TlsVersion.TLSv1_2, r.Profile.SupportedVersions);
        Assert.Contains(r.Profile.Behaviours, b => b.Kind == BehaviourKind.ProtocolViolation && b.Detail.Contains("not TLS 1.3"));
    }

    [Fact]
    public async Task Dh_parameters_no_client_can_use_are_a_behaviour_and_are_never_simulated_as_completing()
    {
        var r = await ScanAsync(LabProfiles.HostileInvalidDh);
        var b = Assert.Single(r.Profile.Behaviours, b => b.Kind == BehaviourKind.DhInvalidParameters && b.Version == TlsVersion.TLSv1_2);
        Assert.Contains("even", b.Detail);

        var dheClient = new ClientProfile("dhe-only", [TlsVersion.TLSv1_2], [CipherSuites.Get(0x0033)], [], [], []);
        var outcome = Negotiator.Simulate(dheClient, r.Profile);
        // The device also sends no certificate, which comes first in wire order; the key exchange fails as well.
        Assert.False(outcome.Completed);
        Assert.Contains(FailureReason.DhInvalidParameters, outcome.AdditionalReasons.Prepend(outcome.Reason!.Value));
    }

    public static TheoryData<string, string, string, string> InvalidParameters => new()
    {
        { "00", "02", "05", "p is 0" },
        { "01", "02", "05", "p is 1" },
        { Ffdhe2048, "00", "05", "g is 0" },
        { Ffdhe2048, "02", Ffdhe2048, "Ys is p" },
        { Ffdhe2048[..^2] + "FE", "02", "05", "even" },
        { new string('F', 65_535 * 2), "02", "05", "524280 bits" },
    };

    [Theory]
    [MemberData(nameof(InvalidParameters))]
    public void Each_invalid_dh_parameter_is_named(string p, string g, string ys, string expected)
    {
        var problem = DhParameterCheck.Problem(new DheParameters(Convert.FromHexString(p), Convert.FromHexString(g), Convert.FromHexString(ys), null, ReadOnlyMemory<byte>.Empty));
        Assert.NotNull(problem);
        Assert.Contains(expected, problem);
    }

    [Fact]
    public void A_real_group_passes() =>
        Assert.Null(DhParameterCheck.Problem(new DheParameters(Convert.FromHexString(Ffdhe2048), new byte[] { 2 }, new byte[] { 5 }, null, ReadOnlyMemory<byte>.Empty)));

    // RFC 7919 ffdhe2048.
    private const string Ffdhe2048 =
        "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF97D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F619172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA886B423861285C97FFFFFFFFFFFFFFFF";
}
