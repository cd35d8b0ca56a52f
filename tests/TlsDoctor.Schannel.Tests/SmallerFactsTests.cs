using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Schannel.Tests;

/// <summary>Facts from Microsoft's pages and from captured Windows ClientHellos (issue 11 item 4).</summary>
public sealed class SmallerFactsTests
{
    private const string Dh = @"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\KeyExchangeAlgorithms\Diffie-Hellman";
    private const string ServerMin = $"[{Dh}]\r\n\"ServerMinKeyBitLength\"=dword:00000800\r\n";

    private static string[] Suites(SchannelPolicy p) => [.. p.CipherSuites.Select(s => s.Suite.Name)];

    [Fact]
    public void Server_min_key_bit_length_needs_kb3174644_before_2016()
    {
        var without = RegistryFormsTests.With("2012r2", ServerMin, ["none"]);
        Assert.Equal(1024, without.DhServerBits.Value);
        Assert.Contains(without.Warnings, w => w.Contains("ServerMinKeyBitLength", StringComparison.Ordinal) && w.Contains("read only with KB3174644", StringComparison.Ordinal) && w.Contains("forms.reg:4", StringComparison.Ordinal));

        Assert.Equal(2048, RegistryFormsTests.With("2012r2", ServerMin, ["KB3174644"]).DhServerBits.Value);
        Assert.Equal(2048, RegistryFormsTests.With("2012r2", ServerMin, ["KB5034819"]).DhServerBits.Value); // a 2024 rollup contains it
        Assert.Equal(4096, RegistryFormsTests.With("2016", ServerMin.Replace("00000800", "00001000", StringComparison.Ordinal), ["none"]).DhServerBits.Value);
    }

    [Fact]
    public void Windows_7_without_kb3042058_keeps_its_rsa_first_order()
    {
        var none = PolicyTests.Policy("2008r2", ["none"]);
        Assert.Equal(["TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA"], Suites(none)[..4]);
        Assert.DoesNotContain("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", Suites(none)); // absent from the captured pre-update hello
        Assert.Equal("TLS_RSA_WITH_RC4_128_MD5", Suites(none)[^1]);

        var updated = PolicyTests.Policy("2008r2", ["KB3042058"]);
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", Suites(updated)[0]);
    }

    [Theory]
    [InlineData("2008r2", null)]
    [InlineData("2008r2", "none")]
    public void Windows_7_offers_no_dhe_rsa_cbc_suites(string os, string? updates)
    {
        var p = PolicyTests.Policy(os, updates is null ? null : [updates]);
        Assert.DoesNotContain(p.CipherSuites, s => s.Suite.Code is 0x0039 or 0x0033);
        Assert.Contains(PolicyTests.Policy("2012r2").CipherSuites, s => s.Suite.Code == 0x0039); // Windows 8.1 does
    }

    [Theory]
    [InlineData("20348", true)]
    [InlineData("22621", false)]
    [InlineData("25398", false)]
    public void Builds_from_22621_no_longer_enable_dhe_rsa_gcm_and_3des(string build, bool enabled)
    {
        var p = PolicyTests.Policy(build);
        Assert.Equal("2022", p.Release.Id);
        Assert.Equal(enabled, Suites(p).Contains("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"));
        Assert.Equal(enabled, Suites(p).Contains("TLS_RSA_WITH_3DES_EDE_CBC_SHA"));
        Assert.Contains("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", Suites(p));
    }

    [Fact]
    public void Signature_algorithms_follow_the_captured_hellos()
    {
        Assert.Equal(["rsa_pkcs1_sha256", "rsa_pkcs1_sha384", "rsa_pkcs1_sha512", "rsa_pkcs1_sha1", "ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384", "ecdsa_secp521r1_sha512", "ecdsa_sha1", "dsa_sha1"],
            PolicyTests.Policy("2012r2").SignatureSchemes.Select(s => s.Name));
        Assert.Equal(["rsa_pkcs1_sha512", "ecdsa_secp521r1_sha512", "rsa_pkcs1_sha256"], PolicyTests.Policy("2008r2", ["KB2973337"]).SignatureSchemes.Select(s => s.Name).Take(3));
        Assert.DoesNotContain(PolicyTests.Policy("2008r2", ["none"]).SignatureSchemes, s => s.Name.EndsWith("sha512", StringComparison.Ordinal));
        var w2016 = PolicyTests.Policy("2016").SignatureSchemes.Select(s => s.Name).ToList();
        Assert.DoesNotContain(w2016, n => n.StartsWith("rsa_pss", StringComparison.Ordinal));
        Assert.Contains("dsa_sha1", w2016);
        Assert.Equal("S64", PolicyTests.Policy("2016").SignatureSchemesSource.Ref);
    }
}
