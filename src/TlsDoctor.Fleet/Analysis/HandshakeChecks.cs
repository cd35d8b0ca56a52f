using System.Collections.Immutable;
using System.Text.Json;
using TlsDoctor.Core;
using TlsDoctor.Diagnosis;
using TlsDoctor.Probe.Json;

namespace TlsDoctor.Fleet;

/// <summary>
/// What a scan without full handshakes (--no-handshake) cannot know: a failure after ServerHello (TD003) and the DH
/// leading-zero bug (TD002). Reports list those findings as not checked rather than as absent, what-if does not call
/// such a device fixed or ok, and diff does not read their missing evidence as a change.
/// </summary>
public static class HandshakeChecks
{
    /// <summary>Behaviours that only full handshakes reveal.</summary>
    public static ImmutableArray<string> Behaviours { get; } =
        [.. new[] { BehaviourKind.HandshakeFailsAfterHello, BehaviourKind.DhLeadingZeroBug, BehaviourKind.DhLeadingZeroSuspected }.Select(k => k.Name())];

    /// <summary>True when the scan made full handshakes (its stored options say so; unreadable options count as yes).</summary>
    public static bool Made(ScanRecord scan)
    {
        ArgumentNullException.ThrowIfNull(scan);
        try
        {
            return JsonSerializer.Deserialize(scan.Options, StoreJson.Compact.FleetOptionsJson)?.FullHandshakes ?? true;
        }
        catch (JsonException)
        {
            return true;
        }
    }

    /// <summary>Per scan id: whether it made full handshakes.</summary>
    public static ImmutableDictionary<long, bool> Of(IEnumerable<ScanRecord> scans) => scans.ToImmutableDictionary(s => s.Id, Made);

    /// <summary>"TD003 tls12-intolerance" (and TD002 for a device with DHE suites) when the device's scan made no full handshakes.</summary>
    public static ImmutableArray<string> NotChecked(ScanJson? profile, bool handshakesMade)
    {
        if (handshakesMade || profile is null) return [];
        var dhe = !profile.Protocols.IsDefault && profile.Protocols.Any(p => !p.CipherSuites.IsDefault && p.CipherSuites.Any(s => s.DhBits is not null));
        var ids = dhe ? new[] { Findings.BrokenDh, Findings.Tls12Intolerance } : [Findings.Tls12Intolerance];
        return [.. ids.Select(f => $"{f.Id} {f.Slug}")];
    }
}
