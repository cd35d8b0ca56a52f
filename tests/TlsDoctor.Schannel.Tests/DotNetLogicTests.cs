using TlsDoctor.Core;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Schannel.Tests;

/// <summary>.NET Framework's TLS decisions as System.Net's reference source makes them (issue 11 item 2).</summary>
public sealed class DotNetLogicTests
{
    private const string Net64 = @"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\.NETFramework\v4.0.30319";

    private static SchannelPolicy Policy(string os, string dotnet, string reg = "", string? product = null)
    {
        var inputs = WindowsPolicy.ToInputs(new PolicyOptions { Os = os, DotNet = dotnet, ProductSetting = product });
        var registry = reg.Length == 0
            ? Registry.RegistryState.Empty
            : Registry.RegistryState.Empty.Apply(Registry.RegFileReader.Parse($"Windows Registry Editor Version 5.00\r\n\r\n[{Net64}]\r\n{reg}\r\n"), "net.reg");
        return SchannelPolicyBuilder.Build(inputs with { Registry = registry });
    }

    private static TlsVersion[] Out(SchannelPolicy p) => [.. p.OutboundVersions.Select(v => v.Value)];

    [Fact]
    public void A_46_target_with_strong_crypto_off_defaults_to_ssl3_and_tls10()
    {
        var p = Policy("2012r2", "4.6", "\"SchUseStrongCrypto\"=dword:00000000");
        Assert.Equal([TlsVersion.SSLv3, TlsVersion.TLSv1_0], Out(p));
        Assert.False(p.StrongCrypto.Value);
        Assert.Contains(p.EffectiveSuites, s => s.Suite.Name == "TLS_RSA_WITH_RC4_128_SHA");
        Assert.Contains("Ssl3 | Tls", p.OutboundExplicit.Source.Detail);

        var on = Policy("2012r2", "4.6");
        Assert.Equal([TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2], Out(on));
        Assert.True(on.StrongCrypto.Value);
    }

    [Fact]
    public void Naming_tls12_does_not_force_strong_crypto()
    {
        // A 4.5 target leaves strong crypto off unless SchUseStrongCrypto is exactly 1: the product setting names Tls12,
        // SCH_USE_STRONG_CRYPTO is still not passed (_SecureChannel.cs:752-765), so RC4 stays in the hello.
        var p = Policy("2012r2", "4.5", product: "Tls12");
        Assert.Equal([TlsVersion.TLSv1_2], Out(p));
        Assert.False(p.StrongCrypto.Value);
        Assert.Contains(p.ToClientProfile().CipherSuites, s => s.Name == "TLS_RSA_WITH_RC4_128_SHA");
        Assert.Equal("S57", p.StrongCrypto.Source.Ref);
    }

    [Fact]
    public void An_ssl3_only_request_gets_no_strong_crypto()
    {
        var p = Policy("2008r2", "4.7+", product: "Ssl3");
        Assert.Equal([TlsVersion.SSLv3], Out(p));
        Assert.False(p.StrongCrypto.Value);
        Assert.Contains("names no TLS version", p.StrongCrypto.Source.Detail);
    }

    [Fact]
    public void Inbound_credentials_never_use_strong_crypto()
    {
        var p = Policy("2012r2", "4.7+");
        Assert.True(p.StrongCrypto.Value);
        Assert.False(p.InboundStrongCrypto.Value);
        Assert.Equal("S58", p.InboundStrongCrypto.Source.Ref);
        Assert.DoesNotContain(p.ToClientProfile().CipherSuites, s => s.Name == "TLS_RSA_WITH_RC4_128_SHA");
        var inbound = p.ToServerProfile(null).For(TlsVersion.TLSv1_2)!.CipherSuites.Select(s => s.Suite.Name);
        Assert.Contains("TLS_RSA_WITH_RC4_128_SHA", inbound);
        Assert.Contains(p.ToReport().Server.CipherSuites, s => s.Name == "TLS_RSA_WITH_RC4_128_MD5");
        Assert.False(p.ToReport().Server.StrongCrypto);
    }

    [Theory]
    [InlineData("4.5", "00000001", true)]
    [InlineData("4.5", "00000002", false)] // only the value 1 turns it on for targets up to 4.5.2
    [InlineData("4.6", "00000002", true)]  // only the value 0 turns it off from 4.6 on
    [InlineData("4.6", "00000000", false)]
    public void The_switch_is_read_as_system_net_reads_it(string dotnet, string value, bool expected)
    {
        var p = Policy("2019", dotnet, $"\"SchUseStrongCrypto\"=dword:{value}");
        Assert.Equal(expected, p.SchUseStrongCrypto.Value);
        // SSL 3.0 is only disabled by default on 2019, so a named Ssl3 is used [S2].
        Assert.Equal(expected ? [TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2] : [TlsVersion.SSLv3, TlsVersion.TLSv1_0], Out(p));
    }

    [Fact]
    public void A_47_target_with_system_default_off_names_the_strong_set()
    {
        var p = Policy("2022", "4.7+", "\"SystemDefaultTlsVersions\"=dword:00000000");
        Assert.True(p.OutboundExplicit.Value);
        Assert.Equal([TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2, TlsVersion.TLSv1_3], Out(p));
        Assert.DoesNotContain(p.Warnings, w => w.Contains("no protocol version remains", StringComparison.Ordinal));
    }
}
