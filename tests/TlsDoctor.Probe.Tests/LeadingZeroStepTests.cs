using TlsDoctor.Core;
using TlsDoctor.Probe.Handshake.LeadingZero;

namespace TlsDoctor.Probe.Tests;

/// <summary>The proof's sequence and verdict, with the handshakes' results given: the outcomes that a device shows only
/// once in 256 handshakes, made to happen every time.</summary>
public sealed class LeadingZeroStepTests
{
    private static readonly LeadingZeroStep Step = new();

    private static ProbeAttempt Handshake(int id, LeadingZeroMode mode, bool completed, bool sharedZero) => new(id,
        new LeadingZeroRequest(mode) { Step = ProbeStep.LeadingZero, Version = TlsVersion.TLSv1_2, Purpose = "dh leading zero TLSv1.2" },
        new LeadingZeroResult(completed, completed ? HandshakeStage.Completed : HandshakeStage.Finished, completed ? null : AlertDescription.BadRecordMac,
            !completed, 2048, sharedZero, false, completed ? "completed" : "bad_record_mac"),
        Transcript.Empty, "", 0);

    // Runs the step against a broken device whose answers are scripted: each handshake fails exactly when its shared
    // secret starts with 0x00, and the random handshakes' secrets start with 0x00 as the script says.
    private static (LeadingZeroRun Run, List<LeadingZeroMode> Modes) Prove(params bool[] randomSecretsStartWithZero)
    {
        var s = new ScanState { Target = new ProbeTarget("127.0.0.1", 1), LeadingZero = new LeadingZeroProbe(TlsVersion.TLSv1_2, 0) };
        var modes = new List<LeadingZeroMode>();
        var randoms = 0;
        while (Step.Next(s) is LeadingZeroRequest r)
        {
            Assert.True(modes.Count < 10, "the proof does not end");
            modes.Add(r.Mode);
            var zero = r.Mode switch
            {
                LeadingZeroMode.ForceSharedSecretLeadingZero => true,
                LeadingZeroMode.Random => randomSecretsStartWithZero[randoms++],
                _ => false,
            };
            s = Step.Fold(s, Handshake(modes.Count, r.Mode, completed: !zero, sharedZero: zero));
        }
        return (LeadingZeroStep.Conclude(s), modes);
    }

    [Fact]
    public void A_control_that_completes_proves_the_bug_in_three_handshakes()
    {
        var (run, modes) = Prove(false);
        Assert.Equal(LeadingZeroVerdict.Proven, run.Verdict);
        Assert.Equal([LeadingZeroMode.ForceSharedSecretLeadingZero, LeadingZeroMode.Random, LeadingZeroMode.ForceClientPublicLeadingZeroUnpadded], modes);
    }

    [Fact]
    public void A_control_whose_secret_also_starts_with_zero_is_drawn_again()
    {
        // Once in 256 proofs the random control hits the zero byte too and fails like the forced handshake: it shows
        // nothing, so a fleet scan and a diagnose of one device must not disagree on that luck.
        var (run, modes) = Prove(true, false);
        Assert.Equal(LeadingZeroVerdict.Proven, run.Verdict);
        Assert.Equal([LeadingZeroMode.ForceSharedSecretLeadingZero, LeadingZeroMode.Random, LeadingZeroMode.Random, LeadingZeroMode.ForceClientPublicLeadingZeroUnpadded], modes);
    }

    [Fact]
    public void Controls_are_bounded_and_without_a_clean_one_the_proof_is_inconclusive()
    {
        var (run, modes) = Prove(true, true, true);
        Assert.Equal(LeadingZeroVerdict.Inconclusive, run.Verdict);
        Assert.Equal(LeadingZeroStep.MaxControls, modes.Count(m => m == LeadingZeroMode.Random));
    }
}
