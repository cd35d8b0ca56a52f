using System.Text.Json;
using TlsDoctor.Core;
using TlsDoctor.Schannel.Policy;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Schannel.Tests;

public class PolicyTests
{
    internal static SchannelPolicy Policy(string os, string[]? updates = null, string[]? reg = null, string? dotnet = null, string? product = null) =>
        WindowsPolicy.Build(new PolicyOptions
        {
            Os = os,
            Updates = updates is null ? [] : [.. updates],
            RegFiles = reg is null ? [] : [.. reg.Select(RegFileTests.Corpus)],
            DotNet = dotnet,
            ProductSetting = product,
        });

    private static TlsVersion[] Out(SchannelPolicy p) => [.. p.OutboundVersions.Select(v => v.Value)];
    private static TlsVersion[] In(SchannelPolicy p) => [.. p.InboundVersions.Select(v => v.Value)];

    [Fact]
    public void Server_2012_r2_default_policy_has_sources()
    {
        var p = Policy("Windows Server 2012 R2");
        Assert.Equal(9600, p.Build);
        var tls12 = p.ClientProtocols.Single(x => x.Version == TlsVersion.TLSv1_2);
        Assert.Equal(ProtocolState.Enabled, tls12.State);
        Assert.Equal(Source.ReleaseDefault, tls12.Source.Kind);
        Assert.Equal("S2", tls12.Source.Ref);
        Assert.Equal([TlsVersion.SSLv3, TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2], Out(p));
        Assert.Equal(1024, p.DhClientMinBits.Value);
        Assert.Equal(Source.Update, p.DhClientMinBits.Source.Kind);
        Assert.True(p.Sha512InTls12.Value);
        Assert.False(p.DhLeadingZeroFixed.Value);
        Assert.Contains(p.Assumptions, a => a.Id == "updates-unknown-assume-current");
        Assert.Contains(p.Assumptions, a => a.Id == "terminal-server-dotnet-4.7");
        Assert.Equal(["secp256r1", "secp384r1"], p.Groups.Select(g => g.Value.Name));
        Assert.Equal(0xC028, p.CipherSuites[0].Suite.Code);
        Assert.Equal(["TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384"], p.CipherSuites[0].WindowsNames.ToArray());
        Assert.DoesNotContain(p.EffectiveSuites, s => s.Suite.Cipher.StartsWith("RC4", StringComparison.Ordinal));
    }

    [Fact]
    public void Server_2008_r2_default_does_not_offer_tls12_outbound_but_product_setting_does()
    {
        var p = Policy("2008r2");
        Assert.Equal([TlsVersion.SSLv3, TlsVersion.TLSv1_0], Out(p));
        Assert.Equal(ProtocolState.DisabledByDefault, p.ClientProtocols.Single(x => x.Version == TlsVersion.TLSv1_2).State);

        var explicitly = Policy("2008r2", product: "Tls11, Tls12");
        Assert.Equal([TlsVersion.TLSv1_1, TlsVersion.TLSv1_2], Out(explicitly));
        Assert.All(explicitly.OutboundVersions, v => Assert.Equal(Source.Product, v.Source.Kind));
        Assert.Contains(explicitly.Assumptions, a => a.Id == "explicit-request-schannel-cred");
        Assert.Equal([TlsVersion.SSLv2, TlsVersion.SSLv3, TlsVersion.TLSv1_0], In(explicitly)); // SSL 2.0 server is on by default on 2008 R2 [S2]
    }

    [Fact]
    public void Dotnet_46_names_tls12_itself_on_2008_r2()
    {
        var p = Policy("2008r2", dotnet: "4.6");
        Assert.Equal([TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2], Out(p));
        Assert.Equal(Source.DotNet, p.OutboundExplicit.Source.Kind);
        Assert.Equal("S60", p.OutboundExplicit.Source.Ref); // ServicePointManager.Configuration.cs (4.8)
    }

    [Fact]
    public void Dotnet_45_offers_ssl3_and_tls10_with_rc4()
    {
        var p = Policy("2012r2", dotnet: "4.5");
        Assert.Equal([TlsVersion.SSLv3, TlsVersion.TLSv1_0], Out(p));
        Assert.False(p.StrongCrypto.Value);
        Assert.Contains(p.ToClientProfile().CipherSuites, s => s.Code == 0x0005);
    }

    [Fact]
    public void Dotnet_registry_switches_override_the_framework_default()
    {
        var p = Policy("2012r2", dotnet: "4.5", reg: ["dotnet-strong.reg"]);
        Assert.True(p.SchUseStrongCrypto.Value);
        Assert.Equal(Source.Registry, p.SchUseStrongCrypto.Source.Kind);
        Assert.Contains("SchUseStrongCrypto", p.SchUseStrongCrypto.Source.Detail);
        Assert.True(p.SystemDefaultTlsVersions.Value);
        Assert.False(p.OutboundExplicit.Value);
        Assert.Contains(TlsVersion.TLSv1_2, Out(p));
        Assert.DoesNotContain(p.ToClientProfile().CipherSuites, s => s.Code == 0x0005);
    }

    [Fact]
    public void Tls_reg_enables_tls12_on_2008_r2_with_registry_provenance()
    {
        var p = Policy("2008r2", reg: ["tls.reg"]);
        var s = p.ServerProtocols.Single(x => x.Version == TlsVersion.TLSv1_2);
        Assert.Equal(ProtocolState.Enabled, s.State);
        Assert.Equal(Source.Registry, s.Source.Kind);
        Assert.Contains(@"Protocols\TLS 1.2\Server\Enabled = 0xffffffff", s.Source.Detail);
        Assert.Contains("tls.reg:", s.Source.Detail);
        Assert.Equal(ProtocolState.Disabled, p.ServerProtocols.Single(x => x.Version == TlsVersion.SSLv3).State);
        Assert.Equal([TlsVersion.SSLv2, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2], In(p));
        Assert.Equal([TlsVersion.SSLv3, TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2], Out(p));
    }

    [Fact]
    public void Registry_on_an_unimplemented_version_warns_and_changes_nothing()
    {
        var reg = RegistryState.Empty.Set(RegistryPaths.ProtocolKey(TlsVersion.TLSv1_3, "Client"), RegValue.DWord("Enabled", 1))
            .Set(RegistryPaths.ProtocolKey(TlsVersion.TLSv1_3, "Client"), RegValue.DWord("DisabledByDefault", 0));
        var p = SchannelPolicyBuilder.Build(new PolicyInputs { Release = Knowledge.SchannelKnowledge.Default.Release("2012r2"), Registry = reg });
        Assert.Equal(ProtocolState.NotSupported, p.ClientProtocols.Single(x => x.Version == TlsVersion.TLSv1_3).State);
        Assert.Contains(p.Warnings, w => w.Contains("does not implement TLSv1.3", StringComparison.Ordinal));
    }

    [Fact]
    public void Enabled_alone_keeps_a_disabled_by_default_version_so()
    {
        var reg = RegistryState.Empty.Set(RegistryPaths.ProtocolKey(TlsVersion.TLSv1_2, "Client"), RegValue.DWord("Enabled", 1));
        var p = SchannelPolicyBuilder.Build(new PolicyInputs { Release = Knowledge.SchannelKnowledge.Default.Release("2008r2"), Registry = reg });
        Assert.Equal(ProtocolState.DisabledByDefault, p.ClientProtocols.Single(x => x.Version == TlsVersion.TLSv1_2).State);
    }

    [Fact]
    public void Dh_reg_lowers_the_client_minimum_with_provenance_and_assumption()
    {
        var p = Policy("2012r2", reg: ["dh.reg"]);
        Assert.Equal(512, p.DhClientMinBits.Value);
        Assert.Equal(Source.Registry, p.DhClientMinBits.Source.Kind);
        Assert.Contains(@"Diffie-Hellman\ClientMinKeyBitLength = 0x00000200 (512) (dh.reg:5)", p.DhClientMinBits.Source.Detail);
        Assert.Contains(p.Assumptions, a => a.Id == "client-min-key-bit-length-downlevel");
        Assert.DoesNotContain(Policy("2016", reg: ["dh.reg"]).Assumptions, a => a.Id == "client-min-key-bit-length-downlevel");
    }

    [Fact]
    public void Dh_disable_reg_removes_every_dhe_suite()
    {
        var p = Policy("2012r2", reg: ["dh-disable.reg"]);
        Assert.DoesNotContain(p.CipherSuites, s => s.Suite.KeyExchange == KeyExchange.DHE);
        Assert.Contains(p.Warnings, w => w.Contains("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 removed by", StringComparison.Ordinal) && w.Contains("dh-disable.reg", StringComparison.Ordinal));
    }

    [Fact]
    public void Installed_updates_decide_dh_minimum_sha512_and_gcm_suites()
    {
        var bare = Policy("2012r2", updates: ["KB2919355"]);
        Assert.Equal(512, bare.DhClientMinBits.Value);
        Assert.Equal(Source.ReleaseDefault, bare.DhClientMinBits.Source.Kind);
        Assert.False(bare.Sha512InTls12.Value);
        Assert.DoesNotContain(bare.CipherSuites, s => s.Suite.Code == 0x009F);
        Assert.Contains(bare.Assumptions, a => a.Id == "gcm-suites-without-kb3042058");
        Assert.DoesNotContain(bare.Assumptions, a => a.Id == "updates-unknown-assume-current");

        var rollup = Policy("2012r2", updates: ["KB2919355", "KB3172614", "KB2975719", "KB3042058"]);
        Assert.Equal(1024, rollup.DhClientMinBits.Value);
        Assert.Contains("KB3172614", rollup.DhClientMinBits.Source.Detail);
        Assert.Contains(rollup.Assumptions, a => a.Id == "dh-rollups-2016");
        Assert.True(rollup.Sha512InTls12.Value);
        Assert.Contains("KB2975719", rollup.Sha512InTls12.Source.Detail);
        Assert.Contains(rollup.CipherSuites, s => s.Suite.Code == 0x009F);
        Assert.Contains(rollup.SignatureSchemes, s => s.Name == "rsa_pkcs1_sha512");
        Assert.DoesNotContain(bare.SignatureSchemes, s => s.Name == "rsa_pkcs1_sha512");
    }

    [Fact]
    public void Updates_none_means_an_unpatched_release()
    {
        var p = Policy("2012r2", updates: ["none"]);
        Assert.True(p.UpdatesKnown);
        Assert.Empty(p.Updates);
        Assert.Equal(512, p.DhClientMinBits.Value);
        Assert.False(p.Sha512InTls12.Value);
    }

    [Fact]
    public void Leading_zero_fix_on_2016_comes_from_kb_or_build()
    {
        Assert.False(Policy("2016", updates: ["KB3163018"]).DhLeadingZeroFixed.Value);
        Assert.True(Policy("2016", updates: ["KB4537806"]).DhLeadingZeroFixed.Value);
        var byBuild = Policy("14393.3564", updates: ["KB3163018"]);
        Assert.True(byBuild.DhLeadingZeroFixed.Value);
        Assert.Equal(Source.Input, byBuild.DhLeadingZeroFixed.Source.Kind);
        Assert.True(Policy("2019").DhLeadingZeroFixed.Value);
    }

    [Fact]
    public void Cipher_suite_order_policy_replaces_the_list()
    {
        var p = Policy("2012r2", reg: ["cipher-order-2012r2.reg"]);
        Assert.Equal(new ushort[] { 0xC028, 0xC013, 0x009D, 0x002F }, p.CipherSuites.Select(s => s.Suite.Code));
        Assert.All(p.CipherSuites, s => Assert.Equal(Source.Registry, s.Source.Kind));
        Assert.Equal(["secp256r1"], p.Groups.Select(g => g.Value.Name));
        Assert.Contains(p.Warnings, w => w.Contains("TLS_NOT_A_SUITE", StringComparison.Ordinal));
    }

    [Fact]
    public void Tls13_appears_only_where_implemented()
    {
        Assert.Contains(TlsVersion.TLSv1_3, Out(Policy("2022")));
        Assert.DoesNotContain(TlsVersion.TLSv1_3, Out(Policy("2019")));
        var p = Policy("2019", product: "Tls12, Tls13");
        Assert.Equal([TlsVersion.TLSv1_2], Out(p));
        Assert.Contains(p.Warnings, w => w.Contains("TLSv1.3 is requested", StringComparison.Ordinal));
    }

    [Fact]
    public void Client_profile_reflects_the_policy()
    {
        var c = Policy("2012r2", updates: ["KB2919355", "KB3061518"]).ToClientProfile();
        Assert.Equal([TlsVersion.SSLv3, TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2], c.Versions.ToArray());
        Assert.Equal(0xC028, c.CipherSuites[0].Code);
        Assert.Equal(1024, c.DhMinBits);
        Assert.False(c.Sha512InTls12);
        Assert.False(c.StripsDhLeadingZero);
        Assert.Null(c.DhRejectAlert);
        Assert.Contains("signature_algorithms", c.Extensions);
        Assert.Equal(["secp256r1", "secp384r1"], c.Groups.Select(g => g.Name));
    }

    [Fact]
    public void Server_profile_keeps_only_suites_the_certificate_can_serve()
    {
        var cert = TestPeers.TestProfiles.Cert();
        var s = Policy("2016").ToServerProfile(cert);
        var tls12 = s.For(TlsVersion.TLSv1_2)!;
        Assert.True(tls12.Supported);
        Assert.True(tls12.ServerOrder);
        Assert.DoesNotContain(tls12.CipherSuites, a => a.Suite.Authentication == Authentication.ECDSA);
        Assert.Equal(0xC030, tls12.CipherSuites[0].Suite.Code);
        Assert.Equal(2048, tls12.CipherSuites.First(a => a.Suite.KeyExchange == KeyExchange.DHE).DhBits);
        Assert.False(s.For(TlsVersion.SSLv3)!.Supported);
        Assert.Same(cert, Assert.Single(s.Certificates));
    }

    [Fact]
    public void Report_has_the_documented_json_shape()
    {
        var report = Policy("Windows Server 2012 R2", product: "Tls11, Tls12").ToReport();
        var json = JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("Windows Server 2012 R2", root.GetProperty("os").GetProperty("name").GetString());
        Assert.Equal(9600, root.GetProperty("os").GetProperty("build").GetInt32());
        var protocols = root.GetProperty("client").GetProperty("protocols");
        var tls12 = protocols.EnumerateArray().Single(p => p.GetProperty("version").GetString() == "TLSv1.2");
        Assert.Equal("enabled", tls12.GetProperty("state").GetString());
        Assert.StartsWith("release-default", tls12.GetProperty("source").GetString());
        Assert.True(tls12.GetProperty("used").GetBoolean());
        Assert.False(protocols.EnumerateArray().Single(p => p.GetProperty("version").GetString() == "TLSv1.0").GetProperty("used").GetBoolean());
        var suite = root.GetProperty("client").GetProperty("cipherSuites")[0];
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", suite.GetProperty("name").GetString());
        Assert.Equal("TLSv1.2", suite.GetProperty("versions")[0].GetString());
        Assert.Equal(1024, root.GetProperty("client").GetProperty("dhMinBits").GetInt32());
        Assert.Equal("secp256r1", root.GetProperty("client").GetProperty("groups")[0].GetString());
        Assert.Equal(1024, root.GetProperty("server").GetProperty("dhBits").GetInt32());
        Assert.Equal("4.7+", root.GetProperty("dotnet").GetProperty("framework").GetString());
        Assert.Equal("Tls11, Tls12", root.GetProperty("productSetting").GetProperty("value").GetString());
        Assert.Contains(root.GetProperty("assumptions").EnumerateArray(), a => a.GetProperty("id").GetString() == "server-dh-1024-before-2016");
        Assert.True(root.GetProperty("updates").GetArrayLength() > 0);
    }

    [Fact]
    public void Snapshot_round_trips_and_gives_the_same_policy()
    {
        var reg = RegistryState.Empty.Apply(RegFileReader.ReadFile(RegFileTests.Corpus("tls.reg")), "tls.reg")
            .Apply(RegFileReader.ReadFile(RegFileTests.Corpus("all-types.reg")))
            .Set(RegistryPaths.CurrentVersion, RegValue.String("ProductName", "Windows Server 2008 R2 Standard"))
            .Set(RegistryPaths.CurrentVersion, RegValue.String("CurrentBuild", "7601"))
            .Set(RegistryPaths.CurrentVersion, RegValue.DWord("UBR", 24544))
            .Set(RegistryPaths.DotNet64, RegValue.DWord("SchUseStrongCrypto", 1))
            .Set(RegistryPaths.SuiteLocal, RegValue.MultiString("Functions", ["TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA"]))
            .Set(RegistryPaths.SuiteLocal, RegValue.QWord("Q", 5))
            .Set(RegistryPaths.SuiteLocal, RegValue.Binary("B", [1, 2, 3], (RegValueKind)0x42));
        var snap = PolicySnapshot.FromRegistry(reg, ["KB3172605"], new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), "SRV01");
        Assert.Equal(7601, snap.Build);
        Assert.Equal(24544, snap.Ubr);
        Assert.DoesNotContain(snap.Registry, k => k.Path.Contains("TlsDoctor", StringComparison.Ordinal));
        var back = PolicySnapshot.FromJson(snap.ToJson());
        Assert.Equal(snap.ToJson(), back.ToJson());
        var state = back.ToRegistryState();
        foreach (var key in reg.Restrict(RegistryPaths.SnapshotRoots).Keys)
            foreach (var e in reg.ValuesOf(key))
                Assert.Equal(e.Value, state.Get(key, e.Value.Name)!.Value);

        var fromSnapshot = WindowsPolicy.Build(new PolicyOptions { Snapshot = back });
        Assert.Equal("2008r2", fromSnapshot.Release.Id);
        Assert.Equal(["KB3172605"], fromSnapshot.Updates.ToArray());
        Assert.Equal(1024, fromSnapshot.DhClientMinBits.Value);
        Assert.Equal([TlsVersion.SSLv2, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2], In(fromSnapshot));
        Assert.Equal(new ushort[] { 0x002F, 0x0035 }, fromSnapshot.CipherSuites.Select(s => s.Suite.Code));
    }

    [Fact]
    public void A_snapshot_whose_updates_are_unknown_round_trips_as_unknown()
    {
        // Get-HotFix failed on the server (or is a stub, as under Wine): the export must still be written.
        var snap = PolicySnapshot.FromRegistry(RegistryState.Empty, default, new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), "SRV01");
        var json = snap.ToJson();
        Assert.Contains("\"updates\": null", json);
        var back = PolicySnapshot.FromJson(json);
        Assert.True(back.Updates.IsDefault);
        Assert.Equal(["KB1"], PolicySnapshot.FromJson(json.Replace("\"updates\": null", "\"updates\": [\"KB1\"]")).Updates.ToArray());
        var policy = WindowsPolicy.Build(new PolicyOptions { Snapshot = back, Os = "2016" });
        Assert.Contains(policy.Assumptions, a => a.Id == "updates-unknown-assume-current");
    }

    [Fact]
    public void Newer_snapshot_formats_are_rejected() =>
        Assert.Throws<InvalidDataException>(() => PolicySnapshot.FromJson("""{"formatVersion":99,"capturedAt":"2025-01-01T00:00:00Z","updates":[],"registry":[]}"""));

    [Fact]
    public void Live_registry_is_available_only_on_windows() => Assert.Equal(OperatingSystem.IsWindows(), LiveRegistry.Available);
}
