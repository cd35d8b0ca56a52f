using TlsDoctor.Core;
using TlsDoctor.Probe.Capture;
using static TlsDoctor.Diagnosis.Tests.Inbound.LearningHarness;

namespace TlsDoctor.Diagnosis.Tests.Inbound;

/// <summary>`listen --learn` against real TLS clients: the learned limit, and the finding it leads to.</summary>
public sealed class RealClientLearningTests
{
    [Fact]
    public async Task Openssl_tls12_only_device_against_2008r2_is_not_healthy()
    {
        var r = await LearnAsync(OpenSsl("-tls1_2"), Server("2008r2"));
        var dump = Dump(r);
        var learned = Learned(r);
        var min = learned.Limit(ClientLimits.MinVersion)!;
        Assert.True(min.Basis == LimitBasis.Observed, dump);
        Assert.Equal("TLSv1.2", min.Value);
        Assert.Equal([TlsVersion.TLSv1_2], learned.Versions.ToArray());
        // The refusal is kept as evidence: a TLS 1.1 ServerHello answered with protocol_version (or, when the device's
        // close wins the race with the listener's own write, just the close).
        var refusal = Assert.Single(r.Captures, c => c.Exchange is { Question: LearnQuestion.LowerVersion, Verdict: "rejected" }).Exchange!;
        Assert.Equal(TlsVersion.TLSv1_1, refusal.AnsweredVersion);
        Assert.True(refusal.Result.Alert is AlertDescription.ProtocolVersion or null, refusal.Result.Detail);

        // From the single hello: a warning that names the assumption and the run that settles it.
        var single = await DiagnoseAsync(SingleHello(r), "2008r2");
        var warning = Assert.Single(single.Findings, f => f.Id == "TD005");
        Assert.Equal(Severity.Warning, warning.Severity);
        Assert.Contains(warning.Evidence, e => e.Text.Contains("listen --port 5012 --learn", StringComparison.Ordinal));
        // With the learned limit: an error whose remedy enables TLS 1.2 for the SCHANNEL server, verified by re-simulation.
        var report = await DiagnoseAsync(learned, "2008r2");
        var error = Assert.Single(report.Findings, f => f.Id == "TD005");
        Assert.Equal(Severity.Error, error.Severity);
        var reg = error.Remedies.First(x => x.Files.Any(f => f.Name == "tls.reg"));
        Assert.True(reg.Fixes);
        var text = reg.Files.First(f => f.Name == "tls.reg").Content;
        Assert.Contains(@"SCHANNEL\Protocols\TLS 1.2\Server]", text);
        Assert.Contains("\"Enabled\"=dword:00000001", text);
        Assert.Contains("\"DisabledByDefault\"=dword:00000000", text);
        Assert.DoesNotContain("TLS 1.0", text);
        Assert.Contains(reg.Files, f => f.Name == "undo-tls.reg");
    }

    [Fact]
    public async Task Openssl_with_tls10_to_12_is_learned_down_to_tls10_and_stays_healthy_on_2008r2()
    {
        var r = await LearnAsync(OpenSsl("-cipher", "DEFAULT:@SECLEVEL=0", "-no_tls1_3"), Server("2008r2"));
        var learned = Learned(r);
        var min = learned.Limit(ClientLimits.MinVersion)!;
        Assert.True(min.Basis == LimitBasis.Observed, Dump(r));
        Assert.Equal("TLSv1.0", min.Value);
        var report = await DiagnoseAsync(learned, "2008r2");
        Assert.DoesNotContain(report.Findings, f => f.Id == "TD005");
    }

    [Fact]
    public async Task Openssl_sha1_sigalgs_gives_a_td007_warning_from_one_hello_that_learning_settles()
    {
        // OpenSSL 3 refuses SHA-1 signatures at its default security level 1+: SECLEVEL=0 lets it offer rsa_pkcs1_sha1.
        var r = await LearnAsync(OpenSsl("-tls1_2", "-sigalgs", "RSA+SHA1", "-cipher", "DEFAULT:@SECLEVEL=0"), Server("2016"));
        var dump = Dump(r);
        var single = SingleHello(r);
        Assert.Equal(["rsa_pkcs1_sha1"], single.SignatureSchemes.Select(s => s.Name));
        var warning = Assert.Single((await DiagnoseAsync(single, "2016")).Findings, f => f.Id == "TD007");
        Assert.Equal(Severity.Warning, warning.Severity);
        var remedy = warning.Remedies.Single();
        Assert.Contains("--hash sha1", remedy.Files.Single().Content);
        Assert.True(remedy.Fixes);
        // s_client does not verify certificates: it completes with RSA-2048/SHA-256, so the learned device has no hash
        // limit and the finding disappears.
        var learned = Learned(r);
        Assert.True(learned.Limit(ClientLimits.CertificateHashes) is { Basis: LimitBasis.Observed }, dump);
        Assert.Contains(r.Captures, c => c.Exchange is { Question: LearnQuestion.Certificate, Verdict: "accepted", Result.Certificate: "RSA-2048/SHA-256" });
        Assert.DoesNotContain((await DiagnoseAsync(learned, "2016")).Findings, f => f.Id == "TD007");
    }

    [Fact]
    public async Task Gnutls_tls12_only_client_is_learned_and_completes_the_terminal_server_suite()
    {
        var r = await LearnAsync(GnuTls("NORMAL:-VERS-ALL:+VERS-TLS1.2"), Server("2016"));
        var dump = Dump(r);
        var learned = Learned(r);
        Assert.Equal("TLSv1.2", learned.Limit(ClientLimits.MinVersion)?.Value);
        Assert.True(learned.Limit(ClientLimits.MinVersion)!.Basis == LimitBasis.Observed, dump);
        var suite = learned.Limit(ClientLimits.TerminalServerSuite)!;
        Assert.True(suite.Basis == LimitBasis.Observed, dump);
        Assert.StartsWith("completes with TLS_", suite.Value);
        Assert.Equal(ListenStop.Learned, r.Stop);
        Assert.True(r.Captures.Last(c => c.Learning is not null).Learning!.Complete);
        Assert.Empty((await DiagnoseAsync(learned, "2016")).Findings.Where(f => f.Severity == Severity.Error));
    }
}
