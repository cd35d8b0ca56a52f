using System.Collections.Immutable;

namespace TlsDoctor.Schannel.Registry;

/// <summary>A registry value with where it was read from (file and line, live registry, snapshot).</summary>
public sealed record RegEntry(string Key, RegValue Value, string? Origin);

/// <summary>An immutable in-memory registry: keys (case-insensitive) holding values; built by applying .reg documents.</summary>
public sealed class RegistryState
{
    private readonly ImmutableSortedDictionary<string, ImmutableDictionary<string, RegEntry>> _keys;

    private RegistryState(ImmutableSortedDictionary<string, ImmutableDictionary<string, RegEntry>> keys) => _keys = keys;

    public static RegistryState Empty { get; } = new(ImmutableSortedDictionary.Create<string, ImmutableDictionary<string, RegEntry>>(StringComparer.OrdinalIgnoreCase));

    /// <summary>Every key path that exists.</summary>
    public IEnumerable<string> Keys => _keys.Keys;

    /// <summary>True when no key exists.</summary>
    public bool IsEmpty => _keys.IsEmpty;

    /// <summary>Applies a .reg document as regedit imports it: keys created, values set, [-KEY] and "name"=- deleted.</summary>
    public RegistryState Apply(RegDocument document, string? origin = null)
    {
        var keys = _keys.ToBuilder();
        foreach (var block in document.Keys)
        {
            if (block.Delete)
            {
                foreach (var k in keys.Keys.Where(k => RegPath.IsUnder(k, block.Path)).ToList()) keys.Remove(k);
                continue;
            }
            var values = keys.TryGetValue(block.Path, out var existing) ? existing : Values();
            foreach (var line in block.Values)
            {
                values = line.Value is null
                    ? values.Remove(line.Name)
                    : values.SetItem(line.Name, new RegEntry(block.Path, line.Value, origin is null ? null : line.Line > 0 ? $"{origin}:{line.Line}" : origin));
            }
            keys[block.Path] = values;
        }
        return new RegistryState(keys.ToImmutable());
    }

    /// <summary>Sets one value (creates the key).</summary>
    public RegistryState Set(string key, RegValue value, string? origin = null)
    {
        var path = RegPath.Normalize(key) ?? throw new ArgumentException($"not a registry path: {key}", nameof(key));
        var values = _keys.TryGetValue(path, out var existing) ? existing : Values();
        return new RegistryState(_keys.SetItem(path, values.SetItem(value.Name, new RegEntry(path, value, origin))));
    }

    /// <summary>True when the key exists (possibly without values).</summary>
    public bool HasKey(string key) => RegPath.Normalize(key) is { } p && _keys.ContainsKey(p);

    /// <summary>The value, or null when the key or value is absent.</summary>
    public RegEntry? Get(string key, string name) =>
        RegPath.Normalize(key) is { } p && _keys.TryGetValue(p, out var values) && values.TryGetValue(name, out var e) ? e : null;

    /// <summary>The values of one key.</summary>
    public IEnumerable<RegEntry> ValuesOf(string key) =>
        RegPath.Normalize(key) is { } p && _keys.TryGetValue(p, out var values) ? values.Values.OrderBy(v => v.Value.Name, StringComparer.OrdinalIgnoreCase) : [];

    /// <summary>Keys at or below <paramref name="ancestor"/>.</summary>
    public IEnumerable<string> KeysUnder(string ancestor) =>
        RegPath.Normalize(ancestor) is { } a ? _keys.Keys.Where(k => RegPath.IsUnder(k, a)) : [];

    /// <summary>Only the keys at or below the given roots (what a snapshot keeps).</summary>
    public RegistryState Restrict(IEnumerable<string> roots)
    {
        var r = roots.Select(RegPath.Normalize).OfType<string>().ToArray();
        return new RegistryState(_keys.Where(k => r.Any(a => RegPath.IsUnder(k.Key, a))).ToImmutableSortedDictionary(StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>The state as a .reg document (keys in order, values sorted by name).</summary>
    public RegDocument ToDocument() => new([.. _keys.Select(k =>
        new RegKeyBlock(k.Key, false, [.. k.Value.Values.OrderBy(v => v.Value.Name, StringComparer.OrdinalIgnoreCase).Select(v => RegValueLine.Set(v.Value))]))]);

    /// <summary>Builds a state from .reg files applied in order (later files win).</summary>
    public static RegistryState FromFiles(IEnumerable<string> paths)
    {
        var state = Empty;
        foreach (var p in paths) state = state.Apply(RegFileReader.ReadFile(p), Path.GetFileName(p));
        return state;
    }

    private static ImmutableDictionary<string, RegEntry> Values() => ImmutableDictionary.Create<string, RegEntry>(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Builds undo files: the .reg that restores exactly what a change overwrote.</summary>
public static class RegUndo
{
    /// <summary>
    /// For every value the change sets or deletes: the previous value when there was one, else a deletion.
    /// Keys the change creates are not deleted (only values): <paramref name="before"/> may cover only part of the
    /// machine's registry, and deleting a key whose other values we never saw would lose them.
    /// </summary>
    public static RegDocument Create(RegDocument change, RegistryState before)
    {
        var order = new List<string>();
        var lines = new Dictionary<string, Dictionary<string, RegValueLine>>(StringComparer.OrdinalIgnoreCase);

        void Restore(string key, string name)
        {
            if (!lines.TryGetValue(key, out var map))
            {
                map = new Dictionary<string, RegValueLine>(StringComparer.OrdinalIgnoreCase);
                lines[key] = map;
                order.Add(key);
            }
            if (map.ContainsKey(name)) return; // the first change to a value decides what "before" was
            map[name] = before.Get(key, name) is { } old ? RegValueLine.Set(old.Value) : RegValueLine.Remove(name);
        }

        foreach (var block in change.Keys)
        {
            if (block.Delete)
            {
                foreach (var key in before.KeysUnder(block.Path))
                    foreach (var e in before.ValuesOf(key)) Restore(key, e.Value.Name);
                continue;
            }
            foreach (var v in block.Values)
            {
                if (v.Value is null && before.Get(block.Path, v.Name) is null) continue; // deleting nothing needs no undo
                Restore(block.Path, v.Name);
            }
        }
        return new RegDocument([.. order.Select(k => new RegKeyBlock(k, false, [.. lines[k].Values]))]);
    }
}
