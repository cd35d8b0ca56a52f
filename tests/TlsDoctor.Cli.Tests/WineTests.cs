using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TlsDoctor.Lab;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Cli.Tests;

/// <summary>
/// Where the Windows code runs: the win-x64 build (self-contained folder) under Wine, in a private prefix. A .reg
/// imported with regedit is read back by the live-registry paths (policy show, policy export), the Windows version
/// Wine reports picks the release, and diagnose runs end to end against a lab device, with the SslStream self-check.
/// </summary>
[Collection(WineCollection.Name)]
public sealed class WineTests(WineFixture wine)
{
    private const string Hklm = @"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL";

    // Values Wine's own registry does not carry, so reading them back proves the live path read what regedit wrote.
    private const string Reg = $"""
        Windows Registry Editor Version 5.00

        [{Hklm}\Protocols\TLS 1.0\Server]
        "Enabled"=dword:00000000
        "DisabledByDefault"=dword:00000001

        [{Hklm}\KeyExchangeAlgorithms\Diffie-Hellman]
        "ClientMinKeyBitLength"=dword:00000800

        [HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Cryptography\Configuration\SSL\00010002]
        "Functions"="TLS_RSA_WITH_AES_256_CBC_SHA,TLS_RSA_WITH_AES_128_CBC_SHA"

        [HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\.NETFramework\v4.0.30319]
        "SchUseStrongCrypto"=dword:00000001

        """;

    [WineFact]
    public async Task A_reg_imported_with_regedit_is_read_back_by_policy_show_and_policy_export()
    {
        var reg = wine.WriteFile("hardening.reg", Reg.Replace("\n", "\r\n"));
        var import = await wine.RunAsync("regedit", "/S", WineFixture.WindowsPath(reg));
        Assert.True(import.ExitCode == 0, import.ToString());

        var show = await wine.TlsDoctorAsync("policy", "show", "--json");
        Assert.True(show.ExitCode == 0, show.ToString());
        using (var doc = JsonDocument.Parse(show.StandardOutput))
        {
            var root = doc.RootElement;
            var server = root.GetProperty("server");
            var tls10In = server.GetProperty("protocols").EnumerateArray().Single(p => p.GetProperty("version").GetString() == "TLSv1.0");
            Assert.Equal("disabled", tls10In.GetProperty("state").GetString());
            Assert.Contains(@"TLS 1.0\Server", tls10In.GetProperty("source").GetString());
            var client = root.GetProperty("client");
            Assert.Equal(2048, client.GetProperty("dhMinBits").GetInt32());
            // Suites every release implements (the release follows whatever Windows version the prefix reports).
            Assert.Equal(["TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"],
                client.GetProperty("cipherSuites").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
            Assert.True(root.GetProperty("dotnet").GetProperty("schUseStrongCrypto").GetBoolean());
            // Wine has no Get-HotFix: the documented assumption, not "nothing installed".
            Assert.Contains(root.GetProperty("assumptions").EnumerateArray(), a => a.GetProperty("id").GetString() == "updates-unknown-assume-current");
        }

        var snapFile = Path.Combine(wine.Temp, "snapshot.json");
        var export = await wine.TlsDoctorAsync("policy", "export", "-o", WineFixture.WindowsPath(snapFile), "--json");
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Contains("Get-HotFix failed", export.StandardError);
        var snapshot = PolicySnapshot.Load(snapFile);
        Assert.True(snapshot.Updates.IsDefault);
        Assert.NotNull(snapshot.Build);
        Assert.Contains(snapshot.Registry, k => k.Path.EndsWith(@"Protocols\TLS 1.0\Server", StringComparison.OrdinalIgnoreCase)
                                                && k.Values.Any(v => v is { Name: "Enabled", Number: 0 }));

        // The snapshot, read here on Linux, gives the policy Wine's live registry gave.
        var here = await CliHarness.RunAsync("policy", "show", "--snapshot", snapFile, "--json");
        Assert.Equal(0, here.ExitCode);
        Assert.Equal(Sections(show.StandardOutput), Sections(here.Out));
    }

    [WineFact]
    public async Task The_windows_version_wine_reports_picks_the_release()
    {
        foreach (var (version, release) in new[] { ("win7", "2008r2"), ("win81", "2012r2"), ("win10", "2019") })
        {
            var cfg = await wine.RunAsync("winecfg", "-v", version);
            Assert.True(cfg.ExitCode == 0, cfg.ToString());
            var show = await wine.TlsDoctorAsync("policy", "show", "--json");
            Assert.True(show.ExitCode == 0, show.ToString());
            using var doc = JsonDocument.Parse(show.StandardOutput);
            Assert.True(release == doc.RootElement.GetProperty("os").GetProperty("release").GetString(), $"winecfg -v {version}: {show.StandardOutput[..Math.Min(400, show.StandardOutput.Length)]}");
        }
    }

    [WineFact]
    public async Task Diagnose_runs_end_to_end_from_the_windows_build_with_the_schannel_self_check()
    {
        var device = wine.Device(LabProfiles.MfdModern);
        // No policy option: the policy is this machine's (Wine's registry), so its own SCHANNEL checks the model.
        var run = await wine.TlsDoctorAsync("diagnose", "--device", device, "--json");
        Assert.True(run.ExitCode is 0 or 1, run.ToString());
        using (var doc = JsonDocument.Parse(run.StandardOutput))
        {
            var root = doc.RootElement;
            Assert.Contains(root.GetProperty("assumptions").EnumerateArray(), a => a.GetProperty("id").GetString() == "local-machine");
            var check = Assert.Single(root.GetProperty("modelChecks").EnumerateArray());
            Assert.Equal(device, check.GetProperty("target").GetString());
            Assert.Equal("SystemDefault", check.GetProperty("protocols").GetString()); // .NET 4.7+ leaves the versions to SCHANNEL
            Assert.StartsWith("TLSv1.2", check.GetProperty("schannel").GetString());
            var status = check.GetProperty("status").GetString();
            Assert.Contains(status, new[] { "confirmed", "model-mismatch" });
            // Wine's SCHANNEL is GnuTLS underneath (and Wine cannot decode the device certificate, docs/knowledge/windows.md §8):
            // whatever it did, a mismatch is reported first and the other findings stay the model's.
            var findings = root.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("id").GetString()).ToList();
            if (status == "model-mismatch") Assert.Equal("TD109", findings[0]);
            else Assert.DoesNotContain("TD109", findings);
        }

        // A model of another Windows (--os) is not this SCHANNEL: no check. --no-self-check skips it on this machine too.
        foreach (var args in new[] { new[] { "--os", "2019" }, new[] { "--no-self-check" } })
        {
            var other = await wine.TlsDoctorAsync(["diagnose", "--device", device, "--json", .. args]);
            Assert.True(other.ExitCode is 0 or 1, other.ToString());
            using var doc = JsonDocument.Parse(other.StandardOutput);
            Assert.Empty(doc.RootElement.GetProperty("modelChecks").EnumerateArray());
            Assert.DoesNotContain(doc.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("id").GetString() == "TD109");
        }
    }

    [WineFact]
    public async Task Simulate_confirm_makes_the_schannel_handshake_and_reports_it()
    {
        // The device scanned here (Linux); the simulation and its check against the live device run in the Windows build.
        var device = wine.Device(LabProfiles.MfdModern);
        var scan = await CliHarness.RunAsync("scan", device, "--json");
        Assert.Equal(0, scan.ExitCode);
        var scanFile = wine.WriteFile("modern-scan.json", scan.Out);
        var run = await wine.TlsDoctorAsync("simulate", "--client", "windows:2019", "--server", WineFixture.WindowsPath(scanFile), "--confirm", device, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.StandardOutput);
        var check = doc.RootElement.GetProperty("modelCheck");
        Assert.Equal(device, check.GetProperty("target").GetString());
        Assert.Contains("TLSv1.2", check.GetProperty("protocols").GetString());
        // Both say TLS 1.2 (Wine's SCHANNEL does not name the suite, so only the version is compared).
        Assert.True(check.GetProperty("status").GetString() == "confirmed", check.GetRawText());
    }

    private static string Sections(string policyJson)
    {
        using var doc = JsonDocument.Parse(policyJson);
        var r = doc.RootElement;
        return string.Join("\n", new[] { "os", "client", "server", "dotnet" }.Select(n => JsonSerializer.Serialize(r.GetProperty(n))))
            .Replace("(snapshot)", "", StringComparison.Ordinal).Replace("snapshot", "", StringComparison.Ordinal);
    }
}

[CollectionDefinition(Name)]
public sealed class WineCollection : ICollectionFixture<WineFixture>
{
    public const string Name = "wine";
}

/// <summary>A fact skipped, with the reason, where Wine is not installed.</summary>
public sealed class WineFactAttribute : FactAttribute
{
    public WineFactAttribute()
    {
        if (WineFixture.Wine is null)
            Skip = "wine64 is not installed: test.sh installs Debian's wine64 package, which needs apt-get and root (or sudo)";
    }
}

/// <summary>
/// The win-x64 build published once per build (cached under artifacts/wine keyed on the assemblies' hash), a private
/// Wine prefix under the test's temp folder, and two lab devices.
/// </summary>
public sealed class WineFixture : IAsyncLifetime
{
    public static readonly string? Wine = new[] { "/usr/lib/wine/wine64", "/usr/bin/wine64" }.FirstOrDefault(File.Exists);

    private LabHost? _lab;
    private Dictionary<string, string> _env = [];

    public string Temp { get; } = Path.Combine(Path.GetTempPath(), "tlsdoctor-wine-" + Guid.NewGuid().ToString("N")[..8]);
    public string Exe { get; private set; } = "";
    /// <summary>Seconds spent on the publish and the prefix (reported by the test run's log).</summary>
    public TimeSpan PublishTime { get; private set; }

    public static string WindowsPath(string linuxPath) => "Z:" + Path.GetFullPath(linuxPath).Replace('/', '\\');

    public string Device(string profile) => _lab!.Devices.First(d => d.Profile == profile).Endpoint.ToString();

    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(Temp, name);
        File.WriteAllText(path, content);
        return path;
    }

    public async Task InitializeAsync()
    {
        if (Wine is null) return;
        Directory.CreateDirectory(Temp);
        _env = new()
        {
            ["WINEPREFIX"] = Path.Combine(Temp, "prefix"),
            ["WINEDEBUG"] = "-all",
            ["WINEARCH"] = "win64",
            // The CLR's W^X double mapping crashes under Wine 8 ("Internal CLR error"); a plain mapping works.
            ["DOTNET_EnableWriteXorExecute"] = "0",
            ["DISPLAY"] = "",
        };
        var sw = Stopwatch.StartNew();
        var prefix = RunAsync(["wineboot", "-i"], new() { ["WINEDLLOVERRIDES"] = "mscoree,mshtml=" }, TimeSpan.FromMinutes(4)); // no Mono/Gecko prompts
        var publish = PublishAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _lab = await LabHost.StartAsync([LabProfiles.MfdModern], new LabOptions(), cts.Token);
        var boot = await prefix;
        if (boot.ExitCode != 0) throw new InvalidOperationException("wineboot failed: " + boot);
        Exe = await publish;
        PublishTime = sw.Elapsed;
        Console.Error.WriteLine($"WineFixture: win-x64 publish and prefix ready in {PublishTime.TotalSeconds:0} s ({Exe})");
    }

    public async Task DisposeAsync()
    {
        if (_lab is not null) await _lab.DisposeAsync();
        if (Wine is not null && Directory.Exists(Temp))
        {
            // Ends this prefix's wineserver (and only it), then removes the prefix.
            await Exec(Path.Combine(Path.GetDirectoryName(Wine)!, "wineserver"), ["-k"], _env, TimeSpan.FromSeconds(30));
            try { Directory.Delete(Temp, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    public Task<Result> RunAsync(params string[] args) => RunAsync(args, null, TimeSpan.FromMinutes(2));

    public Task<Result> TlsDoctorAsync(params string[] args) => RunAsync([WindowsPath(Exe), .. args], null, TimeSpan.FromMinutes(2));

    private Task<Result> RunAsync(string[] args, Dictionary<string, string>? extra, TimeSpan timeout)
    {
        var env = new Dictionary<string, string>(_env);
        foreach (var (k, v) in extra ?? []) env[k] = v;
        return Exec(Wine!, args, env, timeout);
    }

    /// <summary>dotnet publish of the CLI for win-x64 (self-contained folder; Wine 8 does not start a single-file build).</summary>
    private static async Task<string> PublishAsync()
    {
        var root = RepoRoot();
        var key = BuildKey();
        var cache = Path.Combine(root, "artifacts", "wine");
        var output = Path.Combine(cache, "win-x64-" + key);
        var exe = Path.Combine(output, "tlsdoctor.exe");
        if (File.Exists(Path.Combine(output, ".complete"))) return exe;
        foreach (var old in Directory.Exists(cache) ? Directory.GetDirectories(cache, "win-x64-*") : [])
            Directory.Delete(old, true);
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h
            : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var r = await Exec(dotnet,
        [
            "publish", Path.Combine(root, "src", "TlsDoctor.Cli", "TlsDoctor.Cli.csproj"), "-c", "Release", "-r", "win-x64", "--self-contained",
            "-p:PublishSingleFile=false", "-p:DebugType=none", "-p:GenerateDocumentationFile=false", "-nologo", "-v", "q",
            // Its own obj/bin: a win-x64 restore must not touch the assets the running test build uses.
            "--artifacts-path", Path.Combine(cache, "build"), "-o", output, "--disable-build-servers",
        ], new() { ["MSBUILDDISABLENODEREUSE"] = "1", ["UseSharedCompilation"] = "false" }, TimeSpan.FromMinutes(8), clearMsBuild: true);
        if (r.ExitCode != 0 || !File.Exists(exe)) throw new InvalidOperationException("win-x64 publish failed: " + r);
        File.WriteAllText(Path.Combine(output, ".complete"), key);
        return exe;
    }

    /// <summary>The hash of the project's assemblies as this test run built them: a new build publishes again.</summary>
    private static string BuildKey()
    {
        using var sha = SHA256.Create();
        foreach (var f in Directory.GetFiles(AppContext.BaseDirectory, "*.dll")
                     .Where(f => Path.GetFileName(f) is var n && (n.StartsWith("TlsDoctor.", StringComparison.Ordinal) || n == "tlsdoctor.dll") && !n.Contains(".Tests", StringComparison.Ordinal) && !n.Contains("TestPeers", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            var name = Encoding.UTF8.GetBytes(Path.GetFileName(f));
            sha.TransformBlock(name, 0, name.Length, null, 0);
            var bytes = File.ReadAllBytes(f);
            sha.TransformBlock(bytes, 0, bytes.Length, null, 0);
        }
        sha.TransformFinalBlock([], 0, 0);
        return Convert.ToHexStringLower(sha.Hash!)[..16];
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "TlsDoctor.slnx"))) return d.FullName;
        throw new InvalidOperationException("TlsDoctor.slnx not found above " + AppContext.BaseDirectory);
    }

    public sealed record Result(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
    {
        public override string ToString() => $"{CommandLine} → {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
    }

    private static async Task<Result> Exec(string file, string[] args, Dictionary<string, string>? env, TimeSpan timeout, bool clearMsBuild = false)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (clearMsBuild) // the test host's MSBuild variables would point a nested dotnet at the wrong SDK parts
            foreach (var k in psi.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
                psi.Environment.Remove(k);
        foreach (var (k, v) in env ?? []) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
            return new Result(string.Join(' ', [file, .. args]), -1, await stdout, $"timed out after {timeout.TotalSeconds:0} s\n" + await stderr);
        }
        return new Result(string.Join(' ', [file, .. args]), p.ExitCode, await stdout, await stderr);
    }
}
