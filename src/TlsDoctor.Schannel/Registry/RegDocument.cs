using System.Collections.Immutable;
using TlsDoctor.Core;

namespace TlsDoctor.Schannel.Registry;

/// <summary>The content of a .reg file: key blocks in file order.</summary>
public sealed record RegDocument(ImmutableArray<RegKeyBlock> Keys)
{
    public static RegDocument Empty { get; } = new([]);
}

/// <summary>One [KEY] or [-KEY] block and its value lines.</summary>
/// <param name="Path">Full key path with the root spelled out (HKEY_LOCAL_MACHINE\…).</param>
/// <param name="Delete">True for [-KEY]: the key and its subkeys are removed.</param>
/// <param name="Line">Line of the key header in the source file (0 when built in code).</param>
public sealed record RegKeyBlock(string Path, bool Delete, ImmutableArray<RegValueLine> Values, int Line = 0);

/// <summary>A value line: set <see cref="Value"/>, or delete <see cref="Name"/> ("name"=-).</summary>
public sealed record RegValueLine(string Name, RegValue? Value, int Line = 0)
{
    public bool Delete => Value is null;
    public static RegValueLine Set(RegValue v) => new(v.Name, v);
    public static RegValueLine Remove(string name) => new(name, null);
}

/// <summary>A .reg file that cannot be read; <see cref="Line"/> is 1-based.</summary>
public sealed class RegParseException(int line, string message) : InputException($"line {line}: {message}")
{
    public int Line { get; } = line;
    public string Reason { get; } = message;
}

/// <summary>Key path helpers: root spelling and comparison.</summary>
public static class RegPath
{
    private static readonly (string Short, string Long)[] Roots =
    [
        ("HKLM", "HKEY_LOCAL_MACHINE"), ("HKCU", "HKEY_CURRENT_USER"), ("HKCR", "HKEY_CLASSES_ROOT"),
        ("HKU", "HKEY_USERS"), ("HKCC", "HKEY_CURRENT_CONFIG"),
    ];

    /// <summary>
    /// Full-root spelling, single backslashes, no trailing backslash; null when the root is not a registry hive. A slash
    /// is part of a key name ("RC4 128/128"), not a separator.
    /// </summary>
    public static string? Normalize(string path)
    {
        var p = path.Trim();
        while (p.Contains(@"\\", StringComparison.Ordinal)) p = p.Replace(@"\\", @"\");
        p = p.TrimEnd('\\');
        var cut = p.IndexOf('\\');
        var root = cut < 0 ? p : p[..cut];
        var rest = cut < 0 ? "" : p[cut..];
        foreach (var (s, l) in Roots)
            if (root.Equals(s, StringComparison.OrdinalIgnoreCase) || root.Equals(l, StringComparison.OrdinalIgnoreCase))
                return l + rest;
        return null;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or below it.</summary>
    public static bool IsUnder(string path, string ancestor) =>
        path.Equals(ancestor, StringComparison.OrdinalIgnoreCase) ||
        path.StartsWith(ancestor + "\\", StringComparison.OrdinalIgnoreCase);
}
