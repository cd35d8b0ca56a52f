using TlsDoctor.Probe;
using TlsDoctor.Core;
using TlsDoctor.Lab;
using TlsDoctor.Schannel.Registry;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Diagnosis.Tests;

/// <summary>Every guide case end to end against the lab's simulated devices.</summary>
public sealed class LabDiagnosisTests(LabFixture lab) : IClassFixture<LabFixture>
{
    [Fact]
    public async Task WeakDh_gives_TD001_with_dh_reg_at_the_device_size_and_a_verified_fix()
    {
        var r = await Diagnose.RunAsync(new() { Device = lab.Target(LabProfiles.MfdWeakDh), Policy = Diagnose.Os("2016") });

        var f = r.Single("TD001");
        Assert.Equal(Severity.Error, f.Severity);
        Assert.Equal(Direction.OutboundDevice, f.Direction);
        Assert.Contains(f.Evidence, e => e.Source == EvidenceSource.Probe && e.Text.Contains("DH 512"));
        Assert.Contains(f.Evidence, e => e.Source == EvidenceSource.Policy && e.Text.Contains("1024"));
        var dh = f.Remedy("dh.reg");
        Assert.Contains("\"ClientMinKeyBitLength\"=dword:00000200", dh.Files.First(x => x.Name == "dh.reg").Content);
        var parsed = RegistryState.Empty.Apply(RegFileReader.Parse(dh.Files.First(x => x.Name == "dh.reg").Content));
        Assert.Equal(512u, parsed.Get(RegistryPaths.DiffieHellman, "ClientMinKeyBitLength")!.Value.AsDWord());
        Assert.True(dh.Resimulated!.Completed);
        Assert.Equal(TlsVersion.TLSv1_0, dh.Resimulated.Version);
        Assert.Equal(KeyExchange.DHE, dh.Resimulated.KeyExchange);
        Assert.Contains("undo-dh.reg", dh.Files.Select(x => x.Name));
        // Disabling DHE lets the device fall back to RSA key exchange, with a machine-wide side effect stated.
        var off = f.Remedy("dh-disable.reg");
        Assert.True(off.Fixes);
        Assert.Equal(KeyExchange.RSA, off.Resimulated!.KeyExchange);
        Assert.Contains(off.SideEffects, s => s.Contains("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"));
        Assert.True(r.HasErrors);
    }

    [Fact]
    public async Task BrokenDh_is_proven_by_the_forced_leading_zero_and_gives_TD002()
    {
        var r = await Diagnose.RunAsync(new() { Device = lab.Target(LabProfiles.MfdBrokenDh), Policy = Diagnose.Os("2016") });

        var proof = Assert.Single(r.LeadingZero);
        Assert.Equal(LeadingZeroVerdict.Proven, proof.Verdict);
        var forced = proof.Handshakes[0];
        Assert.Equal("force-shared-secret-leading-zero", forced.Mode);
        Assert.False(forced.Completed);
        Assert.Equal(HandshakeStage.Finished, forced.Stage);
        Assert.Equal(AlertDescription.BadRecordMac, forced.Alert);
        Assert.True(forced.SharedSecretHadLeadingZero);
        Assert.True(proof.Handshakes[1].Completed); // the random control
        // The proof's handshakes are connections of their own, numbered after the scan's, and the evidence links them.
        var scanned = r.Probes.Single().Handshakes - proof.Handshakes.Length;
        Assert.Equal(Enumerable.Range(scanned + 1, proof.Handshakes.Length), proof.Handshakes.Select(h => h.AttemptId!.Value));

        var f = r.Single("TD002");
        Assert.Equal(Severity.Error, f.Severity);
        Assert.Contains(f.Evidence, e => e.Text.Contains("bad_record_mac") && e.AttemptId == forced.AttemptId);
        var off = f.Remedy("dh-disable.reg");
        Assert.Contains("\"Enabled\"=dword:00000000", off.Files[0].Content);
        Assert.True(off.Fixes);
        Assert.NotEqual(KeyExchange.DHE, off.Resimulated!.KeyExchange);
        Assert.NotEmpty(off.SideEffects);
        Assert.Contains(f.Remedies, m => m.Kind == RemedyKind.Device); // the device is the side at fault
        Assert.DoesNotContain(f.Remedies, m => m.Kind == RemedyKind.WindowsUpdate);
    }

    [Fact]
    public async Task BrokenDh_against_a_Windows_that_makes_the_same_mistake_is_only_a_warning()
    {
        var r = await Diagnose.RunAsync(new() { Device = lab.Target(LabProfiles.MfdBrokenDh), Policy = Diagnose.Os("2012r2") });
        var f = r.Single("TD002");
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.DoesNotContain(r.Findings, x => x.Severity == Severity.Error);
    }

    [Fact]
    public async Task FakeTls12_gives_TD003_with_the_product_setting_of_the_versions_that_complete()
    {
        var r = await Diagnose.RunAsync(new() { Device = lab.Target(LabProfiles.MfdFakeTls12), Policy = Diagnose.Os("2016") });

        var f = r.Single("TD003");
        Assert.Equal(Severity.Error, f.Severity);
        Assert.Contains(f.Evidence, e => e.Text.Contains("bad_record_mac") && e.AttemptId is not null);
        var setting = f.Remedy(RemedyKind.ProductSetting);
        Assert.Contains("\"Tls, Tls11\"", setting.Title);
        Assert.Equal("securityProtocolTypesForOutboundCommunication=Tls, Tls11\r\n", setting.Files[0].Content);
        Assert.True(setting.Fixes);
        Assert.Equal(TlsVersion.TLSv1_1, setting.Resimulated!.Version);
    }

    [Fact]
    public async Task Tls12Only_against_2008r2_defaults_gives_TD005_and_tls_reg_for_the_client_role()
    {
        var r = await Diagnose.RunAsync(new() { Device = lab.Target(LabProfiles.MfdTls12Only), Policy = Diagnose.Os("2008r2") });

        var f = r.Single("TD005");
        var reg = f.Remedy("tls.reg");
        var state = RegistryState.Empty.Apply(RegFileReader.Parse(reg.Files[0].Content));
        Assert.Equal(1u, state.Get(RegistryPaths.ProtocolKey(TlsVersion.TLSv1_2, "Client"), "Enabled")!.Value.AsDWord());
        Assert.Equal(0u, state.Get(RegistryPaths.ProtocolKey(TlsVersion.TLSv1_2, "Client"), "DisabledByDefault")!.Value.AsDWord());
        // The model knows 2008 R2 has no ECDHE-RSA suite the device accepts: TLS 1.2 alone does not fix it, and the remedy says so.
        Assert.NotNull(reg.Resimulated);
        Assert.Equal(TlsVersion.TLSv1_2, reg.Resimulated!.Version);
    }

    [Fact]
    public async Task Tls12Only_against_2012_with_dotnet_45_gives_TD108()
    {
        var r = await Diagnose.RunAsync(new() { Device = lab.Target(LabProfiles.MfdTls12Only), Policy = Diagnose.Os("2012") with { DotNet = "4.5" } });

        var f = r.Single("TD108");
        Assert.Equal(Severity.Error, f.Severity);
        Assert.DoesNotContain(r.Findings, x => x.Id == "TD005");
        var reg = f.Remedy("dotnet.reg");
        Assert.True(reg.Fixes, reg.Resimulated?.Explanation);
        Assert.Equal(TlsVersion.TLSv1_2, reg.Resimulated!.Version);
        var setting = f.Remedy(RemedyKind.ProductSetting);
        Assert.True(setting.Fixes);
    }

    [Fact]
    public async Task PaymentSha512_on_2012r2_without_KB2975719_gives_TD004_and_with_it_nothing()
    {
        var target = lab.Target(LabProfiles.PaymentSha512);
        var r = await Diagnose.RunAsync(new() { Payment = target, Policy = Diagnose.Os("2012r2", "KB3042058", "KB2919355") });
        var f = r.Single("TD004");
        Assert.Equal(Direction.OutboundPayment, f.Direction);
        var kb = f.Remedy(RemedyKind.WindowsUpdate);
        Assert.Contains("KB2975719", kb.Title);
        Assert.True(kb.Fixes);

        var patched = await Diagnose.RunAsync(new() { Payment = target, Policy = Diagnose.Os("2012r2", "KB3042058", "KB2919355", "KB2975719") });
        Assert.DoesNotContain(patched.Findings, x => x.Severity == Severity.Error);
    }

    [Fact]
    public async Task Modern_device_gives_no_error_finding()
    {
        var r = await Diagnose.RunAsync(new() { Device = lab.Target(LabProfiles.MfdModern), Policy = Diagnose.Os("2016") });
        Assert.DoesNotContain(r.Findings, x => x.Severity == Severity.Error);
        Assert.True(Assert.Single(r.Outcomes).Outcome.Healthy);
        Assert.Empty(r.LeadingZero); // no DHE: nothing to prove
    }
}
