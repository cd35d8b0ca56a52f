using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using TlsDoctor.Core;

namespace TlsDoctor.Cli.Tests;

/// <summary>`tlsdoctor cert new` end to end.</summary>
public sealed class CertCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tlsdoctor-certcli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Json_lists_files_fingerprints_and_steps()
    {
        var r = await CliHarness.RunAsync("cert", "new", "--key", "rsa:1024", "--hash", "sha1", "--cn", "ts.example", "--san", "DNS:ts.example", "10.0.0.9",
            "--ca", "--password", "pw", "--out", _dir, "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal(["server.pfx", "server.crt", "server.key", "server.cer", "ca.crt", "ca.cer", "ca.key"],
            root.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("name").GetString()!).ToArray());
        var server = root.GetProperty("server");
        Assert.Equal(1024, server.GetProperty("keyBits").GetInt32());
        Assert.Equal("sha1WithRSAEncryption", server.GetProperty("signatureAlgorithm").GetString());
        Assert.False(server.GetProperty("selfSigned").GetBoolean());
        Assert.Equal(["DNS:ts.example", "IP:10.0.0.9"], server.GetProperty("subjectAlternativeNames").EnumerateArray().Select(s => s.GetString()!).ToArray());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("password").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, root.GetProperty("ca").ValueKind);
        Assert.Contains(root.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("RSA-1024", StringComparison.Ordinal));
        var info = CertificateInfo.FromCertificate(X509CertificateLoader.LoadCertificateFromFile(Path.Combine(_dir, "server.cer")));
        Assert.Equal(info.Sha256, server.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task Table_prints_the_generated_password_once_and_import_steps()
    {
        var r = await CliHarness.RunAsync("cert", "new", "--cn", "ts.example", "--out", _dir);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("PFX password", r.Out);
        Assert.Contains("certutil", r.Out);
        Assert.Contains("import server.cer", r.Out);
        Assert.Contains("sha256WithRSAEncryption", r.Out);
        // Running again into the same directory refuses to overwrite the key.
        var again = await CliHarness.RunAsync("cert", "new", "--cn", "ts.example", "--out", _dir);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("--force", again.Error);
    }

    [Theory]
    [InlineData("rsa:512", "sha256", "refused")]
    [InlineData("rsa:2048", "md5", "--hash")]
    [InlineData("ec:p521", "sha256", "not supported")]
    public async Task Bad_key_or_hash_exit_2(string key, string hash, string expected)
    {
        var r = await CliHarness.RunAsync("cert", "new", "--key", key, "--hash", hash, "--cn", "x", "--out", _dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Error);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task Bad_san_exits_2() =>
        Assert.Equal(2, (await CliHarness.RunAsync("cert", "new", "--cn", "x", "--san", "IP:999.1.1.1", "--out", _dir)).ExitCode);
}
