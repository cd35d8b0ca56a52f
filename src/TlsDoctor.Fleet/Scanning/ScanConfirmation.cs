using System.Collections.Immutable;
using System.Diagnostics;
using TlsDoctor.Core;
using TlsDoctor.Probe;

namespace TlsDoctor.Fleet;

/// <summary>
/// Confirms a "fails after ServerHello" verdict that rests on a single DHE handshake before it is stored.
/// </summary>
/// <remarks>
/// A device with the DH leading-zero bug fails about 1 in 256 DHE handshakes with bad_record_mac at random, which
/// looks exactly like the fake-TLS 1.2 symptom. One more handshake with the same suite separates the two: a device
/// that really fails after ServerHello fails again, a leading-zero device almost surely completes (1 − 1/256). Without
/// this the same device could be recorded differently in two scans, and fleet results must not depend on luck.
/// Costs one connection, only for devices that show the symptom. (Candidate for ScanSession itself.)
/// </remarks>
public static class ScanConfirmation
{
    public static async Task<ScanResult> ConfirmAsync(ScanResult r, HostGate gate, ProbeOptions options, CancellationToken ct)
    {
        var suspects = r.Profile.Behaviours.Where(b => b.Kind == BehaviourKinds.HandshakeFailsAfterHello && b.Version is not null).ToList();
        if (suspects.Count == 0) return r;
        var protocols = r.Profile.Protocols.ToBuilder();
        var behaviours = r.Profile.Behaviours.ToList();
        var attempts = r.Attempts.ToBuilder();
        foreach (var b in suspects)
        {
            var version = b.Version!.Value;
            var index = protocols.Select((p, i) => (p, i)).FirstOrDefault(x => x.p.Version == version, (null!, -1)).Item2;
            if (index < 0 || protocols[index].FullHandshake is not { CipherSuite: { } name }
                || !CipherSuites.TryParse(name, out var suite) || !suite.KeyExchange.IsFiniteFieldDh())
                continue;
            var clock = Stopwatch.StartNew();
            FullHandshakeResult again;
            using (await gate.EnterAsync(r.Target.Host, ct).ConfigureAwait(false))
                again = await FullHandshakeProbe.RunAsync(r.Target, version, [suite.Code], options, ct).ConfigureAwait(false);
            var c = again.Check;
            attempts.Add(new ProbeAttempt(attempts.Count + 1, $"confirm full handshake {version.Name()}", $"{version.Name()}, {suite.Name}",
                c.Completed ? $"completed with {c.CipherSuite}" : $"stopped at {c.Stage}{(c.Alert is { } al ? $", {(c.AlertSentByUs ? "sent" : "received")} {al.Name()}" : "")}",
                clock.ElapsedMilliseconds));
            if (!c.Completed) continue; // confirmed: the device really fails after ServerHello
            protocols[index] = protocols[index] with { FullHandshake = c };
            behaviours.Remove(b);
        }
        return r with
        {
            Profile = r.Profile with { Protocols = protocols.ToImmutable(), Behaviours = [.. behaviours] },
            Handshakes = attempts.Count,
            Attempts = attempts.ToImmutable(),
        };
    }
}
