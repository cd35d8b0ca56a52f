using TlsDoctor.Core;
using TlsDoctor.Probe;
using TlsDoctor.Probe.Handshake.LeadingZero;
using TlsDoctor.TestPeers;
using static TlsDoctor.Lab.LabProfiles;

namespace TlsDoctor.Lab.Tests;

/// <summary>The DH leading-zero probe against the broken lab device and against correct DHE servers.</summary>
[Collection("lab")]
public sealed class LeadingZeroTests(LabFixture lab)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly ProbeOptions Options = new(Timeout, Timeout, Timeout);

    private static async Task<LeadingZeroResult> RunAsync(System.Net.IPEndPoint target, TlsVersion version, LeadingZeroMode mode, CancellationToken ct) =>
        (await DhLeadingZeroProbe.RunAsync(new ProbeTarget(target.Address.ToString(), target.Port), version, mode, Options, ct)).Result;

    private static async Task<LeadingZeroResult[]> RunManyAsync(System.Net.IPEndPoint target, TlsVersion version, LeadingZeroMode mode, int count, int parallel)
    {
        var results = new LeadingZeroResult[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, ct) =>
            results[i] = await RunAsync(target, version, mode, ct));
        return results;
    }

    [Fact]
    public async Task Broken_dh_fails_about_one_random_handshake_in_256_exactly_when_z_has_a_leading_zero()
    {
        const int n = 2000;
        var results = await RunManyAsync(lab.Endpoint(MfdBrokenDh), TlsVersion.TLSv1_2, LeadingZeroMode.Random, n, parallel: 4);
        var failures = results.Where(r => !r.Completed).ToArray();

        // Every handshake got as far as a key exchange with the device's 1024-bit group.
        Assert.All(results, r => Assert.Equal(1024, r.DhBits));
        // The cause, handshake by handshake: a failure happens exactly when Z started with 0x00.
        Assert.All(results, r => Assert.Equal(r.SharedSecretHadLeadingZero, !r.Completed));
        Assert.All(failures, r => Assert.Equal((AlertDescription.BadRecordMac, true), (r.Alert!.Value, r.AlertFromServer)));
        // The rate: X ~ Binomial(2000, 1/256) (p is 1/256 to within 1e-9 because Oakley group 2's prime is
        // 2^1024 - 2^960 - ...), mean 7.81, sd 2.79. P(X = 0) = (255/256)^2000 = 4.0e-4 and P(X >= 21) = 6.5e-5,
        // so the band 1..20 rejects a correct lab with probability 4.6e-4, while a device that never
        // (X = 0) or always keeps/strips wrongly at a different rate (e.g. 1/128: mean 15.6; 1/16: 125) falls outside
        // or, for 1/128, is caught by the per-handshake assertion above anyway.
        Assert.InRange(failures.Length, 1, 20);
    }

    [Fact]
    public async Task Broken_dh_fails_every_forced_leading_zero_handshake_with_bad_record_mac()
    {
        foreach (var version in new[] { TlsVersion.TLSv1_2, TlsVersion.TLSv1_0 })
        {
            var results = await RunManyAsync(lab.Endpoint(MfdBrokenDh), version, LeadingZeroMode.ForceSharedSecretLeadingZero, 10, parallel: 2);
            Assert.All(results, r =>
            {
                Assert.False(r.Completed, r.Reason);
                Assert.True(r.SharedSecretHadLeadingZero);
                Assert.Equal(AlertDescription.BadRecordMac, r.Alert);
                Assert.True(r.AlertFromServer);
                Assert.Equal(HandshakeStage.Finished, r.Stage);
                Assert.Equal(version, r.Version);
            });
        }
    }

    [Fact]
    public async Task A_correct_openssl_dhe_server_completes_every_forced_leading_zero_handshake()
    {
        await using var server = await TestPeers.Peers.StartAsync(PeerTarget.Dh1024);
        var results = await RunManyAsync(server.EndPoint, TlsVersion.TLSv1_2, LeadingZeroMode.ForceSharedSecretLeadingZero, 20, parallel: 2);
        Assert.All(results, r =>
        {
            Assert.True(r.Completed, r.Reason);
            Assert.True(r.SharedSecretHadLeadingZero);
            Assert.Equal(1024, r.DhBits);
            Assert.Equal(HandshakeStage.Completed, r.Stage);
        });
        // Unpadded client public values (shorter than p) are legal in TLS <= 1.2 and OpenSSL takes them.
        var unpadded = await RunManyAsync(server.EndPoint, TlsVersion.TLSv1_2, LeadingZeroMode.ForceClientPublicLeadingZeroUnpadded, 5, parallel: 1);
        Assert.All(unpadded, r => Assert.True(r.Completed && r.ClientPublicHadLeadingZero, r.Reason));
    }

    [Fact]
    public async Task A_correct_bouncycastle_lab_server_completes_forced_handshakes_and_reports_its_512_bit_group()
    {
        var results = await RunManyAsync(lab.Endpoint(MfdWeakDh), TlsVersion.TLSv1_0, LeadingZeroMode.ForceSharedSecretLeadingZero, 20, parallel: 2);
        Assert.All(results, r =>
        {
            Assert.True(r.Completed, r.Reason);
            Assert.True(r.SharedSecretHadLeadingZero);
            Assert.Equal(512, r.DhBits);
        });
    }

    [Fact]
    public async Task Against_a_server_without_dhe_the_probe_reports_the_failure_and_no_dh_size()
    {
        var r = await RunAsync(lab.Endpoint(MfdTls12Only), TlsVersion.TLSv1_2, LeadingZeroMode.Random, default);
        Assert.False(r.Completed);
        Assert.Null(r.DhBits);
        Assert.Equal(AlertDescription.HandshakeFailure, r.Alert);
        Assert.True(r.AlertFromServer);
    }
}
