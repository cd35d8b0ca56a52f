using TlsDoctor.Core;
using TlsDoctor.Schannel.Policy;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Schannel.Tests;

/// <summary>Registry and group-policy forms real servers carry (issue 11 item 3, issue 15 item 13).</summary>
public sealed class RegistryFormsTests
{
    private const string Schannel = @"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL";
    private const string PolicyKey = @"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Cryptography\Configuration\SSL\00010002";

    /// <summary>The policy of a release with a .reg text applied as "forms.reg".</summary>
    internal static SchannelPolicy With(string os, string reg, string[]? updates = null)
    {
        var state = RegistryState.Empty.Apply(RegFileReader.Parse("Windows Registry Editor Version 5.00\r\n\r\n" + reg), "forms.reg");
        var inputs = WindowsPolicy.ToInputs(new PolicyOptions { Os = os, Updates = updates is null ? [] : [.. updates] }) with { Registry = state };
        return SchannelPolicyBuilder.Build(inputs);
    }

    private static bool Offers(SchannelPolicy p, string suite) => p.CipherSuites.Any(s => s.Suite.Name == suite);

    [Fact]
    public void Rc4_key_name_contains_a_slash_and_the_nested_form_is_ineffective()
    {
        var named = With("2012r2", $"[{Schannel}\\Ciphers\\RC4 128/128]\r\n\"Enabled\"=dword:00000000\r\n");
        Assert.False(Offers(named, "TLS_RSA_WITH_RC4_128_SHA"));
        Assert.Contains(named.Warnings, w => w.Contains(@"Ciphers\RC4 128/128\Enabled", StringComparison.Ordinal) && w.Contains("forms.reg:4", StringComparison.Ordinal));

        var nested = With("2012r2", $"[{Schannel}\\Ciphers\\RC4 128\\128]\r\n\"Enabled\"=dword:00000000\r\n");
        Assert.True(Offers(nested, "TLS_RSA_WITH_RC4_128_SHA"));
        Assert.Contains(nested.Warnings, w => w.Contains(@"Ciphers\RC4 128\128 (forms.reg:4) is a key ""RC4 128"" with a subkey", StringComparison.Ordinal) && w.Contains("RC4 128/128", StringComparison.Ordinal));
    }

    [Fact]
    public void Triple_des_is_read_under_its_vista_name_only()
    {
        var current = With("2016", $"[{Schannel}\\Ciphers\\Triple DES 168]\r\n\"Enabled\"=dword:00000000\r\n");
        Assert.False(Offers(current, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"));

        var old = With("2016", $"[{Schannel}\\Ciphers\\Triple DES 168/168]\r\n\"Enabled\"=dword:00000000\r\n");
        Assert.True(Offers(old, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"));
        Assert.Contains(old.Warnings, w => w.Contains("Triple DES 168/168 (forms.reg:4) is the key name of Windows before Vista", StringComparison.Ordinal));
    }

    [Fact]
    public void Curve_suffixes_are_ignored_from_2016_and_select_the_curve_before()
    {
        const string order = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256_P256,TLS_RSA_WITH_AES_128_CBC_SHA";
        var p2016 = With("2016", $"[{PolicyKey}]\r\n\"Functions\"=\"{order}\"\r\n");
        Assert.Equal(["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"], p2016.CipherSuites.Select(s => s.Suite.Name));
        Assert.DoesNotContain(p2016.Warnings, w => w.Contains("does not implement", StringComparison.Ordinal));
        Assert.Equal(["x25519", "secp256r1", "secp384r1"], p2016.Groups.Select(g => g.Value.Name)); // curves follow the curve order, not the suffix

        var p2012r2 = With("2012r2", $"[{PolicyKey}]\r\n\"Functions\"=\"{order}\"\r\n");
        Assert.Equal(["secp256r1"], p2012r2.Groups.Select(g => g.Value.Name));
    }

    [Fact]
    public void A_functions_value_over_1023_characters_loses_what_follows()
    {
        var names = SchannelKnowledgeNames("2016");
        var value = string.Join(",", names);
        Assert.True(value.Length > 1023);
        var p = With("2016", $"[{PolicyKey}]\r\n\"Functions\"=\"{value}\"\r\n");
        var kept = value[..1023].Split(',')[..^1];
        Assert.Equal(kept, p.CipherSuites.Select(s => s.Suite.Name).ToArray()[..kept.Length]);
        Assert.Equal(kept.Length, p.CipherSuites.Length);
        Assert.Contains(p.Warnings, w => w.Contains($"is {value.Length} characters long", StringComparison.Ordinal) && w.Contains("forms.reg:4", StringComparison.Ordinal) && w.Contains(names[^1], StringComparison.Ordinal));
        Assert.Contains(p.Assumptions, a => a.Id == "functions-over-1023");
    }

    private static string[] SchannelKnowledgeNames(string release)
    {
        var r = Knowledge.SchannelKnowledge.Default.Release(release).CipherSuites;
        return [.. r.Enabled.Concat(r.Supported).Where(x => !x.ExplicitOnly).Select(x => x.WindowsName).Distinct()];
    }

    [Theory]
    [InlineData(@"Protocols\TLS1.0\Client", "Enabled", "did you mean TLS 1.0?")]
    [InlineData(@"Protocols\TLS 1.0\Clients", "Enabled", "did you mean Client?")]
    [InlineData(@"Protocols\TLS 1.4\Client", "Enabled", "is not a protocol key SCHANNEL reads")]
    [InlineData(@"Protocols\TLS 1.0\Client", "Enabeld", "did you mean Enabled?")]
    public void Misspelt_protocol_keys_and_values_are_ignored_with_file_and_line(string key, string value, string expected)
    {
        var p = With("2012r2", $"[{Schannel}\\{key}]\r\n\"{value}\"=dword:00000000\r\n");
        Assert.Equal(ProtocolState.Enabled, p.ClientProtocols.Single(x => x.Version == TlsVersion.TLSv1_0).State);
        var w = Assert.Single(p.Warnings);
        Assert.Contains("forms.reg:4", w);
        Assert.Contains(expected, w);
        Assert.EndsWith("ignored.", w);
    }

    [Fact]
    public void An_enabled_value_of_the_wrong_type_is_ignored_as_windows_does()
    {
        var p = With("2012r2", $"[{Schannel}\\Protocols\\TLS 1.0\\Client]\r\n\"Enabled\"=\"0\"\r\n");
        var tls10 = p.ClientProtocols.Single(x => x.Version == TlsVersion.TLSv1_0);
        Assert.Equal(ProtocolState.Enabled, tls10.State);
        Assert.Equal(Source.ReleaseDefault, tls10.Source.Kind);
        Assert.Contains(p.Warnings, w => w.Contains(@"TLS 1.0\Client\Enabled (forms.reg:4) is a REG_SZ, but Windows reads it only as a REG_DWORD", StringComparison.Ordinal));
    }

    [Fact]
    public void Hkcu_paths_are_not_read()
    {
        var p = With("2019", "[HKEY_CURRENT_USER\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.0\\Client]\r\n\"Enabled\"=dword:00000000\r\n");
        Assert.Equal(ProtocolState.Enabled, p.ClientProtocols.Single(x => x.Version == TlsVersion.TLSv1_0).State);
        Assert.Contains(p.Warnings, w => w.StartsWith(@"HKEY_CURRENT_USER\SYSTEM", StringComparison.Ordinal) && w.Contains("(forms.reg:4) is under HKEY_CURRENT_USER", StringComparison.Ordinal));
    }

    [Fact]
    public void Correct_keys_give_no_warning()
    {
        var p = With("2012r2", $"[{Schannel}\\Protocols\\tls 1.2\\client]\r\n\"Enabled\"=dword:ffffffff\r\n\"DisabledByDefault\"=dword:00000000\r\n"
            + $"[{Schannel}\\KeyExchangeAlgorithms\\Diffie-Hellman]\r\n\"ClientMinKeyBitLength\"=dword:00000800\r\n");
        Assert.Empty(p.Warnings);
    }
}
