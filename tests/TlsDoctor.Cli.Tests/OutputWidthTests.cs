using TlsDoctor.Core;
using TlsDoctor.TestPeers;

namespace TlsDoctor.Cli.Tests;

/// <summary>Text output for files and pipes: no hard wrap at 80 columns, COLUMNS respected, full fingerprints.</summary>
public sealed class OutputWidthTests(PeerServers servers) : IClassFixture<PeerServers>
{
    private static async Task<string> RunRedirectedAsync(string? columns, params string[] args)
    {
        var output = new StringWriter();
        var console = CliConsole.Create(output, new StringWriter(), outputRedirected: true, errorRedirected: true, columns);
        await CliApp.RunAsync(args, console);
        return output.ToString();
    }

    [Theory]
    [InlineData(false, "120", 120)]
    [InlineData(true, "100", 100)]
    [InlineData(true, null, CliConsole.UnboundedWidth)]
    [InlineData(true, "nonsense", CliConsole.UnboundedWidth)]
    [InlineData(false, null, null)]
    public void Width_follows_COLUMNS_else_is_unbounded_for_files_and_pipes(bool redirected, string? columns, int? expected) =>
        Assert.Equal(expected, CliConsole.Width(redirected, columns));

    [Fact]
    public async Task Piped_text_keeps_every_sentence_and_command_on_one_line()
    {
        var text = await RunRedirectedAsync(null, "simulate", "--client", "windows:2016", "--server", "windows:2016");
        // A long assumption (well over 80 characters) arrives whole, on one line.
        Assert.Contains(text.Split('\n'), l => l.Contains("The Terminal Server is assumed to target .NET Framework 4.7+ on the 4.8 runtime (system default protocols, strong crypto) unless --dotnet says otherwise.", StringComparison.Ordinal));
        Assert.Contains("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", text);
    }

    [Fact]
    public async Task Columns_is_respected_when_set()
    {
        var text = await RunRedirectedAsync("100", "simulate", "--client", "windows:2016", "--server", "windows:2016");
        Assert.All(text.Split('\n'), l => Assert.True(l.TrimEnd().Length <= 100, l));
    }

    [Fact]
    public async Task Scan_text_shows_the_full_sha256_fingerprint()
    {
        var server = await servers.GetAsync(PeerTarget.OldMfdWeakDh);
        var text = await RunRedirectedAsync(null, "scan", $"127.0.0.1:{server.Port}");
        var json = await CliHarness.RunAsync("scan", $"127.0.0.1:{server.Port}", "--json");
        using var doc = System.Text.Json.JsonDocument.Parse(json.Out);
        var sha = doc.RootElement.GetProperty("scans")[0].GetProperty("certificates")[0].GetProperty("sha256").GetString()!;
        Assert.Equal(64, sha.Length);
        Assert.Contains(sha, text);
    }
}
