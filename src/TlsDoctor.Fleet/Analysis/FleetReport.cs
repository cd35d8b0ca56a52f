using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Probe.Json;

namespace TlsDoctor.Fleet;

/// <summary>A count of devices sharing a value (a version, a DH size, a finding id).</summary>
public sealed record CountJson(string Name, int Devices);

/// <summary>The simulated handshake of Windows with one device, as JSON.</summary>
public sealed record FleetOutcomeJson(bool Completed, bool Healthy, string? Version, string? CipherSuite, int? KeyExchangeBits, string? Reason, string? AbortingSide, double? FailureRate, string Explanation)
{
    public static FleetOutcomeJson From(HandshakeOutcome o) =>
        new(o.Completed, o.Healthy, o.Version?.Name(), o.CipherSuite?.Name, o.KeyExchangeBits, o.Reason?.Name(), o.AbortingSide?.Name(), o.FailureRate, o.Explanation);
}

/// <summary>A scan that a report, what-if or diff reads.</summary>
public sealed record ScanRefJson(long Id, string? Source, long? SourceScanId, DateTimeOffset Started, DateTimeOffset? Finished, string Inventory, int Devices, int Results);

/// <summary>One device's row in a report.</summary>
/// <param name="Key">Name, prefixed with the source label for merged scans (site-a/printer-1).</param>
/// <param name="Status">ok, no-tls, unreachable, backed-off, partial, or pending (not scanned yet).</param>
/// <param name="Versions">Versions the device answers, oldest first.</param>
/// <param name="PreferredSuite">The suite the device picks first in its highest version.</param>
/// <param name="DhBits">Smallest DH group the device uses in any DHE suite; null without DHE.</param>
/// <param name="CertificateKey">Leaf key, e.g. "RSA 1024" or "EC secp256r1".</param>
/// <param name="Outcome">Windows (the given policy) against the device; null without a policy or without a profile.</param>
/// <param name="NotChecked">Findings the device's scan could not check ("TD003 tls12-intolerance": scanned with --no-handshake).</param>
/// <param name="Rating">The security grade of what the device accepts (as `scan` grades it); null without a TLS profile.</param>
public sealed record DeviceRowJson(
    string Key,
    long ScanId,
    string? Source,
    string Name,
    string Host,
    int Port,
    string? Model,
    string? Site,
    ImmutableSortedDictionary<string, string> Attributes,
    string Status,
    string? Error,
    ImmutableArray<string> Versions,
    int Suites,
    string? PreferredSuite,
    ImmutableArray<string> WeakSuites,
    int? DhBits,
    string? CertificateKey,
    string? CertificateSignature,
    DateTimeOffset? CertificateNotAfter,
    ImmutableArray<string> Behaviours,
    FleetOutcomeJson? Outcome,
    ImmutableArray<FleetFinding> Findings,
    int Handshakes,
    long ElapsedMs,
    ImmutableArray<string> NotChecked = default,
    SecurityGrade? Rating = null);

/// <summary>Counts for one model or one site.</summary>
/// <param name="Broken">Devices whose simulated handshake with the policy does not complete cleanly.</param>
public sealed record GroupJson(string Name, int Devices, ImmutableSortedDictionary<string, int> Statuses, int Works, int Broken, ImmutableArray<CountJson> Versions, ImmutableArray<CountJson> Findings);

/// <summary>The `fleet report` document.</summary>
/// <param name="Policy">The Windows client profile the outcomes were simulated with; null when no --os was given.</param>
public sealed record FleetReportJson(
    DateTimeOffset Generated,
    ImmutableArray<ScanRefJson> Scans,
    string? Policy,
    int Devices,
    ImmutableSortedDictionary<string, int> Statuses,
    ImmutableArray<CountJson> Versions,
    ImmutableArray<CountJson> CipherSuites,
    ImmutableArray<CountJson> DhSizes,
    ImmutableArray<CountJson> CertificateKeys,
    ImmutableArray<CountJson> CertificateSignatures,
    ImmutableArray<CountJson> Findings,
    ImmutableArray<CountJson> Outcomes,
    ImmutableArray<GroupJson> ByModel,
    ImmutableArray<GroupJson> BySite,
    ImmutableArray<DeviceRowJson> DeviceRows);

/// <summary>Chooses the scans a report reads: one by id, or the newest scan of each source (a merged database has one per site).</summary>
public static class FleetSelection
{
    public static ImmutableArray<ScanRecord> Resolve(FleetStore store, long? scanId)
    {
        var all = store.Scans();
        if (all.IsEmpty) throw new FleetStoreException($"{store.Path}: no scans yet (run `tlsdoctor fleet scan` first)");
        if (scanId is { } id)
            return [all.FirstOrDefault(s => s.Id == id) ?? throw new FleetStoreException($"{store.Path}: no scan with id {id} (scans: {string.Join(", ", all.Select(s => s.Id))})")];
        return [.. all.GroupBy(s => s.Source ?? "").Select(g => g.Last()).OrderBy(s => s.Id)];
    }

    public static ScanRefJson Ref(ScanRecord s) => new(s.Id, s.Source, s.SourceScanId, s.Started, s.Finished, s.InventoryPath, s.Devices, s.Results);

    /// <summary>The devices of the chosen scans, merged-scan names prefixed with their source.</summary>
    public static ImmutableArray<FleetDevice> Devices(FleetStore store, IEnumerable<ScanRecord> scans) => [.. scans.SelectMany(s => store.Devices(s.Id))];
}

/// <summary>Builds the report from stored scans: facts per device, simulation against an optional Windows policy, counts.</summary>
public static class FleetReports
{
    /// <summary>Builds the report; <paramref name="policy"/> null leaves outcomes and findings out.</summary>
    public static FleetReportJson Build(FleetStore store, ImmutableArray<ScanRecord> scans, FleetPolicy? policy, DateTimeOffset? now = null)
    {
        var windows = policy?.Client;
        var handshakes = HandshakeChecks.Of(scans);
        var rows = FleetSelection.Devices(store, scans).Select(d => Row(d, policy, handshakes.GetValueOrDefault(d.ScanId, true))).ToImmutableArray();
        return new FleetReportJson(
            now ?? DateTimeOffset.UtcNow,
            [.. scans.Select(FleetSelection.Ref)],
            windows is null ? null : $"{windows.Name} ({windows.Origin})",
            rows.Length,
            Statuses(rows),
            Count(rows, r => r.Versions, VersionOrder),
            Count(rows, r => r.PreferredSuite is { } s ? [s] : [], null),
            Count(rows, r => r.Status == "ok" ? [r.DhBits is { } b ? b.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no DHE"] : [], DhOrder),
            Count(rows, r => r.CertificateKey is { } k ? [k] : [], null),
            Count(rows, r => r.CertificateSignature is { } s ? [s] : [], null),
            Count(rows, r => [.. r.Findings.Select(f => f.Id == f.Slug ? f.Id : $"{f.Id} {f.Slug}").Distinct()], null),
            Count(rows, r => r.Outcome is { } o ? [o.Reason ?? (o.Completed ? "completed" : "failed")] : [], null),
            Groups(rows, r => r.Model ?? "(no model)"),
            Groups(rows, r => r.Site ?? "(no site)"),
            rows);
    }

    /// <summary>One device's facts and, with a policy, its simulated outcome and findings.</summary>
    /// <param name="handshakesMade">False for a --no-handshake scan: findings only full handshakes show are listed as not checked.</param>
    public static DeviceRowJson Row(FleetDevice d, FleetPolicy? policy, bool handshakesMade = true)
    {
        var r = d.Result;
        var p = r?.Profile;
        var supported = p is null ? [] : p.Protocols.IsDefault ? [] : p.Protocols.Where(x => x.Supported).ToImmutableArray();
        var top = supported.LastOrDefault(x => !x.CipherSuites.IsDefaultOrEmpty);
        var suites = supported.SelectMany(x => x.CipherSuites.IsDefault ? [] : x.CipherSuites).ToList();
        var leaf = p is null || p.Certificates.IsDefaultOrEmpty ? null : p.Certificates[0];
        FleetOutcomeJson? outcome = null;
        var found = ImmutableArray<FleetFinding>.Empty;
        var profile = p is not null && r!.Status is DeviceStatus.Ok or DeviceStatus.Partial ? Simulatable(p) : null;
        var rating = profile is null ? null : SecurityRating.Rate(profile);
        if (policy is not null && profile is not null)
        {
            outcome = FleetOutcomeJson.From(Negotiator.Simulate(policy.Client, profile));
            found = [.. policy.Findings(profile)];
        }
        var notChecked = r is { Status: DeviceStatus.Ok or DeviceStatus.Partial } ? HandshakeChecks.NotChecked(p, handshakesMade) : [];
        found = [.. found.Where(f => !notChecked.Contains($"{f.Id} {f.Slug}"))];
        return new DeviceRowJson(
            d.Key, d.ScanId, d.Source, d.Device.Name, d.Device.Host, d.Device.Port, d.Device.Model, d.Device.Site, d.Device.Attributes,
            r?.Status.Name() ?? "pending", r?.Error,
            [.. supported.Select(x => x.Version)],
            suites.Select(s => s.Name).Distinct().Count(),
            top?.CipherSuites[0].Name,
            [.. suites.Where(s => Vocabulary.Suite(s.Name).IsWeak()).Select(s => s.Name).Distinct().Order(StringComparer.Ordinal)],
            suites.Where(s => s.DhBits is not null).Select(s => s.DhBits).Min(),
            leaf is null ? null : leaf.Curve is { } c ? $"{leaf.KeyAlgorithm} {c}" : $"{leaf.KeyAlgorithm} {leaf.KeyBits}",
            leaf?.SignatureAlgorithm,
            leaf?.NotAfter,
            p is null || p.Behaviours.IsDefault ? [] : [.. p.Behaviours.Select(b => b.Kind).Distinct()],
            outcome, found, r?.Handshakes ?? 0, r?.ElapsedMs ?? 0, notChecked, rating);
    }

    /// <summary>A stored profile as the simulator should see it (curves per suite are the scanner's pick, not a limit).</summary>
    public static ServerProfile Simulatable(ScanJson json) => ScanJsonMapper.ToProfile(json);

    private static ImmutableSortedDictionary<string, int> Statuses(IEnumerable<DeviceRowJson> rows) =>
        rows.GroupBy(r => r.Status).ToImmutableSortedDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    private static int VersionOrder(string v) => TlsVersions.TryParse(v, out var t) ? (int)t : int.MaxValue;

    private static int DhOrder(string v) => int.TryParse(v, out var n) ? n : int.MaxValue;

    // Ordered by the natural order when one is given (versions, DH sizes), else by count, most common first.
    private static ImmutableArray<CountJson> Count(IEnumerable<DeviceRowJson> rows, Func<DeviceRowJson, IEnumerable<string>> values, Func<string, int>? order)
    {
        var groups = rows.SelectMany(r => values(r).Distinct()).GroupBy(v => v).Select(g => new CountJson(g.Key, g.Count()));
        return order is null
            ? [.. groups.OrderByDescending(c => c.Devices).ThenBy(c => c.Name, StringComparer.Ordinal)]
            : [.. groups.OrderBy(c => order(c.Name)).ThenBy(c => c.Name, StringComparer.Ordinal)];
    }

    private static ImmutableArray<GroupJson> Groups(ImmutableArray<DeviceRowJson> rows, Func<DeviceRowJson, string> key) =>
        [.. rows.GroupBy(key).OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase).Select(g => new GroupJson(
            g.Key, g.Count(), Statuses(g),
            g.Count(r => r.Outcome is { Healthy: true } && r.NotChecked.IsDefaultOrEmpty),
            g.Count(r => r.Outcome is { Healthy: false }),
            Count(g, r => r.Versions, VersionOrder),
            Count(g, r => [.. r.Findings.Select(f => f.Id).Distinct()], null)))];
}
