using System.Security.Authentication;
using TlsDoctor.Core;
using TlsDoctor.Lab;
using TlsDoctor.Probe;

namespace TlsDoctor.Diagnosis.Tests;

/// <summary>The model's self-check compared with injected SCHANNEL outcomes (the SslStream path runs under Wine).</summary>
public sealed class ModelCheckTests(LabFixture lab) : IClassFixture<LabFixture>
{
    private static readonly CipherSuite Rsa = CipherSuites.Get(0x002F);
    private static HandshakeOutcome Completes(TlsVersion v, CipherSuite s) => new(true, v, s, KeyExchange.RSA, null, null, null, null, null, "completes");
    private static HandshakeOutcome Fails(FailureReason reason) => new(false, null, null, null, null, reason, Side.Client, null, null, "fails");

    [Fact]
    public void Same_version_and_suite_or_both_failing_is_confirmed()
    {
        Assert.Equal(ModelCheck.Confirmed, ModelChecks.Compare(Direction.OutboundDevice, "d", Completes(TlsVersion.TLSv1_2, Rsa), new(true, TlsVersion.TLSv1_2, 0x002F, null), "SystemDefault").Status);
        Assert.Equal(ModelCheck.Confirmed, ModelChecks.Compare(Direction.OutboundDevice, "d", Fails(FailureReason.DhTooSmall), new(false, null, null, "the token supplied to the function is invalid"), "SystemDefault").Status);
    }

    [Fact]
    public void A_suite_the_stack_did_not_report_is_not_compared_but_the_version_is()
    {
        var same = ModelChecks.Compare(Direction.OutboundDevice, "d", Completes(TlsVersion.TLSv1_2, Rsa), new(true, TlsVersion.TLSv1_2, null, null), "SystemDefault");
        Assert.Equal(ModelCheck.Confirmed, same.Status);
        Assert.Contains("suite not reported", same.Schannel);
        Assert.True(ModelChecks.Compare(Direction.OutboundDevice, "d", Completes(TlsVersion.TLSv1_2, Rsa), new(true, TlsVersion.TLSv1_0, null, null), "SystemDefault").IsMismatch);
    }

    [Theory]
    [InlineData(true, 0x0303, 0x0035)] // another suite
    [InlineData(true, 0x0301, 0x002F)] // another version
    [InlineData(false, 0, 0)]          // SCHANNEL failed where the model completes
    public void Any_difference_is_a_mismatch_with_both_outcomes(bool completed, int version, int suite)
    {
        SystemHandshakeResult live = completed
            ? new(true, version == 0x0303 ? TlsVersion.TLSv1_2 : TlsVersion.TLSv1_0, (ushort)suite, null)
            : new(false, null, null, "An existing connection was forcibly closed by the remote host");
        var c = ModelChecks.Compare(Direction.OutboundDevice, "10.0.0.7:443", Completes(TlsVersion.TLSv1_2, Rsa), live, "TLSv1.2");
        Assert.True(c.IsMismatch);
        var f = ModelChecks.Finding(c);
        Assert.Equal("TD109", f.Id);
        Assert.Equal("model-mismatch", f.Slug);
        Assert.Contains("TLSv1.2 TLS_RSA_WITH_AES_128_CBC_SHA", f.Title);
        Assert.Contains(f.Evidence, e => e.Source == EvidenceSource.Probe && e.Text.Contains(c.Schannel, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_mismatch_comes_first_and_leaves_the_diagnosis_as_it_was()
    {
        var device = lab.Target(LabProfiles.MfdWeakDh);
        var plain = await Diagnose.RunAsync(new() { Device = device, Policy = Diagnose.Os("2016"), SelfCheck = false });
        SslProtocols? asked = null;
        var checkedRun = await Diagnose.RunAsync(new()
        {
            Device = device, Policy = Diagnose.Os("2016"),
            Handshake = (_, protocols, _, _) => { asked = protocols; return Task.FromResult(new SystemHandshakeResult(true, TlsVersion.TLSv1_2, 0x009F, null)); },
        });
        Assert.Equal(SslProtocols.None, asked); // a 4.7+ Terminal Server leaves the versions to SCHANNEL
        var check = Assert.Single(checkedRun.ModelChecks);
        Assert.Equal(ModelCheck.Mismatch, check.Status); // the model says the weak DH fails; this SCHANNEL "completed"
        Assert.Equal("TD109", checkedRun.Findings[0].Id);
        Assert.Equal(plain.Findings.Select(f => (f.Id, f.Title)), checkedRun.Findings.Skip(1).Select(f => (f.Id, f.Title)));
    }
}
