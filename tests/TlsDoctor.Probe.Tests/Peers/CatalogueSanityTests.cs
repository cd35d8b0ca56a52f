using TlsDoctor.Core;
using TlsDoctor.TestPeers;

namespace TlsDoctor.Probe.Tests.Peers;

/// <summary>Checks every fact of every catalogue spec against the running server, with openssl s_client as the reference client.</summary>
public sealed class CatalogueSanityTests(PeerServers servers) : IClassFixture<PeerServers>
{
    private static readonly TlsVersion[] OpenSslVersions = [TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2, TlsVersion.TLSv1_3];

    /// <summary>Targets whose every suite the local OpenSSL 3.0 can negotiate (all but the RC4/3DES one).</summary>
    public static TheoryData<PeerTarget> OpenSslCheckable()
    {
        var data = new TheoryData<PeerTarget>();
        foreach (var spec in PeerCatalog.All)
            if (spec.Suites.All(s => s.LocalOpenSslCanNegotiate)) data.Add(spec.Target);
        return data;
    }

    public static TheoryData<PeerTarget> AllTargets()
    {
        var data = new TheoryData<PeerTarget>();
        foreach (var t in Enum.GetValues<PeerTarget>()) data.Add(t);
        return data;
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    private async Task<(PeerSpec Spec, PeerEnvironment Env, TlsServerProcess Server)> StartAsync(PeerTarget target)
    {
        var server = await servers.GetAsync(target);
        return (PeerCatalog.Get(target), await servers.GetEnvironmentAsync(), server);
    }

    [Theory]
    [MemberData(nameof(OpenSslCheckable))]
    public async Task Each_spec_version_completes_with_the_spec_preferred_suite(PeerTarget target)
    {
        var (spec, env, server) = await StartAsync(target);
        var offered = spec.Suites.Reverse().Select(s => s.OpenSslName).ToArray();
        // Offering the spec's suites reversed separates the two orders: server order yields its first, client order our first.
        var expected = spec.ServerOrder ? spec.Suites[0] : spec.Suites[^1];
        foreach (var version in spec.Versions)
        {
            var hs = await OpenSslClient.ConnectAsync(env, server.EndPoint, version, offered, spec.ClientNeedsSeclevelShim, cancellationToken: Timeout());
            Assert.True(hs.Succeeded, $"{target} {version.Name()}: {hs}");
            Assert.Equal(version, hs.Version);
            Assert.Equal(expected.OpenSslName, hs.CipherOpenSslName);
        }
    }

    [Theory]
    [MemberData(nameof(AllTargets))]
    public async Task Versions_outside_the_spec_are_refused(PeerTarget target)
    {
        var (spec, env, server) = await StartAsync(target);
        foreach (var version in OpenSslVersions.Where(v => !spec.Versions.Contains(v)))
        {
            // Offer everything the local OpenSSL has, so only the version can make the handshake fail.
            IEnumerable<string> suites = version == TlsVersion.TLSv1_3
                ? ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]
                : ["ALL", "COMPLEMENTOFALL"];
            var hs = await OpenSslClient.ConnectAsync(env, server.EndPoint, version, suites, useSeclevelShim: true, cancellationToken: Timeout());
            Assert.False(hs.Succeeded, $"{target} accepted {version.Name()}: {hs}");
        }
    }

    [Theory]
    [MemberData(nameof(OpenSslCheckable))]
    public async Task Suite_enumeration_yields_the_spec_suites_in_spec_order(PeerTarget target)
    {
        var (spec, env, server) = await StartAsync(target);
        foreach (var version in spec.Versions)
        {
            var remaining = spec.Suites.ToList();
            var chosen = new List<PeerSuite>();
            while (remaining.Count > 0)
            {
                var offer = Enumerable.Reverse(remaining).Select(s => s.OpenSslName).ToArray();
                var hs = await OpenSslClient.ConnectAsync(env, server.EndPoint, version, offer, spec.ClientNeedsSeclevelShim, cancellationToken: Timeout());
                Assert.True(hs.Succeeded, $"{target} {version.Name()} offering {string.Join(':', offer)}: {hs}");
                var suite = remaining.Single(s => s.OpenSslName == hs.CipherOpenSslName);
                chosen.Add(suite);
                remaining.Remove(suite);
            }
            var expected = spec.ServerOrder ? spec.Suites : spec.Suites.Reverse().ToList();
            Assert.Equal(expected.Select(s => s.Name), chosen.Select(s => s.Name));
        }
    }

    [Theory]
    [MemberData(nameof(OpenSslCheckable))]
    public async Task Certificate_chain_matches_the_spec(PeerTarget target)
    {
        var (spec, env, server) = await StartAsync(target);
        var facts = spec.CertificateFacts;
        var hs = await OpenSslClient.ConnectAsync(env, server.EndPoint, spec.MaxVersion, spec.Suites.Select(s => s.OpenSslName), spec.ClientNeedsSeclevelShim, cancellationToken: Timeout());
        Assert.True(hs.Succeeded, hs.ToString());
        Assert.Equal(facts.ChainLength, hs.Certificates.Count);
        var leaf = hs.Certificates[0];
        Assert.Equal(facts.SubjectCommonName, leaf.Subject);
        Assert.Equal(facts.KeyAlgorithm, leaf.KeyAlgorithm);
        Assert.Equal(facts.KeyBits, leaf.KeyBits);
        Assert.Equal(facts.SignatureAlgorithmOid, leaf.SignatureAlgorithmOid);
        Assert.Equal(facts.SignatureAlgorithm, leaf.SignatureAlgorithm);
        Assert.Equal(facts.SelfSigned, leaf.Subject == leaf.Issuer);
        if (facts.IssuerSignatureAlgorithm is not null)
            Assert.Equal(facts.IssuerSignatureAlgorithm, hs.Certificates[1].SignatureAlgorithm);
    }

    [Theory]
    [MemberData(nameof(OpenSslCheckable))]
    public async Task Dhe_handshakes_use_the_spec_dh_size_in_every_version(PeerTarget target)
    {
        var (spec, env, server) = await StartAsync(target);
        var dhe = spec.Suites.Where(s => s.Name.StartsWith("TLS_DHE_", StringComparison.Ordinal)).Select(s => s.OpenSslName).ToArray();
        Assert.Equal(spec.DhBits is null, dhe.Length == 0);
        if (spec.DhBits is not { } bits) return;
        foreach (var version in spec.Versions)
        {
            var hs = await OpenSslClient.ConnectAsync(env, server.EndPoint, version, dhe, spec.ClientNeedsSeclevelShim, cancellationToken: Timeout());
            Assert.True(hs.Succeeded, hs.ToString());
            Assert.Equal($"DH, {bits} bits", hs.ServerTempKey);
            Assert.Equal(bits, hs.DhBits);
        }
    }

    [Theory]
    [MemberData(nameof(OpenSslCheckable))]
    public async Task A_stock_client_needs_the_shim_exactly_when_the_spec_says(PeerTarget target)
    {
        var (spec, env, server) = await StartAsync(target);
        // DHE only where the spec has it: that is what the shim is about; the stock client still gets @SECLEVEL=0.
        var suites = spec.Suites.Where(s => s.Name.StartsWith("TLS_DHE_", StringComparison.Ordinal)).ToArray();
        if (suites.Length == 0) suites = spec.Suites.ToArray();
        var hs = await OpenSslClient.ConnectAsync(env, server.EndPoint, spec.MaxVersion, suites.Select(s => s.OpenSslName), useSeclevelShim: false, cancellationToken: Timeout());
        Assert.Equal(!spec.ClientNeedsSeclevelShim, hs.Succeeded);
        if (spec.ClientNeedsSeclevelShim && spec.DhBits is < 1024)
            Assert.Contains("dh key too small", hs.Process.Output);
    }

    [Theory]
    [MemberData(nameof(OpenSslCheckable))]
    public async Task Ecdhe_groups_are_exactly_the_spec_groups(PeerTarget target)
    {
        var (spec, env, server) = await StartAsync(target);
        var ecdhe = spec.Suites.Where(s => s.IsTls13 || s.Name.StartsWith("TLS_ECDHE_", StringComparison.Ordinal)).Select(s => s.OpenSslName).ToArray();
        Assert.Equal(spec.Groups.Count == 0, ecdhe.Length == 0);
        if (ecdhe.Length == 0) return;
        foreach (var group in spec.Groups)
        {
            var hs = await OpenSslClient.ConnectAsync(env, server.EndPoint, spec.MaxVersion, ecdhe, spec.ClientNeedsSeclevelShim, [group], Timeout());
            Assert.True(hs.Succeeded, hs.ToString());
            Assert.StartsWith(TempKeyName(group), hs.ServerTempKey);
        }
        var outside = new[] { "x25519", "secp256r1", "secp384r1", "secp521r1" }.Where(g => !spec.Groups.Contains(g)).ToArray();
        Assert.NotEmpty(outside);
        var refused = await OpenSslClient.ConnectAsync(env, server.EndPoint, spec.MaxVersion, ecdhe, spec.ClientNeedsSeclevelShim, outside, Timeout());
        Assert.False(refused.Succeeded, refused.ToString());
    }

    private static string TempKeyName(string group) => group switch
    {
        "x25519" => "X25519,",
        "secp256r1" => "ECDH, prime256v1,",
        "secp384r1" => "ECDH, secp384r1,",
        _ => group,
    };
}
