using System.Text;
using System.Text.Json;

namespace TlsDoctor.Cli.Tests;

public sealed class PolicyCommandTests : IDisposable
{
    // The guide's dh.reg, as regedit writes it: UTF-16LE with BOM, CRLF.
    internal const string GuideDhReg =
        "Windows Registry Editor Version 5.00\r\n\r\n" +
        "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\KeyExchangeAlgorithms\\Diffie-Hellman]\r\n" +
        "\"ClientMinKeyBitLength\"=dword:00000200\r\n";

    private readonly string _dir = Directory.CreateTempSubdirectory("tlsdoctor-policy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static string WriteUtf16(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text, new UnicodeEncoding(bigEndian: false, byteOrderMark: true));
        return path;
    }

    private static (string Version, string State, bool Used) Protocol(JsonElement role, string version)
    {
        var p = role.GetProperty("protocols").EnumerateArray().Single(x => x.GetProperty("version").GetString() == version);
        return (version, p.GetProperty("state").GetString()!, p.GetProperty("used").GetBoolean());
    }

    [Fact]
    public async Task Show_json_for_2012r2_has_the_documented_shape_and_the_release_facts()
    {
        var run = await CliHarness.RunAsync("policy", "show", "--os", "2012r2", "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        var root = doc.RootElement;
        Assert.Equal("Windows Server 2012 R2", root.GetProperty("os").GetProperty("name").GetString());
        Assert.Equal(9600, root.GetProperty("os").GetProperty("build").GetInt32());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("updates").ValueKind);
        foreach (var roleName in new[] { "client", "server" })
        {
            var role = root.GetProperty(roleName);
            Assert.Equal(("TLSv1.2", "enabled", true), Protocol(role, "TLSv1.2"));
            Assert.Equal(("TLSv1.3", "not-supported", false), Protocol(role, "TLSv1.3"));
            Assert.All(role.GetProperty("protocols").EnumerateArray(), p => Assert.False(string.IsNullOrEmpty(p.GetProperty("source").GetString())));
            var suites = role.GetProperty("cipherSuites").EnumerateArray().ToList();
            Assert.NotEmpty(suites);
            Assert.All(suites, s => Assert.StartsWith("TLS_", s.GetProperty("name").GetString()));
            Assert.Contains(suites, s => s.GetProperty("versions").EnumerateArray().Any(v => v.GetString() == "TLSv1.2"));
            Assert.Contains("secp256r1", role.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        }
        // No --updates: every known update is assumed, MS15-055 (KB3061518) among them, so the client minimum is 1024.
        Assert.Equal(1024, root.GetProperty("client").GetProperty("dhMinBits").GetInt32());
        Assert.Equal(1024, root.GetProperty("server").GetProperty("dhBits").GetInt32());
        Assert.Contains(root.GetProperty("updates").EnumerateArray(), u => u.GetProperty("id").GetString() == "KB3061518" && u.GetProperty("assumed").GetBoolean());
        Assert.Equal("4.7+", root.GetProperty("dotnet").GetProperty("framework").GetString());
        Assert.Equal("securityProtocolTypesForOutboundCommunication", root.GetProperty("productSetting").GetProperty("name").GetString());
        var assumptions = root.GetProperty("assumptions").EnumerateArray().Select(a => a.GetProperty("id").GetString()).ToList();
        Assert.Contains("updates-unknown-assume-current", assumptions);
        Assert.Contains("terminal-server-dotnet-4.7", assumptions);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("warnings").ValueKind);
        Assert.Equal("", run.Error.Trim());
    }

    [Theory]
    [InlineData("none", 512)]
    [InlineData("KB2919355", 512)]
    [InlineData("KB2919355,KB3061518", 1024)]
    [InlineData("KB3161606", 1024)]
    public async Task Dh_minimum_follows_the_installed_updates(string updates, int expected)
    {
        var run = await CliHarness.RunAsync("policy", "show", "--os", "Windows Server 2012 R2", "--updates", updates, "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        Assert.Equal(expected, doc.RootElement.GetProperty("client").GetProperty("dhMinBits").GetInt32());
        Assert.DoesNotContain(doc.RootElement.GetProperty("assumptions").EnumerateArray(), a => a.GetProperty("id").GetString() == "updates-unknown-assume-current");
    }

    [Fact]
    public async Task Guide_dh_reg_lowers_the_minimum_and_is_named_as_the_source()
    {
        var reg = WriteUtf16(_dir, "dh.reg", GuideDhReg);
        var run = await CliHarness.RunAsync("policy", "show", "--os", "2012r2", "--updates", "KB3061518", "--reg", reg, "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        var client = doc.RootElement.GetProperty("client");
        Assert.Equal(512, client.GetProperty("dhMinBits").GetInt32());
        var source = client.GetProperty("dhSource").GetString()!;
        Assert.StartsWith("registry:", source);
        Assert.Contains(@"KeyExchangeAlgorithms\Diffie-Hellman\ClientMinKeyBitLength", source);
        Assert.Contains("dh.reg", source);
    }

    [Fact]
    public async Task Registry_typos_are_warnings_with_file_and_line_in_text_and_json()
    {
        var reg = WriteUtf16(_dir, "typos.reg", "Windows Registry Editor Version 5.00\r\n\r\n" +
            "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.4\\Client]\r\n\"Enabled\"=dword:00000001\r\n\r\n" +
            "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.0\\Server]\r\n\"Enabeld\"=dword:00000000\r\n\r\n" +
            "[HKEY_CURRENT_USER\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319]\r\n\"SchUseStrongCrypto\"=dword:00000001\r\n");
        var json = await CliHarness.RunAsync("policy", "show", "--os", "2016", "--reg", reg, "--json");
        Assert.Equal(0, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Out);
        var warnings = doc.RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        Assert.Contains(warnings, w => w.Contains(@"Protocols\TLS 1.4 (typos.reg:4)", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains(@"Enabeld (typos.reg:7)", StringComparison.Ordinal) && w.Contains("did you mean Enabled?", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("(typos.reg:10) is under HKEY_CURRENT_USER", StringComparison.Ordinal));
        var server10 = doc.RootElement.GetProperty("server").GetProperty("protocols").EnumerateArray().Single(p => p.GetProperty("version").GetString() == "TLSv1.0");
        Assert.Equal("enabled", server10.GetProperty("state").GetString());

        var text = await CliHarness.RunAsync("policy", "show", "--os", "2016", "--reg", reg);
        Assert.Contains("typos.reg:4", text.Out);
        Assert.Contains("typos.reg:7", text.Out);
        Assert.Contains("typos.reg:10", text.Out);
    }

    [Fact]
    public async Task Table_output_shows_roles_suites_and_assumptions()
    {
        var run = await CliHarness.RunAsync("policy", "show", "--os", "2008r2", "--updates", "none", "--product-setting", "Tls, Tls11, Tls12");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Windows Server 2008 R2", run.Out);
        Assert.Contains("Client role: outbound", run.Out);
        Assert.Contains("Server role: inbound", run.Out);
        Assert.Contains("disabled-by-default", run.Out);
        Assert.Contains("TLS_RSA_WITH_AES_128_CBC_SHA", run.Out);
        Assert.Contains("DH minimum: 512 bits", run.Out);
        Assert.Contains("Tls, Tls11, Tls12", run.Out);
        Assert.Contains("Assumptions", run.Out);
    }

    [Theory]
    [InlineData("Tls, Tls12", "contiguous")]
    [InlineData("Tls14", "Tls14")]
    [InlineData("", "empty")]
    public async Task Bad_product_setting_exits_2_with_the_reason(string value, string expected)
    {
        var run = await CliHarness.RunAsync("policy", "show", "--os", "2016", "--product-setting", value, "--json");
        Assert.Equal(2, run.ExitCode);
        CliHarness.AssertJsonError(run, "usage");
        Assert.Contains("--product-setting", run.Error);
        Assert.Contains(expected, run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public async Task Unknown_os_lists_the_valid_names()
    {
        var run = await CliHarness.RunAsync("policy", "show", "--os", "2013", "--json");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("2012r2", run.Error);
        Assert.Contains("2025", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public async Task Broken_or_missing_reg_file_is_named_with_the_line()
    {
        var broken = WriteUtf16(_dir, "broken.reg", "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n\"A\"=dword:xyz\r\n");
        var run = await CliHarness.RunAsync("policy", "show", "--os", "2016", "--reg", broken);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("broken.reg", run.Error);
        Assert.Contains("line 4", run.Error);
        Assert.DoesNotContain("   at ", run.Error);

        var missing = Path.Combine(_dir, "nope.reg");
        run = await CliHarness.RunAsync("policy", "show", "--os", "2016", "--reg", missing);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("nope.reg", run.Error);
        Assert.Contains("file not found", run.Error);
    }

    [Fact]
    public async Task Snapshot_is_read_off_box_with_its_build_and_registry()
    {
        // A snapshot as `policy export` writes it, with the 2012 R2 build and the guide's DH value.
        var snapshot = """
        {
          "formatVersion": 1,
          "capturedAt": "2024-05-01T10:00:00+00:00",
          "computerName": "TS01",
          "productName": "Windows Server 2012 R2 Standard",
          "build": 9600,
          "ubr": 21620,
          "displayVersion": null,
          "updates": ["KB3061518", "KB2919355"],
          "registry": [
            { "path": "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\KeyExchangeAlgorithms\\Diffie-Hellman",
              "values": [ { "name": "ClientMinKeyBitLength", "type": "REG_DWORD", "number": 768 } ] },
            { "path": "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion",
              "values": [ { "name": "CurrentBuild", "type": "REG_SZ", "text": "9600" }, { "name": "UBR", "type": "REG_DWORD", "number": 21620 } ] }
          ]
        }
        """;
        var path = Path.Combine(_dir, "ts01.json");
        await File.WriteAllTextAsync(path, snapshot);
        var run = await CliHarness.RunAsync("policy", "show", "--snapshot", path, "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        Assert.Equal("Windows Server 2012 R2", doc.RootElement.GetProperty("os").GetProperty("name").GetString());
        Assert.Equal(21620, doc.RootElement.GetProperty("os").GetProperty("ubr").GetInt32());
        Assert.Equal(768, doc.RootElement.GetProperty("client").GetProperty("dhMinBits").GetInt32());
        Assert.Equal(["KB3061518", "KB2919355"], doc.RootElement.GetProperty("updates").EnumerateArray().Select(u => u.GetProperty("id").GetString()));

        await File.WriteAllTextAsync(path, "{ \"formatVersion\": 1, \"registry\": [ ");
        run = await CliHarness.RunAsync("policy", "show", "--snapshot", path);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("ts01.json", run.Error);
        Assert.Contains("not a policy snapshot", run.Error);
    }

    [Fact]
    public async Task Show_without_a_source_off_windows_says_what_to_pass()
    {
        if (OperatingSystem.IsWindows()) return; // there it reads the live machine
        var run = await CliHarness.RunAsync("policy", "show", "--json");
        Assert.Equal(2, run.ExitCode);
        CliHarness.AssertJsonError(run, "usage");
        Assert.Contains("--os", run.Error);
        Assert.Contains("--snapshot", run.Error);
    }

    [Fact]
    public async Task Export_off_windows_is_a_clear_error()
    {
        if (OperatingSystem.IsWindows()) return; // there it writes the snapshot
        var output = Path.Combine(_dir, "snapshot.json");
        var run = await CliHarness.RunAsync("policy", "export", "-o", output);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("only on Windows", run.Error);
        Assert.Contains("--snapshot", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.False(File.Exists(output));
    }
}
