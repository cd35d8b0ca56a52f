using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Probe.Json;

namespace TlsDoctor.Fleet;

/// <summary>How a proposed policy changes one device's handshake.</summary>
public static class WhatIfChanges
{
    /// <summary>Works today, fails with the proposal.</summary>
    public const string Breaks = "breaks";
    /// <summary>Fails today, works with the proposal.</summary>
    public const string Fixed = "fixed";
    public const string StaysOk = "stays-ok";
    public const string StaysBroken = "stays-broken";
    /// <summary>Works with the proposal as far as the hellos show, but the scan made no full handshakes (--no-handshake): a failure after ServerHello (TD003) could not be seen.</summary>
    public const string NotChecked = "not-checked";
    /// <summary>No profile to simulate with (unreachable, no TLS, not scanned yet).</summary>
    public const string NotScanned = "not-scanned";

    /// <summary>Display order: what needs attention first.</summary>
    public static ImmutableArray<string> All { get; } = [Breaks, Fixed, StaysBroken, StaysOk, NotChecked, NotScanned];
}

/// <summary>One device under the baseline and the proposed policy.</summary>
/// <param name="Change">One of <see cref="WhatIfChanges"/>.</param>
public sealed record WhatIfDeviceJson(string Key, string Name, string? Model, string? Site, string Status, string Change, FleetOutcomeJson? Before, FleetOutcomeJson? After);

/// <summary>The `fleet what-if` document.</summary>
/// <param name="Counts">Devices per change, every change listed.</param>
public sealed record WhatIfJson(
    ImmutableArray<ScanRefJson> Scans,
    string Baseline,
    string Proposed,
    ImmutableSortedDictionary<string, int> Counts,
    ImmutableArray<WhatIfDeviceJson> Devices);

/// <summary>Re-simulates every scanned device against the current and a proposed Windows client profile.</summary>
public static class FleetWhatIf
{
    /// <summary>"Works" means a clean handshake: an intermittent failure (DH leading zero) counts as broken.</summary>
    public static WhatIfJson Run(FleetStore store, ImmutableArray<ScanRecord> scans, ClientProfile baseline, ClientProfile proposed)
    {
        var devices = ImmutableArray.CreateBuilder<WhatIfDeviceJson>();
        var handshakes = HandshakeChecks.Of(scans);
        foreach (var d in FleetSelection.Devices(store, scans))
        {
            var status = d.Result?.Status.Name() ?? "pending";
            if (d.Result is not { Status: DeviceStatus.Ok or DeviceStatus.Partial, Profile: { } json })
            {
                devices.Add(new WhatIfDeviceJson(d.Key, d.Device.Name, d.Device.Model, d.Device.Site, status, WhatIfChanges.NotScanned, null, null));
                continue;
            }
            var profile = FleetReports.Simulatable(json);
            var before = Negotiator.Simulate(baseline, profile);
            var after = Negotiator.Simulate(proposed, profile);
            var change = (before.Healthy, after.Healthy) switch
            {
                (true, false) => WhatIfChanges.Breaks,
                (false, true) => WhatIfChanges.Fixed,
                (true, true) => WhatIfChanges.StaysOk,
                _ => WhatIfChanges.StaysBroken,
            };
            if (after.Healthy && !handshakes.GetValueOrDefault(d.ScanId, true)) change = WhatIfChanges.NotChecked;
            devices.Add(new WhatIfDeviceJson(d.Key, d.Device.Name, d.Device.Model, d.Device.Site, status, change, FleetOutcomeJson.From(before), FleetOutcomeJson.From(after)));
        }
        var list = devices.ToImmutable();
        var ordered = list.OrderBy(x => WhatIfChanges.All.IndexOf(x.Change)).ThenBy(x => x.Key, StringComparer.OrdinalIgnoreCase).ToImmutableArray();
        return new WhatIfJson(
            [.. scans.Select(FleetSelection.Ref)],
            $"{baseline.Name} ({baseline.Origin})",
            $"{proposed.Name} ({proposed.Origin})",
            WhatIfChanges.All.ToImmutableSortedDictionary(c => c, c => list.Count(x => x.Change == c), StringComparer.Ordinal),
            ordered);
    }
}
