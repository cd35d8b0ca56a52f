using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.TestPeers;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Diagnosis.Tests;

/// <summary>TD1xx findings from known profiles (no network): each with its remedy verified by re-simulation.</summary>
public sealed class BeyondTheGuideTests
{
    private static readonly DateTimeOffset Now = TestProfiles.Now;

    private static WindowsSide Windows(string os) => WindowsSide.Build(new PolicyOptions { Os = os });

    private static CertificateInfo Cert(string subject, DateTimeOffset notBefore, DateTimeOffset notAfter, params string[] sans) =>
        TestProfiles.Cert(subject, selfSigned: false, notBefore: notBefore, notAfter: notAfter, sans: sans);

    // Server-ordered devices whose certificate is valid now.
    private static ServerProfile Server(TlsVersion[] versions, string[] suites, string[] groups, CertificateInfo? cert = null, int? dhBits = null) =>
        TestProfiles.Server(versions, suites, dhBits, serverOrder: true, groups, cert ?? Cert("CN=device", Now.AddYears(-1), Now.AddYears(1)));

    [Fact]
    public void Device_with_only_secp521r1_gives_TD102_and_curves_reg_fixes_it()
    {
        var f = Assert.Single(DiagnosisRunner.AnalyzeOutbound(Windows("2016"),
            Server([TlsVersion.TLSv1_2], ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], ["secp521r1"]), "dev:443"), x => x.Severity == Severity.Error);
        Assert.Equal("TD102", f.Id);
        var r = f.Remedy("curves.reg");
        Assert.True(r.Fixes, r.Resimulated!.Explanation);
        Assert.Equal("secp521r1", r.Resimulated.Group!.Name);
    }

    [Fact]
    public void Sslv3_only_device_gives_TD106_not_TD005()
    {
        var findings = DiagnosisRunner.AnalyzeOutbound(Windows("2016"), Server([TlsVersion.SSLv3], ["TLS_RSA_WITH_3DES_EDE_CBC_SHA"], []), "dev:443");
        var f = Assert.Single(findings, x => x.Severity == Severity.Error);
        Assert.Equal("TD106", f.Id);
        Assert.Contains(f.Remedies, m => m.Kind == RemedyKind.Device);
    }

    [Theory]
    [InlineData(new[] { TlsVersion.TLSv1_0, TlsVersion.TLSv1_2 }, "TD005:client-enable-TLSv1.2")]
    [InlineData(new[] { TlsVersion.TLSv1_0, TlsVersion.TLSv1_1 }, "TD005:client-enable-TLSv1.1")]
    [InlineData(new[] { TlsVersion.TLSv1_0 }, "TD005:client-enable-TLSv1.0")]
    public void TD005_enables_only_the_highest_version_that_fixes_it(TlsVersion[] device, string key)
    {
        // A hardened 2016 client role (TLS 1.0, 1.1 and 1.2 off): a device that also speaks a later version is no
        // reason to turn TLS 1.0 back on machine-wide.
        var reg = Path.Combine(Path.GetTempPath(), $"td005-{Guid.NewGuid():N}.reg");
        var p = @"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\";
        File.WriteAllText(reg, "Windows Registry Editor Version 5.00\r\n" + string.Concat(new[] { "TLS 1.0", "TLS 1.1", "TLS 1.2" }.Select(v =>
            $"\r\n[{p}{v}\\Client]\r\n\"Enabled\"=dword:00000000\r\n\"DisabledByDefault\"=dword:00000001\r\n")));
        try
        {
            var windows = WindowsSide.Build(new PolicyOptions { Os = "2016", RegFiles = [reg] });
            var server = Server(device, ["TLS_RSA_WITH_AES_128_CBC_SHA"], []);
            var f = Assert.Single(DiagnosisRunner.AnalyzeOutbound(windows, server, "dev:443"), x => x.Severity == Severity.Error);
            Assert.Equal("TD005", f.Id);
            var r = Assert.Single(f.Remedies, m => m.Kind == RemedyKind.Registry);
            Assert.Equal(key, r.EquivalenceKey);
            Assert.True(r.Fixes, r.Resimulated?.Explanation);
            var text = r.Files.First(x => x.Name == "tls.reg").Content;
            foreach (var v in device.Where(v => v.Name() != key[(key.LastIndexOf('-') + 1)..]))
                Assert.DoesNotContain($"{v.Name().Replace("v", " ")}\\Client", text);
        }
        finally { File.Delete(reg); }
    }

    [Fact]
    public void A_failure_no_rule_explains_is_TD110_never_no_findings()
    {
        // The probe saw invalid DH parameters (p = 1, g = 0, …) on a DHE-only device: no catalogued cause, but it fails.
        var server = Server([TlsVersion.TLSv1_2], ["TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"], [], dhBits: 2048) with
        {
            Behaviours = [new Behaviour(BehaviourKind.DhInvalidParameters, "p is 1")],
        };
        var findings = DiagnosisRunner.AnalyzeOutbound(Windows("2016"), server, "dev:443");
        var f = Assert.Single(findings, x => x.Severity == Severity.Error);
        Assert.Equal("TD110", f.Id);
        Assert.Contains("dh-invalid-parameters", f.Title);
        Assert.Contains(f.Evidence, e => e.Source == EvidenceSource.Simulation);

        // A healthy device gets no TD110.
        var healthy = Server([TlsVersion.TLSv1_2], ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], ["secp256r1"]);
        Assert.DoesNotContain(DiagnosisRunner.AnalyzeOutbound(Windows("2016"), healthy, "dev:443"), x => x.Id == "TD110");
    }

    [Fact]
    public void Expired_payment_certificate_gives_TD104_and_a_wrong_name_TD105()
    {
        var cert = Cert("CN=pay.example", Now.AddYears(-3), Now.AddDays(-10), "DNS:pay.example");
        var server = Server([TlsVersion.TLSv1_2], ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], ["secp256r1"], cert);
        var findings = DiagnosisRunner.AnalyzeOutbound(Windows("2019"), server, "pay.example:443", Direction.OutboundPayment, Now, "pay.example");
        var expired = Assert.Single(findings);
        Assert.Equal("TD104", expired.Id);
        Assert.Equal(Severity.Error, expired.Severity);
        Assert.True(expired.Remedies[0].Fixes);

        var mismatch = DiagnosisRunner.AnalyzeOutbound(Windows("2019"), server with { Certificates = [cert with { NotAfter = Now.AddYears(1) }] },
            "other.example:443", Direction.OutboundPayment, Now, "other.example");
        Assert.Equal("TD105", Assert.Single(mismatch).Id);
        Assert.True(CertificateNameMismatchRule.Matches(cert with { SubjectAlternativeNames = ["DNS:*.example"] }, "pay.example"));
        Assert.False(CertificateNameMismatchRule.Matches(cert with { SubjectAlternativeNames = ["DNS:*.example"] }, "a.pay.example"));
    }

    [Fact]
    public void Ecdhe_gcm_only_device_against_2012r2_gives_TD101()
    {
        var findings = DiagnosisRunner.AnalyzeOutbound(Windows("2012r2"),
            Server([TlsVersion.TLSv1_2], ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"], ["secp256r1"]), "dev:443");
        Assert.Equal("TD101", Assert.Single(findings, x => x.Severity == Severity.Error).Id);
    }

    [Fact]
    public async Task Old_device_inbound_that_handles_only_1024_bit_DH_gives_TD103_and_dh_server_reg_fixes_it()
    {
        var capture = new ClientProfile("old device", [TlsVersion.TLSv1_0], [Vocabulary.Suite("TLS_DHE_RSA_WITH_AES_128_CBC_SHA")], [], [], []) { DhMaxBits = 1024 };
        var r = await new DiagnosisRunner().RunAsync(new DiagnoseOptions { ClientHello = capture, Policy = new PolicyOptions { Os = "2016" }, Now = Now });
        var f = r.Single("TD103");
        var reg = f.Remedy("dh-server.reg");
        Assert.Contains("\"ServerMinKeyBitLength\"=dword:00000400", reg.Files[0].Content);
        Assert.True(reg.Fixes, reg.Resimulated!.Explanation);
        Assert.Equal(1024, reg.Resimulated.KeyExchangeBits);
    }

    [Fact]
    public void Product_setting_follows_the_contiguity_rule()
    {
        // 1.0 and 1.2 without 1.1 is never written: the run ends at the highest good version and stops at a gap.
        Assert.Equal("Tls, Tls11, Tls12", ProtocolRemedies.Setting([TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2])!.Raw);
        Assert.Equal("Tls12", ProtocolRemedies.Setting([TlsVersion.TLSv1_0, TlsVersion.TLSv1_2])!.Raw);
        Assert.Null(ProtocolRemedies.Setting([TlsVersion.SSLv2]));
    }
}
