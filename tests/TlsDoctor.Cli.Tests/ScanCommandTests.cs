using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using TlsDoctor.TestPeers;

namespace TlsDoctor.Cli.Tests;

public sealed class ScanCommandTests(PeerServers servers) : IClassFixture<PeerServers>
{
    [Fact]
    public async Task Json_document_has_the_documented_shape()
    {
        var server = await servers.GetAsync(PeerTarget.OldMfdWeakDh);
        var run = await CliHarness.RunAsync("scan", $"127.0.0.1:{server.Port}", "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        var scan = doc.RootElement.GetProperty("scans")[0];
        Assert.Equal($"127.0.0.1:{server.Port}", scan.GetProperty("target").GetString());
        Assert.Equal("127.0.0.1", scan.GetProperty("host").GetString());
        Assert.Equal(server.Port, scan.GetProperty("port").GetInt32());
        Assert.True(scan.GetProperty("reachable").GetBoolean());
        Assert.Equal(JsonValueKind.Null, scan.GetProperty("error").ValueKind);
        var protocols = scan.GetProperty("protocols").EnumerateArray().ToList();
        Assert.Equal(["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"], protocols.Select(p => p.GetProperty("version").GetString()));
        var tls10 = protocols.Single(p => p.GetProperty("version").GetString() == "TLSv1.0");
        Assert.True(tls10.GetProperty("supported").GetBoolean());
        Assert.True(tls10.GetProperty("serverOrder").GetBoolean());
        var first = tls10.GetProperty("cipherSuites")[0];
        Assert.Equal("TLS_DHE_RSA_WITH_AES_256_CBC_SHA", first.GetProperty("name").GetString());
        Assert.Equal("0x0039", first.GetProperty("code").GetString());
        Assert.Equal("DHE", first.GetProperty("keyExchange").GetString());
        Assert.Equal(512, first.GetProperty("dhBits").GetInt32());
        Assert.True(tls10.GetProperty("fullHandshake").GetProperty("completed").GetBoolean());
        var cert = scan.GetProperty("certificates")[0];
        Assert.Equal("RSA", cert.GetProperty("keyAlgorithm").GetString());
        Assert.Equal(1024, cert.GetProperty("keyBits").GetInt32());
        Assert.Equal("sha1WithRSAEncryption", cert.GetProperty("signatureAlgorithm").GetString());
        Assert.True(cert.GetProperty("selfSigned").GetBoolean());
        Assert.Equal(64, cert.GetProperty("sha256").GetString()!.Length);
        Assert.True(scan.GetProperty("handshakes").GetInt32() > 3);
        Assert.True(scan.GetProperty("elapsedMs").GetInt64() >= 0);
        Assert.Equal(JsonValueKind.Array, scan.GetProperty("groups").ValueKind);
        Assert.Equal(JsonValueKind.Array, scan.GetProperty("behaviours").ValueKind);
        // stdout holds exactly one JSON document; progress went to stderr.
        Assert.Contains("scanning", run.Error);
    }

    [Fact]
    public async Task Table_output_names_suites_and_dh_size()
    {
        var server = await servers.GetAsync(PeerTarget.OldMfdWeakDh);
        var run = await CliHarness.RunAsync("scan", $"127.0.0.1:{server.Port}", "--no-handshake");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("TLS_DHE_RSA_WITH_AES_256_CBC_SHA", run.Out);
        Assert.Contains("DH 512", run.Out);
        Assert.Contains("sha1WithRSAEncryption", run.Out);
    }

    [Fact]
    public async Task Refused_port_exits_3_with_a_clear_error()
    {
        var port = FreePort();
        var run = await CliHarness.RunAsync("scan", $"127.0.0.1:{port}", "--json");
        Assert.Equal(3, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        var scan = doc.RootElement.GetProperty("scans")[0];
        Assert.False(scan.GetProperty("reachable").GetBoolean());
        Assert.Contains("refused", scan.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Verbose_json_types_each_failed_connection()
    {
        var port = FreePort();
        var run = await CliHarness.RunAsync("scan", $"127.0.0.1:{port}", "--json", "-v");
        Assert.Equal(3, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        var attempt = Assert.Single(doc.RootElement.GetProperty("scans")[0].GetProperty("attempts").EnumerateArray());
        Assert.Equal("refused", attempt.GetProperty("failure").GetString());
    }

    [Theory]
    [InlineData("scan")]
    [InlineData("scan", "127.0.0.1:99999")]
    [InlineData("scan", "[::1")]
    [InlineData("scan", "127.0.0.1", "--timeout", "0")]
    [InlineData("scan", "127.0.0.1", "--per-host", "0")]
    [InlineData("nonsense")]
    public async Task Bad_arguments_exit_2_without_a_stack_trace(params string[] args)
    {
        var run = await CliHarness.RunAsync(args);
        Assert.Equal(2, run.ExitCode);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.Contains("error", run.Error);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
