using TlsDoctor.Core;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Schannel.Tests;

public class InputParsingTests
{
    [Theory]
    [InlineData("Tls11, Tls12", new[] { TlsVersion.TLSv1_1, TlsVersion.TLSv1_2 })]
    [InlineData("Tls12,Tls13", new[] { TlsVersion.TLSv1_2, TlsVersion.TLSv1_3 })]
    [InlineData("tls, TLS11 ,tls12", new[] { TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2 })]
    [InlineData("Ssl3, Tls", new[] { TlsVersion.SSLv3, TlsVersion.TLSv1_0 })]
    [InlineData("Tls12", new[] { TlsVersion.TLSv1_2 })]
    [InlineData("Tls12, Tls11", new[] { TlsVersion.TLSv1_1, TlsVersion.TLSv1_2 })]
    public void Product_setting_parses(string text, TlsVersion[] expected) =>
        Assert.Equal(expected, ProductSetting.Parse(text).Versions.ToArray());

    [Fact]
    public void System_default_alone_means_the_os_decides() => Assert.True(ProductSetting.Parse("SystemDefault").IsSystemDefault);

    [Theory]
    [InlineData("Tls, Tls12", "Tls11")]
    [InlineData("Ssl3, Tls12", "Tls")]
    [InlineData("Tls, Tls11, Tls13", "Tls12")]
    public void Product_setting_must_be_contiguous(string text, string missing)
    {
        var e = Assert.Throws<ProductSettingException>(() => ProductSetting.Parse(text));
        Assert.Equal(missing, e.Token);
        Assert.Contains("contiguous", e.Message);
    }

    [Theory]
    [InlineData("Tls1.2", "Tls1.2")]
    [InlineData("Tls12, TLS 1.3", "TLS 1.3")]
    [InlineData("3072", "3072")]
    [InlineData("Tls12,,Tls13", "")]
    [InlineData("SystemDefault, Tls12", "SystemDefault")]
    [InlineData("   ", null)]
    public void Bad_product_settings_are_typed_errors(string text, string? token)
    {
        var e = Assert.Throws<ProductSettingException>(() => ProductSetting.Parse(text));
        Assert.Equal(token, e.Token);
        Assert.False(ProductSetting.TryParse(text, out _, out var msg));
        Assert.NotNull(msg);
    }

    [Fact]
    public void Get_hotfix_table_is_parsed()
    {
        const string text = """

            Source        Description      HotFixID      InstalledBy          InstalledOn
            ------        -----------      --------      -----------          -----------
            SRV01         Update           KB2919355     NT AUTHORITY\SYSTEM  3/18/2014 12:00:00 AM
            SRV01         Security Update  KB2975719     NT AUTHORITY\SYSTEM  8/12/2014 12:00:00 AM
            SRV01         Update           KB3172614     NT AUTHORITY\SYSTEM  01d2a3b4c5d6e7f8
            SRV01         Update           kb2975719     NT AUTHORITY\SYSTEM
            """;
        Assert.Equal(["KB2919355", "KB2975719", "KB3172614"], UpdateLists.ParseText(text).ToArray());
    }

    [Fact]
    public void Systeminfo_hotfix_section_is_parsed_and_nothing_else()
    {
        const string text = """
            Host Name:                 SRV01
            OS Name:                   Microsoft Windows Server 2012 R2 Standard
            Original Install Date:     see KB1234567 for details
            Logon Server:              \\DC01
            Hotfix(s):                 3 Hotfix(s) Installed.
                                       [01]: KB2919355
                                       [02]: KB2975719
                                       [03]: KB3061518
            Network Card(s):           1 NIC(s) Installed.
                                       [01]: Intel(R) 82574L Gigabit Network Connection KB9999999
            """;
        Assert.Equal(["KB2919355", "KB2975719", "KB3061518"], UpdateLists.ParseText(text).ToArray());
    }

    [Fact]
    public void Updates_option_accepts_lists_and_rejects_junk()
    {
        Assert.Equal(["KB2919355", "KB2975719", "KB3061518"], UpdateLists.ParseIds(["KB2919355,kb2975719", "3061518"]).ToArray());
        var e = Assert.Throws<FormatException>(() => UpdateLists.ParseIds(["KB2919355,SP1"]));
        Assert.Contains("SP1", e.Message);
    }

    [Theory]
    [InlineData("4.5", DotNetFramework.Net45)]
    [InlineData("4.5.2", DotNetFramework.Net45)]
    [InlineData("4.6.2", DotNetFramework.Net46)]
    [InlineData("4.7+", DotNetFramework.Net47Plus)]
    [InlineData("4.8", DotNetFramework.Net47Plus)]
    public void Dotnet_option_parses(string text, DotNetFramework expected)
    {
        Assert.True(DotNetFrameworks.TryParse(text, out var f));
        Assert.Equal(expected, f);
    }

    [Fact]
    public void Unknown_dotnet_is_an_input_error() =>
        Assert.Throws<PolicyInputException>(() => WindowsPolicy.Build(new PolicyOptions { Os = "2016", DotNet = "3.5" }));

    [Fact]
    public void Unknown_os_is_an_input_error() =>
        Assert.Throws<PolicyInputException>(() => WindowsPolicy.Build(new PolicyOptions { Os = "Windows 95" }));

    [Fact]
    public void Missing_os_is_an_input_error() =>
        Assert.Throws<PolicyInputException>(() => WindowsPolicy.Build(new PolicyOptions()));
}
