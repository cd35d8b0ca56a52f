using TlsDoctor.Core;
using TlsDoctor.Probe;
using TlsDoctor.TestPeers;

namespace TlsDoctor.Diagnosis.Tests;

/// <summary>Guide cases reproduced by real OpenSSL / GnuTLS servers.</summary>
public sealed class PeerDiagnosisTests(PeerServers peers) : IClassFixture<PeerServers>
{
    private async Task<ProbeTarget> Start(PeerTarget t)
    {
        var server = await peers.GetAsync(t);
        return new ProbeTarget("127.0.0.1", server.Port);
    }

    [Fact]
    public async Task OpenSsl_weak_dh_printer_gives_TD001()
    {
        var r = await Diagnose.RunAsync(new() { Device = await Start(PeerTarget.OldMfdWeakDh), Policy = Diagnose.Os("2016") });
        var f = r.Single("TD001");
        var dh = f.Remedy("dh.reg");
        Assert.Contains("\"ClientMinKeyBitLength\"=dword:00000200", dh.Files[0].Content);
        Assert.True(dh.Fixes);
        // OpenSSL strips the leading zero correctly: the proof clears the device.
        Assert.Equal(LeadingZeroVerdict.Cleared, Assert.Single(r.LeadingZero).Verdict);
        Assert.DoesNotContain(r.Findings, x => x.Id == "TD002");
    }

    [Theory]
    [InlineData("2012r2", "TD002:upgrade-2019")]
    [InlineData("2016", "TD002:KB4537806")]
    public async Task A_correct_dhe_device_and_a_windows_without_the_leading_zero_fix_get_windows_side_remedies(string os, string expected)
    {
        // OpenSSL strips the zero (the proof clears it); this Windows does not: Windows is the side at fault.
        var r = await Diagnose.RunAsync(new() { Device = await Start(PeerTarget.Dh1024), Policy = Diagnose.Os(os, "none") });
        Assert.Equal(LeadingZeroVerdict.Cleared, Assert.Single(r.LeadingZero).Verdict);
        var f = r.Single("TD002");
        Assert.Contains("does not strip the leading zero", f.Title);
        Assert.DoesNotContain(f.Remedies, m => m.Kind == RemedyKind.Device);
        Assert.Contains(f.Remedies, m => m.EquivalenceKey == "TD002:disable-dh");
        var windows = Assert.Single(f.Remedies, m => m.EquivalenceKey == expected);
        Assert.True(windows.Fixes, windows.Resimulated?.Explanation);
    }

    [Fact]
    public async Task OpenSsl_sha512_chain_gives_TD004_on_unpatched_2012r2()
    {
        var r = await Diagnose.RunAsync(new() { Payment = await Start(PeerTarget.Sha512Chain), Policy = Diagnose.Os("2012r2", "KB3042058") });
        var f = r.Single("TD004");
        Assert.Contains(f.Evidence, e => e.Text.Contains("sha512WithRSAEncryption"));
        Assert.True(f.Remedy(RemedyKind.WindowsUpdate).Fixes);
    }

    [Fact]
    public async Task OpenSsl_tls13_only_gives_TD107_on_2012r2_and_nothing_on_2022()
    {
        var target = await Start(PeerTarget.Tls13Only);
        var r = await Diagnose.RunAsync(new() { Device = target, Policy = Diagnose.Os("2012r2") });
        var f = r.Single("TD107");
        Assert.DoesNotContain(r.Findings, x => x.Id == "TD005");
        var upgrade = f.Remedy(RemedyKind.WindowsUpdate);
        Assert.True(upgrade.Fixes);
        Assert.Equal(TlsVersion.TLSv1_3, upgrade.Resimulated!.Version);

        var modern = await Diagnose.RunAsync(new() { Device = target, Policy = Diagnose.Os("2022") });
        Assert.DoesNotContain(modern.Findings, x => x.Severity == Severity.Error);
    }

    [Fact]
    public async Task GnuTls_3des_rc4_printer_against_2022_completes_with_the_one_AES_suite()
    {
        var r = await Diagnose.RunAsync(new() { Device = await Start(PeerTarget.Legacy3DesRc4), Policy = Diagnose.Os("2022") });
        // The model: 2022 keeps TLS_RSA_WITH_AES_128_CBC_SHA, which the device also accepts; RC4 and 3DES are not needed.
        var o = Assert.Single(r.Outcomes).Outcome;
        Assert.True(o.Healthy, o.Explanation);
        Assert.Equal("TLS_RSA_WITH_AES_128_CBC_SHA", o.CipherSuite!.Name);
        Assert.DoesNotContain(r.Findings, x => x.Severity == Severity.Error);
    }
}
