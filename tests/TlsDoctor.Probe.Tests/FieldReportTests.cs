using TlsDoctor.Core;
using TlsDoctor.Lab;
using TlsDoctor.Probe.Json;

namespace TlsDoctor.Probe.Tests;

/// <summary>
/// Server behaviours seen in the field (issue 15 #1-#6), each reproduced by a lab device: a ClientHello size cap, a
/// server closing on status_request, RFC 7919 groups for TLS 1.2 DHE, Go's client-dependent order.
/// </summary>
public sealed class FieldReportTests(FieldLab lab) : IClassFixture<FieldLab>
{
    private Task<ScanResult> ScanAsync(string profile) => lab.ScanAsync(profile);

    [Fact]
    public async Task A_server_capping_the_hello_at_150_suites_keeps_tls12_through_the_size_ladder_not_version_intolerance()
    {
        var r = await ScanAsync(LabProfiles.MfdHelloLimit);
        Assert.Equal([TlsVersion.TLSv1_2, TlsVersion.TLSv1_3], r.Profile.SupportedVersions);
        var limit = Assert.Single(r.Profile.Behaviours, b => b.Kind == BehaviourKind.ClientHelloSizeLimit);
        Assert.Contains("decode_error", limit.Detail);
        Assert.Equal(2, limit.AttemptIds.Length);
        Assert.DoesNotContain(r.Profile.Behaviours, b => b.Kind == BehaviourKind.VersionIntolerance);
        Assert.True(r.Profile.For(TlsVersion.TLSv1_2)!.FullHandshake!.Completed);
    }

    [Fact]
    public async Task Server_order_from_chunked_offers_is_confirmed_and_puts_the_favourite_of_a_later_chunk_first()
    {
        var r = await ScanAsync(LabProfiles.MfdHelloLimit);
        var tls12 = r.Profile.For(TlsVersion.TLSv1_2)!;
        Assert.True(tls12.ServerOrder);
        Assert.Equal(["TLS_RSA_WITH_AES_256_CCM", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
            tls12.CipherSuites.Select(s => s.Suite.Name));
    }

    [Fact]
    public async Task Two_suites_found_in_different_chunks_get_the_pair_probe_and_the_later_found_favourite_comes_first()
    {
        // Offering them together (last found first) is answered with the favourite, as a server following the client
        // would answer: that alone proves nothing (it made the order "client" before), so the pair probe decides.
        var r = await ScanAsync(LabProfiles.MfdChunkedOrder);
        var tls12 = r.Profile.For(TlsVersion.TLSv1_2)!;
        Assert.Equal(["TLS_RSA_WITH_AES_256_CCM", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], tls12.CipherSuites.Select(s => s.Suite.Name));
        Assert.True(tls12.ServerOrder);
        Assert.Equal("server", ScanJsonMapper.ToJson(tls12).OrderKind);
        // The pair probe here is the full handshake, which offers the two the other way round while the order is open.
        var pair = (FullHandshakeRequest)r.Attempts.Single(a => a.Request.Step == ProbeStep.FullHandshake).Request;
        Assert.Equal([(ushort)0xC02F, (ushort)0xC09D], pair.Suites.ToArray());
    }

    [Fact]
    public async Task A_server_that_closes_on_status_request_gets_a_handshake_without_it_and_gives_its_tls13_certificate()
    {
        var r = await ScanAsync(LabProfiles.MfdNoOcsp);
        Assert.Equal([TlsVersion.TLSv1_3], r.Profile.SupportedVersions);
        Assert.True(r.Profile.For(TlsVersion.TLSv1_3)!.FullHandshake!.Completed);
        Assert.Contains("mfd-no-ocsp", Assert.Single(r.Profile.Certificates).Subject);
        var b = Assert.Single(r.Profile.Behaviours, b => b.Kind == BehaviourKind.StatusRequestIntolerance);
        Assert.Contains("status_request", b.Detail);
        // The server's close is not an alert of ours.
        var closed = (FullHandshakeResult)r.Attempts.Single(a => a.Id == b.AttemptIds[0]).Answer;
        Assert.Equal((HandshakeStage.Connect, false, (AlertDescription?)null), (closed.Check.Stage, closed.Check.AlertSentByUs, closed.Check.Alert));
        Assert.Equal(ProbeErrorKind.Closed, closed.Failure);
    }

    [Fact]
    public async Task Rfc7919_groups_of_tls12_dhe_are_enumerated_with_their_dh_size()
    {
        var r = await ScanAsync(LabProfiles.MfdFfdhe);
        var tls12 = r.Profile.For(TlsVersion.TLSv1_2)!;
        Assert.Equal([("ffdhe2048", 2048), ("ffdhe3072", 3072)], tls12.FfdheGroups.Select(g => (g.Group.Name, g.DhBits)));
        Assert.Contains(r.Profile.Groups, g => g.Name == "ffdhe3072");
        Assert.DoesNotContain(r.Profile.Groups, g => g.Name == "ffdhe4096");
        var json = ScanJsonMapper.ToJson(tls12);
        Assert.Equal([("ffdhe2048", 2048), ("ffdhe3072", 3072)], json.FfdheGroups!.Value.Select(g => (g.Group, g.DhBits)));
    }

    [Fact]
    public async Task Dh_bits_with_ffdhe_are_measured_in_each_version_not_copied()
    {
        // The device honours RFC 7919 in TLS 1.2 only.
        var r = await ScanAsync(LabProfiles.MfdFfdhe);
        Assert.All(r.Profile.For(TlsVersion.TLSv1_2)!.CipherSuites.Where(s => s.Suite.KeyExchange == KeyExchange.DHE), s => Assert.Equal(2048, s.DhBitsWithFfdhe));
        foreach (var v in new[] { TlsVersion.TLSv1_0, TlsVersion.TLSv1_1 })
        {
            Assert.All(r.Profile.For(v)!.CipherSuites.Where(s => s.Suite.KeyExchange == KeyExchange.DHE), s => Assert.Null(s.DhBitsWithFfdhe));
            Assert.Empty(r.Profile.For(v)!.FfdheGroups);
        }
    }

    [Fact]
    public async Task Gos_client_dependent_order_is_its_own_order_kind_and_says_what_schannel_gets()
    {
        var r = await ScanAsync(LabProfiles.MfdChaChaOrder);
        foreach (var v in new[] { TlsVersion.TLSv1_2, TlsVersion.TLSv1_3 })
        {
            var p = r.Profile.For(v)!;
            Assert.True(p.ClientDependentOrder, v.Name());
            Assert.Equal("client-dependent", ScanJsonMapper.ToJson(p).OrderKind);
            // What an AES-GCM-first client such as SCHANNEL gets is the order listed: AES-GCM before ChaCha20.
            Assert.Contains("AES", p.CipherSuites[0].Suite.Name);
        }
        Assert.All(r.Profile.Behaviours.Where(b => b.Kind == BehaviourKind.ClientDependentOrder), b => Assert.Contains("SCHANNEL", b.Detail));
        Assert.Equal(2, r.Profile.Behaviours.Count(b => b.Kind == BehaviourKind.ClientDependentOrder));
    }
}

/// <summary>The field-report lab devices, started once, each scanned once.</summary>
public sealed class FieldLab : IAsyncLifetime
{
    private static readonly ProbeOptions Options = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60));
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<ScanResult>>> _scans = new();
    private LabHost _host = null!;

    public Task<ScanResult> ScanAsync(string profile) => _scans.GetOrAdd(profile, p => new(() =>
    {
        var ep = _host.Devices.Single(d => d.Profile == p).Endpoint;
        return new TlsScanner(Options).ScanAsync(new ProbeTarget("127.0.0.1", ep.Port));
    })).Value;

    public async Task InitializeAsync() => _host = await LabHost.StartAsync(
        [LabProfiles.MfdHelloLimit, LabProfiles.MfdNoOcsp, LabProfiles.MfdFfdhe, LabProfiles.MfdChaChaOrder, LabProfiles.MfdChunkedOrder],
        new LabOptions(), CancellationToken.None);

    public async Task DisposeAsync() => await _host.DisposeAsync();
}
