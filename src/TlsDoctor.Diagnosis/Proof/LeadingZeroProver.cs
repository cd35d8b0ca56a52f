using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using TlsDoctor.Core;
using TlsDoctor.Probe;
using TlsDoctor.Probe.Handshake.LeadingZero;

namespace TlsDoctor.Diagnosis;

/// <summary>
/// Proves or clears the DH leading-zero bug of a device with two or three handshakes instead of hundreds: a handshake
/// whose shared secret is forced to start with 0x00 (a correct server strips it, RFC 5246 §8.1.2), a random control
/// handshake when the forced one fails, and a handshake whose client public value is sent unpadded.
/// </summary>
public static class LeadingZeroProver
{
    /// <summary>The version to test at: the highest TLS 1.0-1.2 version with a DHE-RSA suite whose full handshake is not known to fail for another reason.</summary>
    public static TlsVersion? PickVersion(ServerProfile device)
    {
        foreach (var p in device.Protocols.Where(p => p.Supported && p.Version is >= TlsVersion.TLSv1_0 and <= TlsVersion.TLSv1_2).OrderByDescending(p => p.Version))
        {
            if (!p.CipherSuites.Any(a => a.Suite.KeyExchange == KeyExchange.DHE && a.Suite.Authentication == Authentication.RSA)) continue;
            if (device.Behaviours.Any(b => b.Kind == BehaviourKinds.HandshakeFailsAfterHello && b.Version == p.Version)) continue;
            return p.Version;
        }
        return null;
    }

    /// <summary>Runs the proof (and <paramref name="stress"/> random handshakes when &gt; 0); never throws for network trouble.</summary>
    public static async Task<LeadingZeroProof?> RunAsync(ProbeTarget target, ServerProfile device, TimeSpan timeout, int stress,
        IProgress<DiagnosisProgress>? progress, CancellationToken ct)
    {
        var version = PickVersion(device);
        if (version is null) return null;
        IPEndPoint endpoint;
        try
        {
            var addresses = IPAddress.TryParse(target.Host, out var ip) ? [ip] : await Dns.GetHostAddressesAsync(target.Host, ct).ConfigureAwait(false);
            endpoint = new IPEndPoint(addresses.First(), target.Port);
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException)
        {
            return new LeadingZeroProof(target.ToString(), LeadingZeroVerdict.Inconclusive, [], null, null);
        }

        var list = ImmutableArray.CreateBuilder<LeadingZeroHandshake>();
        async Task<LeadingZeroHandshake> Run(LeadingZeroMode mode)
        {
            progress?.Report(new DiagnosisProgress($"{target}: DH leading-zero handshake ({ModeName(mode)}, {version.Value.Name()})"));
            var r = await DhLeadingZeroProbe.RunAsync(endpoint, version.Value, mode, timeout, ct).ConfigureAwait(false);
            var h = Map(mode, r);
            return h;
        }

        var forced = await Run(LeadingZeroMode.ForceSharedSecretLeadingZero).ConfigureAwait(false);
        list.Add(forced);
        LeadingZeroVerdict verdict;
        if (forced.Completed && forced.SharedSecretHadLeadingZero) verdict = LeadingZeroVerdict.Cleared;
        else if (!forced.Completed && forced.Stage == nameof(LeadingZeroStage.Finished).ToLowerInvariant() && forced.SharedSecretHadLeadingZero)
        {
            var control = await Run(LeadingZeroMode.Random).ConfigureAwait(false);
            list.Add(control);
            // A random secret starts with 0x00 only once in 256 handshakes: the control completing shows that only the zero byte differs.
            verdict = control.Completed && !control.SharedSecretHadLeadingZero ? LeadingZeroVerdict.Proven : LeadingZeroVerdict.Inconclusive;
        }
        else verdict = LeadingZeroVerdict.Inconclusive;
        list.Add(await Run(LeadingZeroMode.ForceClientPublicLeadingZeroUnpadded).ConfigureAwait(false));

        int? stressFailures = null;
        if (stress > 0)
        {
            var failures = 0;
            for (var i = 0; i < stress; i++)
            {
                ct.ThrowIfCancellationRequested();
                var r = await DhLeadingZeroProbe.RunAsync(endpoint, version.Value, LeadingZeroMode.Random, timeout, ct).ConfigureAwait(false);
                if (!r.Completed) failures++;
                if (i % 50 == 49) progress?.Report(new DiagnosisProgress($"{target}: DH stress {i + 1}/{stress}, {failures} failed"));
            }
            stressFailures = failures;
        }
        return new LeadingZeroProof(target.ToString(), verdict, list.ToImmutable(), stress > 0 ? stress : null, stressFailures);
    }

    /// <summary>JSON spelling of a mode.</summary>
    public static string ModeName(LeadingZeroMode mode) => mode switch
    {
        LeadingZeroMode.ForceSharedSecretLeadingZero => "force-shared-secret-leading-zero",
        LeadingZeroMode.ForceClientPublicLeadingZeroUnpadded => "force-client-public-leading-zero-unpadded",
        _ => "random",
    };

    private static LeadingZeroHandshake Map(LeadingZeroMode mode, LeadingZeroResult r) => new(
        ModeName(mode), r.Completed, r.Stage.ToString().ToLowerInvariant() switch { "serverkeyexchange" => "server-key-exchange", "serverhello" => "server-hello", var s => s },
        r.Alert, r.AlertFromServer, r.Version, r.CipherSuite is { } c ? CipherSuites.Get(c).Name : null, r.DhBits,
        r.SharedSecretHadLeadingZero, r.ClientPublicHadLeadingZero, r.Reason);
}
