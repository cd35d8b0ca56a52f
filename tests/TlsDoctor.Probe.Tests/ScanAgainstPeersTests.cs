using TlsDoctor.Core;
using TlsDoctor.Probe;
using TlsDoctor.TestPeers;

namespace TlsDoctor.Probe.Tests;

/// <summary>Scans real OpenSSL and GnuTLS servers and compares with the facts each was configured to show.</summary>
public sealed class ScanAgainstPeersTests(PeerScans scans) : IClassFixture<PeerScans>
{
    public static TheoryData<PeerTarget> Targets() => new(Enum.GetValues<PeerTarget>());

    private async Task<(PeerSpec spec, ScanResult result)> ScanAsync(PeerTarget target) => (PeerCatalog.Get(target), await scans.GetAsync(target));

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Versions_are_exactly_the_configured_ones(PeerTarget target)
    {
        var (spec, r) = await ScanAsync(target);
        Assert.True(r.Reachable, r.Error);
        Assert.Null(r.Error);
        Assert.Equal(spec.Versions.OrderBy(v => v), r.Profile.SupportedVersions.OrderBy(v => v));
        // Unsupported versions are listed too.
        Assert.Equal(TlsVersions.All, r.Profile.Protocols.Select(p => p.Version));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Suites_order_and_preference_match(PeerTarget target)
    {
        var (spec, r) = await ScanAsync(target);
        foreach (var v in spec.Versions)
        {
            var p = r.Profile.For(v)!;
            var expected = spec.Suites.Where(s => CipherSuites.Get(s.Code).ValidIn(v)).Select(s => s.Name).ToList();
            var found = p.CipherSuites.Select(s => s.Suite.Name).ToList();
            if (spec.ServerOrder)
            {
                Assert.Equal(expected, found);
                Assert.True(p.ServerOrder, $"{v.Name()}: server order not detected");
                // OpenSSL and GnuTLS keep their order between AES-GCM and ChaCha20 too (Go would not).
                Assert.False(p.ClientDependentOrder, $"{v.Name()}: plain server order taken for client-dependent");
            }
            else
            {
                Assert.Equal(expected.OrderBy(n => n), found.OrderBy(n => n));
                Assert.False(p.ServerOrder, $"{v.Name()}: client order not detected");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Dh_sizes_groups_and_certificate_match(PeerTarget target)
    {
        var (spec, r) = await ScanAsync(target);
        var dhe = r.Profile.Protocols.SelectMany(p => p.CipherSuites).Where(s => s.Suite.KeyExchange == KeyExchange.DHE).ToList();
        if (spec.DhBits is { } bits)
        {
            Assert.NotEmpty(dhe);
            Assert.All(dhe, s => Assert.Equal(bits, s.DhBits));
            Assert.All(dhe, s => Assert.Equal(spec.DhBitsWhenClientOffersFfdhe, s.DhBitsWithFfdhe));
        }
        else Assert.Empty(dhe);

        // A server that follows the client's order follows it for groups too; only then is the order ours, not its.
        var groups = spec.Groups.Concat(spec.FfdheGroups).ToList();
        if (spec.ServerOrder) Assert.Equal(groups, r.Profile.Groups.Select(g => g.Name));
        else Assert.Equal(groups.OrderBy(g => g), r.Profile.Groups.Select(g => g.Name).OrderBy(g => g));

        var facts = spec.CertificateFacts;
        var leaf = r.Profile.Certificates[0];
        Assert.Equal(facts.KeyAlgorithm, leaf.KeyAlgorithm);
        Assert.Equal(facts.KeyBits, leaf.KeyBits);
        Assert.Equal(facts.SignatureAlgorithm, leaf.SignatureAlgorithm);
        Assert.Contains(facts.SubjectCommonName, leaf.Subject);
        Assert.Equal(facts.SelfSigned, leaf.SelfSigned);
        Assert.Matches("^[0-9a-f]{64}$", leaf.Sha256);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Versions_below_a_protocol_version_alert_are_settled_without_their_own_hello(PeerTarget target)
    {
        // Every peer negotiates versions correctly, so once a hello of version v is refused with protocol_version
        // (RFC 5246 E.1: the server's lowest version is above v), no lower TLS version is probed by itself.
        var (spec, r) = await ScanAsync(target);
        var refused = r.Attempts.FirstOrDefault(a => a.Purpose.StartsWith("versions: TLS", StringComparison.Ordinal) && a.Outcome.Contains("protocol_version"));
        if (refused is null)
        {
            Assert.Contains(spec.Versions, v => v <= TlsVersion.TLSv1_0);
            return;
        }
        var v = TlsVersions.All.Single(x => refused.Purpose == $"versions: {x.Name()}");
        Assert.DoesNotContain(spec.Versions, s => s <= v);
        Assert.DoesNotContain(r.Attempts, a => TlsVersions.All.Any(x => x < v && x != TlsVersion.SSLv2 && a.Purpose == $"versions: {x.Name()}"));
        Assert.Contains("not supported either", refused.Outcome);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Full_handshakes_complete_and_connections_stay_within_budget(PeerTarget target)
    {
        var (spec, r) = await ScanAsync(target);
        foreach (var v in spec.Versions)
        {
            var hs = r.Profile.For(v)!.FullHandshake;
            Assert.NotNull(hs);
            Assert.True(hs.Completed, $"{v.Name()}: {hs.Stage} {hs.Alert} {hs.Error}");
        }
        Assert.DoesNotContain(r.Profile.Behaviours, b => b.Kind == BehaviourKind.HandshakeFailsAfterHello);
        // The budget: iterative removal costs accepted + 1 per version; groups, side checks and full handshakes share
        // the + 3. On top (issue 15): the FFDHE hello in every further DHE version, the RFC 7919 groups found plus the
        // hello that ends their removal, and the AES-GCM/ChaCha20 order probe.
        var dheVersions = r.Profile.Protocols.Count(p => p.Version <= TlsVersion.TLSv1_2 && p.CipherSuites.Any(s => s.DhBits is not null));
        var ffdhe = r.Profile.Protocols.Sum(p => p.FfdheGroups.IsEmpty ? 0 : p.FfdheGroups.Length);
        var chacha = r.Attempts.Count(a => a.Purpose.Contains("chacha20 or aes-gcm", StringComparison.Ordinal));
        var budget = r.Profile.Protocols.Sum(p => p.CipherSuites.Length + 1) + 3 + Math.Max(0, dheVersions - 1) + ffdhe + chacha;
        Assert.InRange(r.Handshakes, 1, budget);
        Assert.Equal(r.Handshakes, r.Attempts.Length);
    }
}

/// <summary>One scan per target for the whole class: the scan is the expensive part, the assertions are many.</summary>
public sealed class PeerScans : IAsyncLifetime
{
    private static readonly ProbeOptions Options = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60));
    private readonly PeerServers _servers = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<PeerTarget, Lazy<Task<ScanResult>>> _scans = new();

    public Task<ScanResult> GetAsync(PeerTarget target) => _scans.GetOrAdd(target, t => new Lazy<Task<ScanResult>>(async () =>
    {
        var server = await _servers.GetAsync(t);
        return await new TlsScanner(Options).ScanAsync(new ProbeTarget(server.Host, server.Port));
    })).Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _servers.DisposeAsync();
}
