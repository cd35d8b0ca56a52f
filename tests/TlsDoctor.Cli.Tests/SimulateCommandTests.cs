using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using TlsDoctor.Core;
using TlsDoctor.TestPeers;

namespace TlsDoctor.Cli.Tests;

/// <summary>Saves one real `scan --json` of the weak-DH device for every simulate test.</summary>
public sealed class WeakDhScanFixture : IAsyncLifetime
{
    private readonly PeerServers _servers = new();

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("tlsdoctor-simulate-").FullName;
    public string ScanFile => Path.Combine(Directory, "weak-dh-scan.json");
    public string Target { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await _servers.InitializeAsync();
        var server = await _servers.GetAsync(PeerTarget.OldMfdWeakDh);
        Target = $"127.0.0.1:{server.Port}";
        var run = await CliHarness.RunAsync("scan", Target, "--json");
        if (run.ExitCode != 0) throw new InvalidOperationException($"scan failed ({run.ExitCode}): {run.Error}");
        await File.WriteAllTextAsync(ScanFile, run.Out);
    }

    public async Task DisposeAsync()
    {
        await _servers.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

public sealed class SimulateCommandTests(WeakDhScanFixture scan) : IClassFixture<WeakDhScanFixture>
{
    private static JsonElement Outcome(CliHarness.Run run)
    {
        using var doc = JsonDocument.Parse(run.Out);
        return doc.RootElement.GetProperty("outcome").Clone();
    }

    [Fact]
    public async Task Confirm_needs_windows_and_says_so()
    {
        if (OperatingSystem.IsWindows()) return; // there it makes the SCHANNEL handshake (the Wine tests run it)
        var run = await CliHarness.RunAsync("simulate", "--client", "windows:2012r2", "--server", scan.ScanFile, "--confirm", "127.0.0.1:1", "--json");
        Assert.Equal(2, run.ExitCode);
        // --json: the one document on stdout is the error (docs/json.md), which says why.
        using (var error = JsonDocument.Parse(run.Out))
        {
            Assert.Equal("usage", error.RootElement.GetProperty("error").GetProperty("kind").GetString());
            Assert.Contains("only on Windows", error.RootElement.GetProperty("error").GetProperty("message").GetString());
        }
        var plain = await CliHarness.RunAsync("simulate", "--client", "windows:2012r2", "--server", scan.ScanFile, "--json");
        using var doc = JsonDocument.Parse(plain.Out);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("modelCheck").ValueKind);
    }

    [Fact]
    public async Task Patched_2012r2_against_the_weak_dh_device_fails_with_dh_too_small()
    {
        // KB3061518 (MS15-055) raises the SCHANNEL client minimum to 1024 bits; the device sends a 512-bit group.
        var run = await CliHarness.RunAsync("simulate", "--client", "windows:2012r2", "--client-updates", "KB3061518", "--server", scan.ScanFile, "--json");
        Assert.Equal(1, run.ExitCode);
        var o = Outcome(run);
        Assert.False(o.GetProperty("completed").GetBoolean());
        Assert.Equal("dh-too-small", o.GetProperty("reason").GetString());
        Assert.Equal("client", o.GetProperty("abortingSide").GetString());
        Assert.Equal(JsonValueKind.Null, o.GetProperty("alert").ValueKind); // SCHANNEL closes without an alert
        Assert.Equal("TLS_DHE_RSA_WITH_AES_256_CBC_SHA", o.GetProperty("cipherSuite").GetString());
        Assert.Equal("DHE", o.GetProperty("keyExchange").GetString());
        Assert.Equal(512, o.GetProperty("keyExchangeBits").GetInt32());
        Assert.Equal(JsonValueKind.Null, o.GetProperty("failureRate").ValueKind);
        Assert.Contains("1024", o.GetProperty("explanation").GetString());
        using var doc = JsonDocument.Parse(run.Out);
        Assert.Equal("windows", doc.RootElement.GetProperty("client").GetProperty("kind").GetString());
        Assert.Equal("scan", doc.RootElement.GetProperty("server").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task The_guide_dh_reg_turns_the_failure_into_the_leading_zero_risk()
    {
        var reg = PolicyCommandTests.WriteUtf16(scan.Directory, "dh.reg", PolicyCommandTests.GuideDhReg);
        var run = await CliHarness.RunAsync("simulate", "--client", "windows:2012r2", "--client-updates", "KB3061518", "--client-reg", reg,
            "--server", scan.ScanFile, "--target", scan.Target, "--json");
        Assert.Equal(1, run.ExitCode);
        var o = Outcome(run);
        // 512 bits are accepted now; unpatched 2012 R2 does not strip the DH leading zero, OpenSSL does: ≈ 1 in 256 fail.
        Assert.True(o.GetProperty("completed").GetBoolean());
        Assert.False(o.GetProperty("healthy").GetBoolean());
        Assert.Equal("dh-leading-zero", o.GetProperty("reason").GetString());
        Assert.Equal("bad_record_mac", o.GetProperty("alert").GetString());
        Assert.Equal(1.0 / 256, o.GetProperty("failureRate").GetDouble(), 6);
        Assert.Equal(512, o.GetProperty("keyExchangeBits").GetInt32());
    }

    [Fact]
    public async Task Table_output_names_the_reason()
    {
        var run = await CliHarness.RunAsync("simulate", "--client", "windows:Windows Server 2012 R2", "--client-updates", "KB3061518", "--server", scan.ScanFile);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("fails", run.Out);
        Assert.Contains("dh-too-small", run.Out);
        Assert.Contains("DHE 512 bits", run.Out);
        Assert.Contains("none (the connection is closed)", run.Out);
    }

    [Fact]
    public async Task Windows_2008r2_client_reaches_2016_with_tls10_unless_the_product_setting_names_tls12()
    {
        // .NET 4.7+ on 2008 R2 takes the system default: TLS 1.1 and 1.2 are disabled by default, so only TLS 1.0 is offered.
        var run = await CliHarness.RunAsync("simulate", "--client", "windows:2008r2", "--server", "windows:2016", "--json");
        Assert.Equal(0, run.ExitCode);
        var o = Outcome(run);
        Assert.True(o.GetProperty("healthy").GetBoolean());
        Assert.Equal("TLSv1.0", o.GetProperty("version").GetString());
        Assert.Equal(JsonValueKind.Null, o.GetProperty("reason").ValueKind);
        using (var doc = JsonDocument.Parse(run.Out))
            Assert.Contains(doc.RootElement.GetProperty("server").GetProperty("assumptions").EnumerateArray(),
                a => a.GetProperty("id").GetString() == "server-certificate-default");

        // Naming the versions explicitly makes SCHANNEL use the ones that are only disabled by default. In TLS 1.2 the
        // 2016 order puts DHE-GCM before every suite 2008 R2 offers, and 2008 R2 never got the leading-zero fix.
        run = await CliHarness.RunAsync("simulate", "--client", "windows:2008r2", "--product-setting", "Tls, Tls11, Tls12", "--server", "windows:2016", "--json");
        Assert.Equal(1, run.ExitCode);
        o = Outcome(run);
        Assert.Equal("TLSv1.2", o.GetProperty("version").GetString());
        Assert.Equal("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", o.GetProperty("cipherSuite").GetString());
        Assert.True(o.GetProperty("completed").GetBoolean());
        Assert.Equal("dh-leading-zero", o.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Client_profile_json_against_a_server_without_tls10_is_no_common_protocol()
    {
        var client = Path.Combine(scan.Directory, "old-terminal.json");
        await File.WriteAllTextAsync(client, """
        {
          "name": "old terminal",
          "versions": ["TLSv1.0"],
          "cipherSuites": ["TLS_RSA_WITH_AES_128_CBC_SHA", "0x000a"],
          "groups": [],
          "signatureSchemes": [],
          "extensions": ["server_name"],
          "dhMinBits": 512,
          "rsaMaxBits": 2048
        }
        """);
        var tlsReg = PolicyCommandTests.WriteUtf16(scan.Directory, "tls.reg",
            "Windows Registry Editor Version 5.00\r\n\r\n" +
            "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.0\\Server]\r\n" +
            "\"Enabled\"=dword:00000000\r\n\"DisabledByDefault\"=dword:00000001\r\n");
        var run = await CliHarness.RunAsync("simulate", "--client", client, "--server", "windows:2016", "--server-reg", tlsReg, "--json");
        Assert.Equal(1, run.ExitCode);
        var o = Outcome(run);
        Assert.False(o.GetProperty("completed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, o.GetProperty("version").ValueKind);
        Assert.Equal(JsonValueKind.Null, o.GetProperty("cipherSuite").ValueKind);
        Assert.Equal("no-common-protocol", o.GetProperty("reason").GetString());
        Assert.Equal("server", o.GetProperty("abortingSide").GetString());
        Assert.Equal("protocol_version", o.GetProperty("alert").GetString());
        Assert.Equal(JsonValueKind.Null, o.GetProperty("failureRate").ValueKind);

        // Without the .reg, TLS 1.0 is still enabled inbound on 2016 and the handshake completes.
        run = await CliHarness.RunAsync("simulate", "--client", client, "--server", "windows:2016", "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("TLS_RSA_WITH_AES_128_CBC_SHA", Outcome(run).GetProperty("cipherSuite").GetString());
    }

    [Fact]
    public async Task Client_file_in_the_tolerant_forms_is_simulated_like_diagnose_reads_it()
    {
        // Suite objects, numeric codes, OpenSSL names and a wrapper around the profile: `diagnose --client-hello`
        // always took these; `simulate --client` used to reject them ("no client profile found" / "wrong type").
        var client = Path.Combine(scan.Directory, "tolerant-client.json");
        await File.WriteAllTextAsync(client, """
        { "device": "mfd-7", "result": { "profile": {
            "name": "tolerant terminal",
            "versions": [769, { "version": "TLSv1.1" }],
            "cipherSuites": [{ "name": "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "code": 10 }, "AES128-SHA"],
            "groups": [{ "name": "secp256r1" }],
            "rsaMaxBits": 2048
        } } }
        """);
        var run = await CliHarness.RunAsync("simulate", "--client", client, "--server", "windows:2016", "--json");
        Assert.Equal(0, run.ExitCode);
        var o = Outcome(run);
        Assert.Equal("TLSv1.1", o.GetProperty("version").GetString());
        Assert.Equal("TLS_RSA_WITH_AES_128_CBC_SHA", o.GetProperty("cipherSuite").GetString());
        using (var doc = JsonDocument.Parse(run.Out))
            Assert.Equal("tolerant terminal", doc.RootElement.GetProperty("client").GetProperty("name").GetString());

        // A broken file gets the same reason from both commands.
        var broken = Path.Combine(scan.Directory, "broken-client.json");
        await File.WriteAllTextAsync(broken, """{ "versions": ["TLSv1.2"], "cipherSuites": [{ "name": "NOT_A_SUITE" }] }""");
        var simulate = await CliHarness.RunAsync("simulate", "--client", broken, "--server", "windows:2016");
        var diagnose = await CliHarness.RunAsync("diagnose", "--client-hello", broken, "--os", "2016");
        Assert.Equal(2, simulate.ExitCode);
        Assert.Equal(2, diagnose.ExitCode);
        var reason = $"{broken}: unknown cipher suite 'NOT_A_SUITE'";
        Assert.Contains(reason, Flat(simulate.Error));
        Assert.Contains(reason, Flat(diagnose.Error));
        Assert.DoesNotContain("   at ", simulate.Error + diagnose.Error);
    }

    // The console wraps long lines at its width.
    private static string Flat(string text) => Regex.Replace(text, @"\s*\n\s*", " ");

    [Fact]
    public async Task Missing_file_exits_2_naming_it()
    {
        var missing = Path.Combine(scan.Directory, "no-such-scan.json");
        var run = await CliHarness.RunAsync("simulate", "--client", "windows:2012r2", "--server", missing, "--json");
        Assert.Equal(2, run.ExitCode);
        CliHarness.AssertJsonError(run, "usage");
        Assert.Contains(missing, run.Error);
        Assert.Contains("file not found", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public async Task Malformed_or_misplaced_files_exit_2_with_the_reason()
    {
        var bad = Path.Combine(scan.Directory, "bad.json");
        await File.WriteAllTextAsync(bad, "{ \"scans\": [ { \"target\": ");
        var run = await CliHarness.RunAsync("simulate", "--client", "windows:2016", "--server", bad);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("bad.json", run.Error);
        Assert.Contains("not valid JSON", run.Error);

        run = await CliHarness.RunAsync("simulate", "--client", scan.ScanFile, "--server", "windows:2016");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("pass it to --server", run.Error);

        run = await CliHarness.RunAsync("simulate", "--client", "windows:2016", "--server", scan.ScanFile, "--target", "10.9.9.9:443");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(scan.Target, run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    private static string JsonDoc([CallerFilePath] string here = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "docs", "json.md"));

    [Fact]
    public async Task The_documented_client_profile_example_is_read_and_simulated()
    {
        var md = JsonDoc();
        var section = md[md.IndexOf("### ClientProfile JSON", StringComparison.Ordinal)..];
        var start = section.IndexOf("```json", StringComparison.Ordinal) + "```json".Length;
        var example = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
        var path = Path.Combine(scan.Directory, "documented-client.json");
        await File.WriteAllTextAsync(path, example);
        var run = await CliHarness.RunAsync("simulate", "--client", path, "--server", "windows:2016", "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        Assert.Equal("TLSv1.1", doc.RootElement.GetProperty("outcome").GetProperty("version").GetString());
        Assert.Equal("old terminal", doc.RootElement.GetProperty("client").GetProperty("name").GetString());
        Assert.Equal("client-profile", doc.RootElement.GetProperty("client").GetProperty("kind").GetString());
    }

    [Fact]
    public void The_documented_failure_reasons_are_exactly_the_stable_list()
    {
        var md = JsonDoc();
        var table = md[md.IndexOf("### Failure reasons", StringComparison.Ordinal)..];
        var next = table.IndexOf("\n## ", StringComparison.Ordinal);
        if (next > 0) table = table[..next];
        var rows = Regex.Matches(table, @"^\| `([^`]+)` \| (.+) \|$", RegexOptions.Multiline).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        Assert.Equal(FailureReasons.All.Select(r => (r.Name(), r.Description())), rows);
    }

    [Theory]
    [InlineData("--client", "windows:2013")]
    [InlineData("--server", "windows:nt4")]
    [InlineData("--client", "windows:")]
    public async Task Unknown_os_exits_2_listing_the_valid_names(string option, string value)
    {
        string[] args = option == "--client"
            ? ["simulate", "--client", value, "--server", "windows:2016", "--json"]
            : ["simulate", "--client", "windows:2016", "--server", value, "--json"];
        var run = await CliHarness.RunAsync(args);
        Assert.Equal(2, run.ExitCode);
        CliHarness.AssertJsonError(run, "usage");
        Assert.Contains("2008r2", run.Error);
        Assert.Contains("2012r2", run.Error);
        Assert.Contains("2025", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }
}

/// <summary>`simulate` and `diagnose` assume the same Terminal Server certificate, so they cannot disagree about it.</summary>
public sealed class AssumedCertificateAgreementTests
{
    [Fact]
    public async Task Simulate_and_diagnose_give_the_same_inbound_outcome_with_the_assumed_certificate()
    {
        var dir = Directory.CreateTempSubdirectory("tlsdoctor-assumed-").FullName;
        try
        {
            var capture = Path.Combine(dir, "capture.json");
            await File.WriteAllTextAsync(capture, """
                { "name": "old device", "versions": ["TLSv1.0", "TLSv1.2"], "cipherSuites": ["TLS_RSA_WITH_AES_128_CBC_SHA"],
                  "groups": [], "signatureSchemes": ["rsa_pkcs1_sha256"], "extensions": [], "trustedCertificates": [] }
                """);
            var sim = await CliHarness.RunAsync("simulate", "--client", capture, "--server", "windows:2016", "--json");
            var diag = await CliHarness.RunAsync("diagnose", "--client-hello", capture, "--os", "2016", "--out", Path.Combine(dir, "fix"), "--json");
            using var s = JsonDocument.Parse(sim.Out);
            using var d = JsonDocument.Parse(diag.Out);
            var simOutcome = s.RootElement.GetProperty("outcome");
            var diagOutcome = d.RootElement.GetProperty("outcomes")[0].GetProperty("outcome");
            Assert.Equal("untrusted-certificate", simOutcome.GetProperty("reason").GetString());
            Assert.Equal(simOutcome.GetProperty("reason").GetString(), diagOutcome.GetProperty("reason").GetString());
            Assert.Equal(simOutcome.GetProperty("explanation").GetString(), diagOutcome.GetProperty("explanation").GetString());
            var simIds = s.RootElement.GetProperty("server").GetProperty("assumptions").EnumerateArray().Select(a => a.GetProperty("id").GetString());
            var diagIds = d.RootElement.GetProperty("assumptions").EnumerateArray().Select(a => a.GetProperty("id").GetString());
            Assert.Contains("server-certificate-default", simIds);
            Assert.Contains("server-certificate-default", diagIds);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

/// <summary>A scan that did not complete describes no server: simulate says so and simulates nothing.</summary>
public sealed class IncompleteScanTests
{
    [Theory]
    [InlineData("scan-lab-hostile-garbage.json")]
    [InlineData("scan-lab-hostile-http.json")]
    [InlineData("scan-lab-hostile-silent.json")]
    public async Task Simulate_against_an_incomplete_scan_is_an_input_error_not_a_prediction(string golden)
    {
        // The golden file holds a real scan document of that lab device (ports normalised, which simulate never uses).
        var path = Path.Combine(GoldenDirectory(), golden);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var file = Path.Combine(Path.GetTempPath(), $"tlsdoctor-incomplete-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, doc.RootElement.GetProperty("stdout").GetRawText());
        try
        {
            var run = await CliHarness.RunAsync("simulate", "--client", "windows:2016", "--server", file, "--json");
            Assert.Equal(2, run.ExitCode);
            var error = CliHarness.AssertJsonError(run, "input");
            Assert.Contains("incomplete", error.GetProperty("message").GetString());
            Assert.DoesNotContain("outcome", run.Out);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string GoldenDirectory([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "Golden");
}

/// <summary>Every reader returns a complete object or its documented input error (exit 2): never a crash on nulls or non-text.</summary>
public sealed class DamagedInputTests(WeakDhScanFixture scan) : IClassFixture<WeakDhScanFixture>
{
    public static TheoryData<string> Damages => ["behaviours", "cipherSuites", "certificates", "protocols", "scans", "scans-null"];

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task A_scan_document_with_a_null_entry_is_an_input_error(string damage)
    {
        var doc = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(scan.ScanFile))!;
        var first = doc["scans"]![0]!;
        switch (damage)
        {
            case "behaviours": first["behaviours"] = new System.Text.Json.Nodes.JsonArray((System.Text.Json.Nodes.JsonNode?)null); break;
            case "cipherSuites": first["protocols"]![2]!["cipherSuites"] = new System.Text.Json.Nodes.JsonArray((System.Text.Json.Nodes.JsonNode?)null); break;
            case "certificates": first["certificates"] = new System.Text.Json.Nodes.JsonArray((System.Text.Json.Nodes.JsonNode?)null); break;
            case "protocols": first["protocols"] = new System.Text.Json.Nodes.JsonArray((System.Text.Json.Nodes.JsonNode?)null); break;
            case "scans": doc["scans"] = new System.Text.Json.Nodes.JsonArray((System.Text.Json.Nodes.JsonNode?)null); break;
            default: doc["scans"] = null; break;
        }
        var file = Path.Combine(scan.Directory, $"damaged-{damage}.json");
        await File.WriteAllTextAsync(file, doc.ToJsonString());
        var run = await CliHarness.RunAsync("simulate", "--client", "windows:2016", "--server", file, "--json");
        Assert.Equal(2, run.ExitCode);
        CliHarness.AssertJsonError(run);
    }

    [Theory]
    [InlineData("simulate", "--client", "{0}", "--server", "windows:2016")]
    [InlineData("diagnose", "--client-hello", "{0}", "--os", "2016")]
    public async Task A_client_profile_with_a_lone_surrogate_is_an_input_error(params string[] args)
    {
        var file = Path.Combine(scan.Directory, "surrogate.json");
        await File.WriteAllTextAsync(file, """{ "versions": ["TLSv1.2"], "cipherSuites": ["\ud800"] }""");
        var run = await CliHarness.RunAsync([.. args.Select(a => string.Format(System.Globalization.CultureInfo.InvariantCulture, a, file)), "--json",
            .. args[0] == "diagnose" ? new[] { "--out", Path.Combine(scan.Directory, "fix") } : []]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("not valid text", CliHarness.AssertJsonError(run, args[0] == "diagnose" ? "input" : "usage").GetProperty("message").GetString());
    }
}
