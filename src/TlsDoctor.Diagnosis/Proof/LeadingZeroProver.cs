using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Probe;
using TlsDoctor.Probe.Handshake.LeadingZero;

namespace TlsDoctor.Diagnosis;

/// <summary>
/// The DH leading-zero proof of a device, as the diagnosis reports it: the probe's proof run (two or three handshakes, rarely more
/// through the scanner's runner, numbered after the scan's attempts) mapped to <see cref="LeadingZeroProof"/>.
/// </summary>
public static class LeadingZeroProver
{
    /// <summary>Runs the proof (and <paramref name="stress"/> random handshakes when &gt; 0); null when the device has no
    /// DHE-RSA suite to test; never throws for network trouble.</summary>
    public static async Task<LeadingZeroProof?> RunAsync(TlsScanner scanner, ScanResult scan, ServerProfile device, int stress,
        IProgress<DiagnosisProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scanner);
        ArgumentNullException.ThrowIfNull(scan);
        var steps = new Progress<ScanProgress>(p => progress?.Report(new DiagnosisProgress($"{p.Target}: {p.Step}")));
        var run = await scanner.ProveLeadingZeroAsync(scan, device, stress, steps, ct).ConfigureAwait(false);
        if (run is null) return null;
        return new LeadingZeroProof(scan.Target.ToString(), run.Verdict, [.. run.Handshakes.Select(Map)], run.StressHandshakes, run.StressFailures);
    }

    /// <summary>The device's profile as diagnose and fleet scans simulate it: with the bug recorded when the proof proved it.</summary>
    public static ServerProfile Apply(ServerProfile device, LeadingZeroProof? proof)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (proof?.Verdict != LeadingZeroVerdict.Proven || device.Has(BehaviourKind.DhLeadingZeroBug)) return device;
        return device with
        {
            Behaviours = device.Behaviours.Add(new Behaviour(BehaviourKind.DhLeadingZeroBug,
                "a handshake whose DH shared secret starts with 0x00 fails with bad_record_mac; a random one completes")
            {
                // The forced handshake and the control that completed.
                AttemptIds = [.. proof.Handshakes.Take(1).Concat(proof.Handshakes.Where(h => h.Mode == RandomMode && !h.SharedSecretHadLeadingZero).Take(1))
                    .Select(h => h.AttemptId ?? 0)],
            }),
        };
    }

    private static readonly string RandomMode = LeadingZeroModes.Name(LeadingZeroMode.Random);

    private static LeadingZeroHandshake Map(ProbeAttempt attempt)
    {
        var mode = ((LeadingZeroRequest)attempt.Request).Mode;
        var r = (LeadingZeroResult)attempt.Answer;
        return new(LeadingZeroModes.Name(mode), r.Completed, r.Stage, r.Alert, r.AlertFromServer, r.Version, r.CipherSuite is { } c ? CipherSuites.Get(c).Name : null, r.DhBits,
            r.SharedSecretHadLeadingZero, r.ClientPublicHadLeadingZero, r.Reason) { AttemptId = attempt.Id };
    }
}
