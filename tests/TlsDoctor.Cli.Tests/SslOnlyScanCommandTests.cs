using System.Text.Json;
using TlsDoctor.Lab;

namespace TlsDoctor.Cli.Tests;

/// <summary>`scan --json` against the lab's SSL-only device: the document names SSLv2 and SSLv3 as supported, with their suites.</summary>
public sealed class SslOnlyScanCommandTests
{
    [Fact]
    public async Task Json_says_sslv2_and_sslv3_are_supported_with_their_suites()
    {
        await using var host = await LabHost.StartAsync([LabProfiles.MfdSslOnly], new LabOptions(), CancellationToken.None);
        var target = $"127.0.0.1:{host.Devices[0].Endpoint.Port}";
        var run = await CliHarness.RunAsync("scan", target, "--json", "--timeout", "2");
        Assert.True(run.ExitCode == 0, run.Error);
        using var doc = JsonDocument.Parse(run.Out);
        var scan = doc.RootElement.GetProperty("scans")[0];
        Assert.Equal(JsonValueKind.Null, scan.GetProperty("error").ValueKind);
        var protocols = scan.GetProperty("protocols").EnumerateArray().ToDictionary(p => p.GetProperty("version").GetString()!);
        static string[] Suites(JsonElement p) => [.. p.GetProperty("cipherSuites").EnumerateArray().Select(s => s.GetProperty("name").GetString()!)];

        Assert.True(protocols["SSLv2"].GetProperty("supported").GetBoolean());
        Assert.Equal(["SSL_CK_DES_192_EDE3_CBC_WITH_MD5", "SSL_CK_RC4_128_WITH_MD5"], Suites(protocols["SSLv2"]).Order());
        Assert.True(protocols["SSLv3"].GetProperty("supported").GetBoolean());
        Assert.True(protocols["SSLv3"].GetProperty("serverOrder").GetBoolean());
        Assert.Equal(["TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_RC4_128_SHA"], Suites(protocols["SSLv3"]));
        foreach (var v in new[] { "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3" })
            Assert.False(protocols[v].GetProperty("supported").GetBoolean(), v);
        var cert = scan.GetProperty("certificates")[0];
        Assert.Equal(1024, cert.GetProperty("keyBits").GetInt32());
        Assert.Equal("sha1WithRSAEncryption", cert.GetProperty("signatureAlgorithm").GetString());
    }

    [Fact]
    public async Task Table_shows_the_three_byte_codes_of_sslv2_cipher_kinds()
    {
        await using var host = await LabHost.StartAsync([LabProfiles.MfdSslOnly], new LabOptions(), CancellationToken.None);
        var run = await CliHarness.RunAsync("scan", $"127.0.0.1:{host.Devices[0].Endpoint.Port}", "--timeout", "2");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("0x010080", run.Out);
        Assert.Contains("0x0700c0", run.Out);
        Assert.DoesNotContain("0x0000", run.Out);
    }
}
