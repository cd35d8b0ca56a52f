using TlsDoctor.Core;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Diagnosis.Tests;

/// <summary>The catalogue's contract, the capture loader, and the inbound direction (no network).</summary>
public sealed class CatalogueAndCaptureTests
{
    [Fact]
    public void Ids_and_slugs_are_the_contract()
    {
        var expected = new Dictionary<string, string>
        {
            ["TD001"] = "weak-dh", ["TD002"] = "broken-dh", ["TD003"] = "tls12-intolerance", ["TD004"] = "sha512-unpatched",
            ["TD005"] = "no-common-protocol", ["TD006"] = "untrusted-certificate", ["TD007"] = "unsupported-certificate",
            ["TD101"] = "no-common-cipher-suite", ["TD102"] = "no-common-group", ["TD103"] = "dh-too-large", ["TD104"] = "certificate-expired",
            ["TD105"] = "certificate-name-mismatch", ["TD106"] = "legacy-only-device", ["TD107"] = "tls13-only-device", ["TD108"] = "dotnet-no-tls12",
            ["TD109"] = "model-mismatch", ["TD110"] = "unexplained-failure",
        };
        Assert.Equal(expected, Findings.All.ToDictionary(d => d.Id, d => d.Slug));
        // Every finding has its rule, except TD109, which the model self-check raises (ModelChecks.Finding), and TD110,
        // which the runner adds when nothing else explains a failing simulation.
        Assert.Equal(Findings.All.Where(d => d != Findings.ModelMismatch && d != Findings.UnexplainedFailure).Select(d => d.Id), DiagnosisRunner.Rules.Select(r => r.Descriptor.Id).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_failure_reason_a_finding_explains_comes_from_the_catalogue_and_precedence_names_catalogued_findings()
    {
        // Only reasons no finding covers yet fall through; the fleet and diagnose share this mapping.
        var unexplained = FailureReasons.All.Where(r => !Findings.ForReason(r).Any()).ToList();
        Assert.Equal([FailureReason.ExtensionIntolerance, FailureReason.NoCertificate, FailureReason.DhInvalidParameters], unexplained);
        Assert.Equal([Findings.WeakDh], Findings.ForReason(FailureReason.DhTooSmall));
        Assert.All(Findings.Precedence, p => Assert.Contains(p.Stronger, Findings.All));
        Assert.All(Findings.Precedence, p => Assert.NotEqual(p.Stronger, p.Weaker));
        Assert.All(Findings.All, d => Assert.Equal(d.InGuide, d.Id.StartsWith("TD0", StringComparison.Ordinal)));
    }

    [Fact]
    public void Precedence_drops_the_generic_finding_only_for_the_same_direction_and_target()
    {
        Finding F(FindingDescriptor d, string target) => new(d, d.DefaultSeverity, Direction.OutboundDevice, target, d.Title, [], []);
        var kept = Findings.ApplyPrecedence([F(Findings.NoCommonProtocol, "a"), F(Findings.LegacyOnlyDevice, "a"), F(Findings.NoCommonProtocol, "b")]).ToList();
        Assert.Equal([("TD106", "a"), ("TD005", "b")], kept.Select(f => (f.Id, f.Target)).OrderByDescending(t => t.Item1));
    }

    // A device connecting to the Terminal Server: TLS 1.0 only, verifies only RSA ≤ 1024 / SHA-1, trusts its own list.
    private const string LegacyCapture = """
        { "captures": [ { "address": "10.0.0.7", "clientProfile": {
            "name": "capture of 10.0.0.7",
            "versions": ["TLSv1.0"],
            "cipherSuites": ["TLS_RSA_WITH_AES_128_CBC_SHA", { "name": "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "code": "0x000a" }, "0x0035"],
            "groups": [], "signatureSchemes": [], "extensions": [],
            "rsaMaxBits": 1024, "acceptedCertificateHashes": ["sha1", "md5"], "trustedCertificates": []
        } } ] }
        """;

    [Fact]
    public void Loader_finds_the_profile_inside_a_wrapper()
    {
        var p = ClientProfileJsonLoader.Instance.Load(LegacyCapture, "capture.json");
        Assert.Equal(new[] { TlsVersion.TLSv1_0 }, p.Versions.ToArray());
        Assert.Equal(["TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA"], p.CipherSuites.Select(s => s.Name));
        Assert.Equal(1024, p.RsaMaxBits);
        Assert.NotNull(p.TrustedCertificates);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"foo\": 1}")]
    [InlineData("{\"versions\": [\"TLSv9\"], \"cipherSuites\": [\"TLS_RSA_WITH_AES_128_CBC_SHA\"]}")]
    [InlineData("{\"versions\": [\"TLSv1.2\"], \"cipherSuites\": [\"NOT_A_SUITE\"]}")]
    public void Loader_rejects_malformed_captures_with_a_message(string json)
    {
        var e = Assert.Throws<CaptureFormatException>(() => ClientProfileJsonLoader.Instance.Load(json, "c.json"));
        Assert.Contains("c.json", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"versions\": [\"TLSv1.2\"], \"cipherSuites\": [{\"name\": \"NOT_A_SUITE\"}]}")]
    [InlineData("{\"versions\": [\"TLSv1.2\"], \"cipherSuites\": [\"0x002f\"], \"dhMinBits\": -1}")]
    public void Loader_gives_the_reason_of_the_shared_reader(string json)
    {
        // diagnose --client-hello and simulate --client read with the same reader, so they fail with the same words.
        var shared = Assert.Throws<TlsDoctor.Probe.Capture.ClientProfileFileException>(() => TlsDoctor.Probe.Capture.ClientProfileFiles.Parse(json, "c.json"));
        var e = Assert.Throws<CaptureFormatException>(() => ClientProfileJsonLoader.Instance.Load(json, "c.json"));
        Assert.Equal(shared.Message, e.Message);
    }

    [Fact]
    public async Task Legacy_device_inbound_gives_TD007_with_an_rsa1024_sha1_certificate_remedy_and_TD006()
    {
        var capture = ClientProfileJsonLoader.Instance.Load(LegacyCapture, "capture.json");
        var r = await new DiagnosisRunner().RunAsync(new DiagnoseOptions
        {
            ClientHello = capture, ClientHelloOrigin = "capture.json", Policy = new PolicyOptions { Os = "2016" },
            Now = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero),
        });
        var f = r.Single("TD007");
        Assert.Equal(Direction.InboundDevice, f.Direction);
        var cert = f.Remedy(RemedyKind.Certificate);
        Assert.Contains("tlsdoctor cert new --key rsa:1024 --hash sha1", cert.Files[0].Content);
        Assert.True(cert.Fixes, cert.Resimulated!.Explanation);
        Assert.Contains(cert.Steps, s => s.Contains("Import the .cer"));
        Assert.Contains(r.Assumptions, a => a.Id == AssumedServerCertificate.AssumptionId);
        // The device trusts its own list only: the default certificate is untrusted, and the new one is imported.
        Assert.Contains(r.Findings, x => x.Id == "TD006" && x.Severity == Severity.Error);
    }

    [Fact]
    public async Task Healthy_modern_capture_gives_only_the_default_certificate_warning()
    {
        var json = """{ "versions": ["TLSv1.2"], "cipherSuites": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], "groups": ["secp256r1"], "signatureSchemes": ["rsa_pkcs1_sha256"], "extensions": ["supported_groups"] }""";
        var r = await new DiagnosisRunner().RunAsync(new DiagnoseOptions
        {
            ClientHello = ClientProfileJsonLoader.Instance.Load(json, "m.json"), Policy = new PolicyOptions { Os = "2019" },
        });
        Assert.DoesNotContain(r.Findings, f => f.Severity == Severity.Error);
        Assert.Equal(Severity.Warning, r.Single("TD006").Severity);
    }

    [Fact]
    public async Task Nothing_to_diagnose_is_an_input_error()
    {
        await Assert.ThrowsAsync<DiagnoseInputException>(() => new DiagnosisRunner().RunAsync(new DiagnoseOptions()));
    }

    [Fact]
    public void No_policy_option_off_Windows_assumes_2016_and_says_so()
    {
        if (OperatingSystem.IsWindows()) return;
        var w = WindowsSide.Build(new PolicyOptions());
        Assert.Equal("2016", w.Policy.Release.Id);
        Assert.Contains(w.AllAssumptions, a => a.Id == "default-windows" && a.Text.Contains("Windows Server 2016"));
    }

    [Fact]
    public async Task Unreachable_device_is_reported_not_thrown()
    {
        var r = await Diagnose.RunAsync(new DiagnoseOptions { Device = new("127.0.0.1", 1), Policy = new PolicyOptions { Os = "2016" } });
        Assert.Equal(new[] { "127.0.0.1:1" }, r.Unreachable.ToArray());
        Assert.Empty(r.Findings);
    }
}
