using System.Collections.Immutable;
using System.Globalization;
using TlsDoctor.Probe.Json;

namespace TlsDoctor.Fleet;

/// <summary>One changed property of a device between two scans.</summary>
/// <param name="Field">status, versions, cipher-suites, dh, certificate, full-handshakes, behaviours, endpoint.</param>
/// <param name="Added">For sets: values only in the newer scan.</param>
/// <param name="Removed">For sets: values only in the older scan.</param>
public sealed record FieldChangeJson(string Field, string? Before, string? After, ImmutableArray<string> Added, ImmutableArray<string> Removed);

/// <summary>One device that differs between the two scans.</summary>
/// <param name="Change">added (only in the newer scan), removed (only in the older), changed.</param>
public sealed record DeviceDiffJson(string Name, string? Model, string? Site, string Change, ImmutableArray<FieldChangeJson> Changes);

/// <summary>The `fleet diff` document: only devices that differ are listed.</summary>
public sealed record FleetDiffJson(ScanRefJson From, ScanRefJson To, int Added, int Removed, int Changed, int Unchanged, ImmutableArray<DeviceDiffJson> Devices);

/// <summary>Compares two scans device by device (matched by inventory name).</summary>
public static class FleetDiff
{
    public static FleetDiffJson Run(FleetStore store, ScanRecord from, ScanRecord to)
    {
        var before = store.Devices(from.Id).ToDictionary(d => d.Device.Name, StringComparer.OrdinalIgnoreCase);
        var after = store.Devices(to.Id).ToDictionary(d => d.Device.Name, StringComparer.OrdinalIgnoreCase);
        var list = ImmutableArray.CreateBuilder<DeviceDiffJson>();
        int added = 0, removed = 0, changed = 0, unchanged = 0;
        foreach (var name in before.Keys.Union(after.Keys, StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase))
        {
            before.TryGetValue(name, out var a);
            after.TryGetValue(name, out var b);
            if (a is null) { added++; list.Add(new DeviceDiffJson(name, b!.Device.Model, b.Device.Site, "added", [])); continue; }
            if (b is null) { removed++; list.Add(new DeviceDiffJson(name, a.Device.Model, a.Device.Site, "removed", [])); continue; }
            var changes = Compare(a, b, HandshakeChecks.Made(from), HandshakeChecks.Made(to));
            if (changes.IsEmpty) { unchanged++; continue; }
            changed++;
            list.Add(new DeviceDiffJson(name, b.Device.Model, b.Device.Site, "changed", changes));
        }
        return new FleetDiffJson(FleetSelection.Ref(from), FleetSelection.Ref(to), added, removed, changed, unchanged, list.ToImmutable());
    }

    /// <summary>What differs between two results of one device.</summary>
    /// <param name="handshakesA">False when the older scan made no full handshakes (--no-handshake).</param>
    /// <param name="handshakesB">False when the newer scan made no full handshakes.</param>
    public static ImmutableArray<FieldChangeJson> Compare(FleetDevice a, FleetDevice b, bool handshakesA = true, bool handshakesB = true)
    {
        var changes = ImmutableArray.CreateBuilder<FieldChangeJson>();
        void Scalar(string field, string? x, string? y)
        {
            if (!string.Equals(x, y, StringComparison.Ordinal)) changes.Add(new FieldChangeJson(field, x, y, [], []));
        }
        void Set(string field, IEnumerable<string> x, IEnumerable<string> y)
        {
            var xs = x.ToList();
            var ys = y.ToList();
            var plus = ys.Except(xs, StringComparer.Ordinal).ToImmutableArray();
            var minus = xs.Except(ys, StringComparer.Ordinal).ToImmutableArray();
            if (plus.Length + minus.Length > 0) changes.Add(new FieldChangeJson(field, string.Join(", ", xs), string.Join(", ", ys), plus, minus));
        }
        Scalar("endpoint", $"{a.Device.Host}:{a.Device.Port}", $"{b.Device.Host}:{b.Device.Port}");
        Scalar("status", a.Result?.Status.Name() ?? "pending", b.Result?.Status.Name() ?? "pending");
        var pa = a.Result?.Profile;
        var pb = b.Result?.Profile;
        // Facts are compared only when both scans learned them; a device that went dark shows as a status change alone.
        if (pa is null || pb is null || a.Result!.Status != DeviceStatus.Ok && b.Result!.Status != DeviceStatus.Ok) return changes.ToImmutable();
        Set("versions", Versions(pa), Versions(pb));
        Set("cipher-suites", Suites(pa), Suites(pb));
        Scalar("dh", Dh(pa), Dh(pb));
        Scalar("certificate", Cert(pa), Cert(pb));
        // What only full handshakes show is compared only when both scans made them; otherwise the diff says it was not checked.
        var both = handshakesA && handshakesB;
        if (!both) Scalar("full-handshakes", handshakesA ? "checked" : "not checked", handshakesB ? "checked" : "not checked");
        Set("behaviours", Behaviours(pa).Where(k => both || !HandshakeChecks.Behaviours.Contains(k)), Behaviours(pb).Where(k => both || !HandshakeChecks.Behaviours.Contains(k)));
        return changes.ToImmutable();
    }

    private static IEnumerable<string> Versions(ScanJson p) => p.Protocols.IsDefault ? [] : p.Protocols.Where(x => x.Supported).Select(x => x.Version);

    private static IEnumerable<string> Suites(ScanJson p) =>
        p.Protocols.IsDefault ? [] : p.Protocols.Where(x => x.Supported && !x.CipherSuites.IsDefault)
            .SelectMany(x => x.CipherSuites.Select(s => s.Name)).Distinct().Order(StringComparer.Ordinal);

    private static string? Dh(ScanJson p)
    {
        var sizes = p.Protocols.IsDefault ? [] : p.Protocols.Where(x => !x.CipherSuites.IsDefault).SelectMany(x => x.CipherSuites)
            .Where(s => s.DhBits is not null).Select(s => s.DhBits!.Value).Distinct().Order().ToList();
        return sizes.Count == 0 ? null : string.Join("/", sizes.Select(s => s.ToString(CultureInfo.InvariantCulture)));
    }

    private static string? Cert(ScanJson p)
    {
        if (p.Certificates.IsDefaultOrEmpty) return null;
        var c = p.Certificates[0];
        var key = c.Curve is { } curve ? $"{c.KeyAlgorithm} {curve}" : $"{c.KeyAlgorithm} {c.KeyBits.ToString(CultureInfo.InvariantCulture)}";
        return $"{key}, {c.SignatureAlgorithm}, until {c.NotAfter:yyyy-MM-dd}, sha256 {c.Sha256}";
    }

    private static IEnumerable<string> Behaviours(ScanJson p) => p.Behaviours.IsDefault ? [] : p.Behaviours.Select(b => b.Kind).Distinct().Order(StringComparer.Ordinal);
}
