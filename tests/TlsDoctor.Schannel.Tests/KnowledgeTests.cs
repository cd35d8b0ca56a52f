using TlsDoctor.Core;
using TlsDoctor.Schannel.Knowledge;

namespace TlsDoctor.Schannel.Tests;

public class KnowledgeTests
{
    private static readonly SchannelKnowledge K = SchannelKnowledge.Default;

    private static string State(string release, TlsVersion v, bool client) =>
        client ? K.Release(release).Protocol(v)!.Client : K.Release(release).Protocol(v)!.Server;

    private static string[] DhRaisedBy(string release) =>
        [.. K.Changes(K.Release(release), e => e.DhClientMinBits > K.Release(release).Dh.ClientMinBits.Value).Select(c => c.Update.Id)];

    private static IEnumerable<ushort> Enabled(string release) => K.Release(release).CipherSuites.Enabled.Select(r => r.CodeValue);
    private static IEnumerable<ushort> Supported(string release) => K.Release(release).CipherSuites.Supported.Select(r => r.CodeValue);

    [Fact]
    public void Eight_releases_are_known()
    {
        Assert.Equal(new[] {"2008", "2008r2", "2012", "2012r2", "2016", "2019", "2022", "2025"}, K.Releases.Select(r => r.Id));
    }

    [Fact]
    public void Server_2012_r2_defaults()
    {
        foreach (var client in new[] { true, false })
        {
            Assert.Equal("enabled", State("2012r2", TlsVersion.TLSv1_2, client));
            Assert.Equal("enabled", State("2012r2", TlsVersion.TLSv1_1, client));
            Assert.Equal("not-supported", State("2012r2", TlsVersion.TLSv1_3, client));
            Assert.Equal("enabled", State("2012r2", TlsVersion.SSLv3, client));
        }
        // No ECDHE_RSA AES-GCM before Windows 10 (§3.2): the suite payment gateways often require.
        Assert.DoesNotContain((ushort)0xC02F, Enabled("2012r2"));
        Assert.DoesNotContain((ushort)0xC030, Enabled("2012r2"));
        Assert.DoesNotContain((ushort)0xC02F, Supported("2012r2"));
        Assert.Contains((ushort)0x0039, Enabled("2012r2"));
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P256", K.Release("2012r2").CipherSuites.Enabled[0].WindowsName);
        Assert.Equal(["secp256r1", "secp384r1"], K.Release("2012r2").Curves.Enabled.ToArray());
        Assert.Equal("S7", K.Release("2012r2").CipherSuites.Source);
        Assert.False(K.Release("2012r2").Sha512InTls12.Value);
        Assert.Contains("KB2975719", K.Release("2012r2").Sha512InTls12.FixedBy);
        Assert.False(K.Release("2012r2").DhLeadingZeroFixed.Value);
        Assert.Empty(K.Release("2012r2").DhLeadingZeroFixed.FixedBy);
        Assert.Equal(["KB3061518", "KB3161606", "KB3172614"], DhRaisedBy("2012r2"));
        // The rollup that carries the SHA-512 fix on 2012 R2 is named before the standalone hotfix.
        Assert.Equal(["KB2975719", "KB2973337"], K.Release("2012r2").Sha512InTls12.FixedBy.ToArray());
    }

    [Fact]
    public void Server_2008_r2_has_tls11_and_tls12_disabled_by_default()
    {
        foreach (var client in new[] { true, false })
        {
            Assert.Equal("disabled-by-default", State("2008r2", TlsVersion.TLSv1_1, client));
            Assert.Equal("disabled-by-default", State("2008r2", TlsVersion.TLSv1_2, client));
            Assert.Equal("enabled", State("2008r2", TlsVersion.TLSv1_0, client));
        }
        Assert.Equal("disabled-by-default", State("2008r2", TlsVersion.SSLv2, client: true));
        Assert.Equal("enabled", State("2008r2", TlsVersion.SSLv2, client: false));
        Assert.Equal(["KB3042058"], K.Changes(K.Release("2008r2"), e => !e.AddsSuites.IsDefaultOrEmpty).Select(c => c.Update.Id));
        Assert.Equal(["KB3061518", "KB3161608", "KB3172605"], DhRaisedBy("2008r2"));
    }

    [Fact]
    public void Server_2008_needs_kb4019276_for_tls12_and_has_no_dhe_rsa()
    {
        Assert.Equal("not-supported", State("2008", TlsVersion.TLSv1_2, client: true));
        var up = Assert.Single(K.Changes(K.Release("2008"), e => !e.Protocols.IsDefaultOrEmpty));
        Assert.Equal("KB4019276", up.Update.Id);
        Assert.Equal([TlsVersion.TLSv1_1, TlsVersion.TLSv1_2], up.Effect.Protocols.Select(p => p.TlsVersion));
        Assert.All(up.Effect.Protocols, p => Assert.Equal("disabled-by-default", p.Client));
        Assert.DoesNotContain(K.Release("2008").CipherSuites.Enabled, r => r.IanaName.StartsWith("TLS_DHE_RSA", StringComparison.Ordinal));
        Assert.Equal(["secp256r1", "secp384r1", "secp521r1"], K.Release("2008").Curves.Enabled.ToArray());
    }

    [Fact]
    public void Server_2012_has_no_dhe_rsa_cbc_suites_at_all()
    {
        Assert.DoesNotContain((ushort)0x0033, Enabled("2012").Concat(Supported("2012")));
        Assert.DoesNotContain((ushort)0x0039, Enabled("2012").Concat(Supported("2012")));
        Assert.Equal("enabled", State("2012", TlsVersion.TLSv1_2, true));
    }

    [Fact]
    public void Server_2016_defaults()
    {
        Assert.Equal("not-supported", State("2016", TlsVersion.SSLv2, true));
        Assert.Equal("disabled-by-default", State("2016", TlsVersion.SSLv3, false));
        Assert.Equal("not-supported", State("2016", TlsVersion.TLSv1_3, false));
        Assert.Equal((ushort)0xC02C, Enabled("2016").First());
        Assert.Contains((ushort)0xC02F, Enabled("2016"));
        Assert.Contains((ushort)0x0033, Enabled("2016"));
        Assert.Equal(["x25519", "secp256r1", "secp384r1"], K.Release("2016").Curves.Enabled.ToArray());
        Assert.Equal(1024, K.Release("2016").Dh.ClientMinBits.Value);
        Assert.Equal(2048, K.Release("2016").Dh.ServerBits.Value);
        Assert.Equal("14393.3542", K.Release("2016").DhLeadingZeroFixed.FixedInBuild);
        Assert.Equal("S1", K.Release("2016").Dh.ClientMinBits.Source);
    }

    [Fact]
    public void Server_2019_moved_dhe_rsa_cbc_and_rc4_out_of_the_default_list()
    {
        Assert.DoesNotContain((ushort)0x0033, Enabled("2019"));
        Assert.Contains((ushort)0x0033, Supported("2019"));
        Assert.DoesNotContain((ushort)0x0005, Enabled("2019"));
        Assert.True(K.Release("2019").DhLeadingZeroFixed.Value);
    }

    [Fact]
    public void Server_2022_and_2025_do_tls13()
    {
        Assert.Equal("enabled", State("2022", TlsVersion.TLSv1_3, true));
        Assert.Equal("enabled", State("2025", TlsVersion.TLSv1_3, false));
        Assert.Equal((ushort)0x1302, Enabled("2022").First());
        Assert.False(K.Release("2022").CipherSuites.Enabled.First(r => r.CodeValue == 0x000A).StrongCrypto);
        Assert.DoesNotContain((ushort)0x009F, Enabled("2025"));
        Assert.DoesNotContain((ushort)0x000A, Enabled("2025"));
        Assert.Contains((ushort)0x1303, Supported("2025"));
    }

    [Fact]
    public void Windows_7_to_8_1_filter_only_rc4_with_strong_crypto()
    {
        var weak = K.Release("2012r2").CipherSuites.Enabled.Where(r => r.StrongCrypto == false).Select(r => r.IanaName);
        Assert.Equal(["TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_RC4_128_MD5"], weak);
    }

    [Fact]
    public void Every_datum_has_a_source_and_every_assumption_exists()
    {
        foreach (var r in K.Releases)
        {
            Assert.All(r.Protocols, p => Assert.Matches(@"^S\d+", p.Source));
            Assert.Equal(6, r.Protocols.Length);
            Assert.Matches(@"^S\d+$", r.CipherSuites.Source);
            Assert.All(r.CipherSuites.Enabled.Concat(r.CipherSuites.Supported), s => Assert.True(s.CodeValue > 0));
            Assert.NotEmpty(r.Curves.Source);
            foreach (var a in new[] { r.Sha512InTls12.Assumption, r.SignatureSchemes.Assumption, r.Dh.ServerBits.Assumption, r.RsaClientMinBits.Assumption }.OfType<string>())
                K.Assumption(a);
        }
        foreach (var u in K.Updates)
        {
            Assert.Matches(u.FromBuild is null ? @"^KB\d{6,7}$" : @"^build-\d{5}$", u.Id);
            Assert.Matches(@"^S\d+", u.Source);
            if (u.Assumption is not null) K.Assumption(u.Assumption);
            Assert.All(u.Releases, id => K.Release(id));
            Assert.NotEmpty(u.Effects);
            foreach (var e in u.Effects)
            {
                Assert.Contains(e.Id, new[] { "dh-client-min-1024", "sha512-tls12", "adds-gcm-suites", "reorders-suites", "removes-suites", "tls11-tls12-support", "dh-leading-zero-fix", "server-min-key-bit-length", "informational" });
                if (e.AssumptionWithout is not null) K.Assumption(e.AssumptionWithout);
                // A suite an update adds or removes is a row of the release's published table.
                foreach (var r in u.Releases.Select(K.Release).Where(e.AppliesTo))
                    foreach (var name in e.AddsSuites.IsDefault ? [] : e.AddsSuites)
                        Assert.Contains(r.CipherSuites.Enabled, row => row.IanaName == name);
            }
        }
    }

    [Fact]
    public void The_guide_updates_and_ms15_055_are_known()
    {
        foreach (var kb in new[] { "KB3161608", "KB3161606", "KB3172605", "KB3172614", "KB3163018", "KB3061518" })
            Assert.Contains(K.Update(kb)!.Effects, e => e.Id == "dh-client-min-1024" && e.DhClientMinBits == 1024);
        // KB3163018 was for 2016 previews: 2016 itself starts at 1024, so nothing raises its minimum.
        Assert.Empty(DhRaisedBy("2016"));
        Assert.Equal("S19", K.Update("KB3061518")!.Source);
        Assert.Equal("dh-rollups-2016", K.Update("KB3161606")!.Assumption);
    }

    [Fact]
    public void Dotnet_defaults_per_framework()
    {
        var f = K.DotNet.Frameworks.ToDictionary(x => x.Id);
        // AppContextDefaultValues.Defaults.cs: targets <= 4.5.2 do not enable strong crypto, <= 4.6.2 not system default versions.
        Assert.True(f["4.5"].DontEnableSchUseStrongCrypto);
        Assert.False(f["4.6"].DontEnableSchUseStrongCrypto);
        Assert.True(f["4.6"].DontEnableSystemDefaultTlsVersions);
        Assert.False(f["4.7+"].DontEnableSystemDefaultTlsVersions);
        Assert.Equal(["Ssl3", "Tls"], K.DotNet.WeakProtocols.ToArray());
        Assert.Equal(["Tls", "Tls11", "Tls12", "Tls13"], K.DotNet.StrongProtocols.ToArray());
        Assert.Equal(3072, K.DotNet.SecurityProtocolType["Tls12"]);
    }

    [Theory]
    [InlineData("Windows Server 2012 R2", "2012r2", null, null, false)]
    [InlineData("2012r2", "2012r2", null, null, false)]
    [InlineData("2012 R2", "2012r2", null, null, false)]
    [InlineData("Windows 8.1", "2012r2", null, null, false)]
    [InlineData("9600", "2012r2", 9600, null, false)]
    [InlineData("6.3.9600", "2012r2", 9600, null, false)]
    [InlineData("Windows 7", "2008r2", null, null, false)]
    [InlineData("7601", "2008r2", 7601, null, false)]
    [InlineData("6003", "2008", 6003, null, false)]
    [InlineData("9200", "2012", 9200, null, false)]
    [InlineData("14393.3542", "2016", 14393, 3542, false)]
    [InlineData("10.0.17763", "2019", 17763, null, false)]
    [InlineData("19044", "2019", 19044, null, true)]
    [InlineData("20348", "2022", 20348, null, false)]
    [InlineData("Windows Server 2019 Standard", "2019", null, null, false)]
    [InlineData("Windows Server 2012 R2 Datacenter", "2012r2", null, null, false)]
    [InlineData("windows 10", "2016", null, null, false)]
    [InlineData("Windows 11", "2025", null, null, false)]
    [InlineData("26100", "2025", 26100, null, false)]
    [InlineData("ws2022", "2022", null, null, false)]
    public void Os_names_aliases_and_builds_resolve(string text, string id, int? build, int? ubr, bool nearest)
    {
        Assert.True(K.TryResolveOs(text, out var r, out var m), text);
        Assert.Equal(id, r.Id);
        Assert.Equal(build, m.Build);
        Assert.Equal(ubr, m.Ubr);
        Assert.Equal(nearest, m.Nearest);
    }

    [Theory]
    [InlineData("Windows 95")]
    [InlineData("1234")]
    [InlineData("")]
    public void Unknown_os_is_rejected(string text) => Assert.False(K.TryResolveOs(text, out _, out _));
}
