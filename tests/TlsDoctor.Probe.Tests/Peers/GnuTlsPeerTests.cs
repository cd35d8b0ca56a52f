using System.Globalization;
using TlsDoctor.Core;
using TlsDoctor.TestPeers;

namespace TlsDoctor.Probe.Tests.Peers;

/// <summary>Facts of the gnutls-serv targets that need gnutls-cli as the reference client, and the bind shim.</summary>
public sealed class GnuTlsPeerTests(PeerServers servers) : IClassFixture<PeerServers>
{
    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    private const string Base = "NONE:+COMP-NULL:+SIGN-ALL:+GROUP-ALL:+CTYPE-X509";

    [Fact]
    public async Task Weak_dh_gnutls_target_gives_ffdhe2048_to_a_client_offering_ffdhe_groups()
    {
        var spec = PeerCatalog.OldMfdWeakDhGnutls();
        var server = await servers.GetAsync(spec.Target);
        var env = await servers.GetEnvironmentAsync();
        var hs = await GnuTlsClient.ConnectAsync(env, server.EndPoint, Base + ":+VERS-TLS1.0:+DHE-RSA:+AES-256-CBC:+AES-128-CBC:+SHA1", Timeout());
        Assert.True(hs.Succeeded, hs.ToString());
        Assert.Equal("TLS1.0", hs.Version);
        Assert.Equal($"DHE-FFDHE{spec.DhBitsWhenClientOffersFfdhe}", hs.KeyExchange);
        Assert.Equal("AES-256-CBC", hs.Cipher);
    }

    [Fact]
    public async Task Weak_dh_gnutls_target_refuses_tls12()
    {
        var server = await servers.GetAsync(PeerTarget.OldMfdWeakDhGnutls);
        var env = await servers.GetEnvironmentAsync();
        var hs = await GnuTlsClient.ConnectAsync(env, server.EndPoint, Base + ":+VERS-TLS1.2:+VERS-TLS1.1:+DHE-RSA:+RSA:+AES-256-CBC:+AES-128-CBC:+SHA1", Timeout());
        Assert.False(hs.Succeeded, hs.ToString());
    }

    [Theory]
    [InlineData(TlsVersion.TLSv1_0, "TLS1.0")]
    [InlineData(TlsVersion.TLSv1_1, "TLS1.1")]
    [InlineData(TlsVersion.TLSv1_2, "TLS1.2")]
    public async Task Legacy_target_serves_3des_then_rc4_sha_then_rc4_md5_then_aes_in_every_version(TlsVersion version, string gnutlsVersion)
    {
        var spec = PeerCatalog.Legacy3DesRc4();
        Assert.Contains(version, spec.Versions);
        var server = await servers.GetAsync(spec.Target);
        var env = await servers.GetEnvironmentAsync();
        var v = $"{Base}:+VERS-{gnutlsVersion}:+RSA";
        // GnuTLS priorities list algorithms, not suites, so each step removes the cipher or MAC just seen.
        (string Priority, PeerSuite Expected)[] steps =
        [
            ($"{v}:+AES-128-CBC:+ARCFOUR-128:+3DES-CBC:+MD5:+SHA1", spec.Suites[0]),
            ($"{v}:+AES-128-CBC:+ARCFOUR-128:+MD5:+SHA1", spec.Suites[1]),
            ($"{v}:+AES-128-CBC:+ARCFOUR-128:+MD5", spec.Suites[2]),
            ($"{v}:+AES-128-CBC:+SHA1", spec.Suites[3]),
        ];
        foreach (var (priority, expected) in steps)
        {
            var hs = await GnuTlsClient.ConnectAsync(env, server.EndPoint, priority, Timeout());
            Assert.True(hs.Succeeded, hs.ToString());
            Assert.Equal(gnutlsVersion, hs.Version);
            Assert.Equal((expected.GnuTlsKx, expected.GnuTlsCipher, expected.GnuTlsMac), (hs.KeyExchange, hs.Cipher, hs.Mac));
        }
    }

    [Fact]
    public async Task Legacy_target_is_out_of_reach_of_the_local_openssl_except_for_aes()
    {
        var spec = PeerCatalog.Legacy3DesRc4();
        var server = await servers.GetAsync(spec.Target);
        var env = await servers.GetEnvironmentAsync();
        var hs = await OpenSslClient.ConnectAsync(env, server.EndPoint, TlsVersion.TLSv1_2, spec.Suites.Select(s => s.OpenSslName), useSeclevelShim: true, cancellationToken: Timeout());
        Assert.True(hs.Succeeded, hs.ToString());
        Assert.Equal(PeerSuites.RsaAes128CbcSha.OpenSslName, hs.CipherOpenSslName);
        Assert.Equal(spec.CertificateFacts.SignatureAlgorithmOid, hs.Certificates[0].SignatureAlgorithmOid);
    }

    [Theory]
    [InlineData(PeerTarget.OldMfdWeakDhGnutls)]
    [InlineData(PeerTarget.Legacy3DesRc4)]
    public async Task Gnutls_serv_listens_on_loopback_only(PeerTarget target)
    {
        var server = await servers.GetAsync(target);
        var portHex = server.Port.ToString("X4", CultureInfo.InvariantCulture);
        // /proc/net/tcp{,6}: "sl local_address rem_address st ..."; st 0A is LISTEN.
        var listeners = new List<string>();
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file)) continue;
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length > 3 && f[3] == "0A" && f[1].EndsWith(":" + portHex, StringComparison.Ordinal)) listeners.Add(f[1]);
            }
        }
        Assert.Contains("0100007F:" + portHex, listeners);
        Assert.All(listeners, l => Assert.True(l is var a && (a.StartsWith("0100007F:", StringComparison.Ordinal)
            || a.StartsWith("00000000000000000000000001000000:", StringComparison.Ordinal)), $"non-loopback listener {l}"));
    }
}
