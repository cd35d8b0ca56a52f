using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TlsDoctor.Lab;
using TlsDoctor.TestPeers;
using Xunit.Abstractions;

namespace TlsDoctor.Cli.Tests.Golden;

/// <summary>
/// The JSON contracts of scan, diagnose and simulate, pinned byte for byte (after removing what legitimately varies
/// between runs: ports, times, generated keys) against every test peer and lab device, with the exit code.
/// A refactoring must leave these files unchanged; an intended change regenerates them with
/// <c>TLSDOCTOR_UPDATE_GOLDEN=1</c> and shows up in the diff for review.
/// </summary>
public sealed class GoldenJsonTests(PeerServers peers, GoldenLab lab, ITestOutputHelper log)
    : IClassFixture<PeerServers>, IClassFixture<GoldenLab>
{
    public static TheoryData<string> PeerTargets => [.. Enum.GetNames<PeerTarget>()];

    // The slow-drip device is left out: what it has dripped when the read timeout fires depends on the machine's load
    // (HostileServerTests cover it with assertions that hold either way).
    public static TheoryData<string> LabServers => [.. GoldenLab.Profiles.Where(p => p != LabProfiles.HostileSlowDrip)];

    public static TheoryData<string, string> Diagnoses => new()
    {
        { LabProfiles.MfdWeakDh, "2016" },
        { LabProfiles.MfdWeakDh, "2008r2" },
        { LabProfiles.MfdBrokenDh, "2012r2" },
        { LabProfiles.MfdBrokenDh, "2016" },
        { LabProfiles.MfdFakeTls12, "2016" },
        { LabProfiles.MfdTls12Only, "2008r2" },
        { LabProfiles.MfdModern, "2019" },
        { LabProfiles.MfdSslOnly, "2016" },
        { LabProfiles.HostileGarbage, "2016" },
        { LabProfiles.HostileVersionIntolerant, "2016" },
    };

    public static TheoryData<string, string> Simulations => new()
    {
        { nameof(PeerTarget.OldMfdWeakDh), "2016" },
        { nameof(PeerTarget.OldMfdWeakDh), "2008r2" },
        { nameof(PeerTarget.Dh1024), "2012r2" },
        { nameof(PeerTarget.Tls13Only), "2019" },
        { nameof(PeerTarget.Tls10Tls11RsaOnly), "2022" },
        { nameof(PeerTarget.Sha512Chain), "2012r2" },
        { nameof(PeerTarget.Legacy3DesRc4), "2016" },
        { nameof(PeerTarget.ModernTls12ServerOrder), "2008r2" },
        { nameof(PeerTarget.EcdsaTls12), "2012" },
    };

    [Theory]
    [MemberData(nameof(PeerTargets))]
    public async Task Scan_of_a_test_peer(string target)
    {
        var server = await peers.GetAsync(Enum.Parse<PeerTarget>(target));
        await AssertGoldenAsync($"scan-peer-{target}", [server.Port], "scan", $"127.0.0.1:{server.Port}", "-v", "--json");
    }

    [Theory]
    [MemberData(nameof(LabServers))]
    public async Task Scan_of_a_lab_device(string profile)
    {
        var port = lab.Port(profile);
        await AssertGoldenAsync($"scan-lab-{profile}", [port], ["scan", $"127.0.0.1:{port}", "-v", "--json", .. Timeouts(profile)]);
    }

    [Theory]
    [MemberData(nameof(Diagnoses))]
    public async Task Diagnosis_of_a_lab_device(string profile, string os)
    {
        var port = lab.Port(profile);
        var output = Path.Combine(Path.GetTempPath(), "tlsdoctor-golden-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await AssertGoldenAsync($"diagnose-{profile}-{os}", [port],
                ["diagnose", "--device", $"127.0.0.1:{port}", "--os", os, "--out", output, "--json", .. Timeouts(profile)]);
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, true);
        }
    }

    [Fact]
    public async Task Diagnosis_of_the_payment_service_on_an_unpatched_windows()
    {
        var port = lab.Port(LabProfiles.PaymentSha512);
        var output = Path.Combine(Path.GetTempPath(), "tlsdoctor-golden-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await AssertGoldenAsync("diagnose-payment-2012r2-none", [port],
                "diagnose", "--payment", $"127.0.0.1:{port}", "--os", "2012r2", "--updates", "none", "--out", output, "--json");
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, true);
        }
    }

    [Theory]
    [MemberData(nameof(Simulations))]
    public async Task Simulation_against_a_saved_scan(string target, string os)
    {
        var server = await peers.GetAsync(Enum.Parse<PeerTarget>(target));
        var scanFile = Path.Combine(Path.GetTempPath(), $"tlsdoctor-golden-{Guid.NewGuid().ToString("N")[..8]}.json");
        try
        {
            var scan = await CliHarness.RunAsync("scan", $"127.0.0.1:{server.Port}", "--json");
            Assert.Equal(0, scan.ExitCode);
            await File.WriteAllTextAsync(scanFile, scan.Out);
            await AssertGoldenAsync($"simulate-{target}-{os}", [server.Port],
                "simulate", "--client", $"windows:{os}", "--server", scanFile, "--json");
        }
        finally
        {
            File.Delete(scanFile);
        }
    }

    // Short waits only where waiting in vain is the point (devices that keep the client waiting); every device that
    // answers at once keeps the default timeouts, so a loaded machine cannot turn its late answer into a different result.
    private static string[] Timeouts(string profile) =>
        LabProfiles.Get(profile).KeepsClientWaiting ? ["--timeout", "1", "--connect-timeout", "1", "--deadline", "30"] : [];

    private async Task AssertGoldenAsync(string name, int[] ports, params string[] args)
    {
        var actual = await RunNormalisedAsync(ports, args);
        var path = Path.Combine(GoldenDirectory(), name + ".json");
        if (Environment.GetEnvironmentVariable("TLSDOCTOR_UPDATE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"no golden file {path}; run with TLSDOCTOR_UPDATE_GOLDEN=1 to record it");
        var expected = (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n");
        if (expected != actual && name.Contains(LabProfiles.MfdBrokenDh, StringComparison.Ordinal))
        {
            // mfd-broken-dh fails about one random DHE handshake in 256 (the bug it reproduces), which adds a repeat
            // attempt to a scan; a second run tells that luck from a real change.
            log.WriteLine($"{name}: differs on the first run, running again (DH leading-zero luck)");
            actual = await RunNormalisedAsync(ports, args);
        }
        Assert.Equal(expected, actual);
    }

    private static async Task<string> RunNormalisedAsync(int[] ports, string[] args)
    {
        var run = await CliHarness.RunAsync(args);
        var document = new JsonObject
        {
            ["exitCode"] = run.ExitCode,
            ["stdout"] = Normalise(JsonNode.Parse(run.Out), ports),
        };
        var text = document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        return ReplacePorts(text, ports).ReplaceLineEndings("\n") + "\n";
    }

    // Values that differ between two runs of the same code: where the peer listens, how long things took, when the
    // run happened, and what the freshly generated keys and certificates hash to.
    private static readonly HashSet<string> VolatileNumbers = ["elapsedMs", "port"];
    // generated / toolVersion: when and by which build a document was written (scan's header), like "at" in diagnose.
    private static readonly HashSet<string> VolatileStrings = ["at", "generated", "toolVersion", "notBefore", "notAfter", "der", "sha256", "certificateSha256", "serialNumber"];
    private static readonly Regex Sha256Hex = new("\\b[0-9a-fA-F]{64}\\b", RegexOptions.Compiled);
    private static readonly Regex TempPath = new("\"[^\"]*tlsdoctor-golden-[0-9a-f]{8}", RegexOptions.Compiled);
    // hostile-garbage answers random bytes, which the error message quotes.
    private static readonly Regex QuotedBytes = new("first bytes [0-9A-F]+", RegexOptions.Compiled);

    private static JsonNode? Normalise(JsonNode? node, int[] ports)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                {
                    if (value is JsonValue v && VolatileNumbers.Contains(key) && v.TryGetValue<long>(out _)) o[key] = 0;
                    else if (value is JsonValue s && VolatileStrings.Contains(key) && s.TryGetValue<string>(out _)) o[key] = $"<{key}>";
                    else o[key] = Normalise(value?.DeepClone(), ports);
                }
                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++) a[i] = Normalise(a[i]?.DeepClone(), ports);
                return a;
            case JsonValue value when value.TryGetValue<string>(out var text):
                return JsonValue.Create(QuotedBytes.Replace(Sha256Hex.Replace(text, "<sha256>"), "first bytes <random>"));
            default:
                return node;
        }
    }

    private static string ReplacePorts(string text, int[] ports)
    {
        // Remedy folders are named after the device: 127.0.0.1_4433.
        foreach (var port in ports) text = text.Replace($":{port}", ":PORT", StringComparison.Ordinal).Replace($"_{port}/", "_PORT/", StringComparison.Ordinal);
        return TempPath.Replace(text, "\"<out>");
    }

    private static string GoldenDirectory([CallerFilePath] string source = "") => Path.GetDirectoryName(source)!;
}

/// <summary>Every lab server profile but the randomised mfd-broken-dh is deterministic; all of them run for the golden tests.</summary>
public sealed class GoldenLab : IAsyncLifetime
{
    public static IReadOnlyList<string> Profiles { get; } =
        [.. LabProfiles.All.Where(p => p.Role == LabRole.Server).Select(p => p.Name)];

    private LabHost? _host;

    public int Port(string profile) => _host!.Devices.First(d => d.Profile == profile).Endpoint.Port;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _host = await LabHost.StartAsync(Profiles, new LabOptions(), cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }
}
