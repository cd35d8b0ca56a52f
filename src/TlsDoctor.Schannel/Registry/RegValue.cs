using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;

namespace TlsDoctor.Schannel.Registry;

/// <summary>Registry value types, numbered as REG_* (the N of hex(N) in .reg files).</summary>
public enum RegValueKind
{
    None = 0,
    String = 1,
    ExpandString = 2,
    Binary = 3,
    DWord = 4,
    DWordBigEndian = 5,
    Link = 6,
    MultiString = 7,
    ResourceList = 8,
    FullResourceDescriptor = 9,
    ResourceRequirementsList = 10,
    QWord = 11,
}

/// <summary>One registry value: name ("" for the default value "@"), type and raw data as the registry stores it (strings UTF-16LE with NUL).</summary>
public sealed record RegValue(string Name, RegValueKind Kind, ImmutableArray<byte> Data)
{
    public static RegValue DWord(string name, uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return new(name, RegValueKind.DWord, [.. b]);
    }

    public static RegValue QWord(string name, ulong value)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        return new(name, RegValueKind.QWord, [.. b]);
    }

    public static RegValue String(string name, string value, RegValueKind kind = RegValueKind.String) =>
        new(name, kind, [.. Encoding.Unicode.GetBytes(value + "\0")]);

    public static RegValue MultiString(string name, IEnumerable<string> values) =>
        new(name, RegValueKind.MultiString, [.. Encoding.Unicode.GetBytes(string.Concat(values.Select(v => v + "\0")) + "\0")]);

    public static RegValue Binary(string name, ReadOnlySpan<byte> data, RegValueKind kind = RegValueKind.Binary) => new(name, kind, [.. data]);

    /// <summary>The DWORD (also accepted from a 4-byte hex(4)); null for other types.</summary>
    public uint? AsDWord() => Kind == RegValueKind.DWord && Data.Length == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(Data.AsSpan()) : null;

    public ulong? AsQWord() => Kind == RegValueKind.QWord && Data.Length == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(Data.AsSpan()) : null;

    /// <summary>The string of a REG_SZ / REG_EXPAND_SZ, without the terminating NUL.</summary>
    public string? AsString()
    {
        if (Kind is not (RegValueKind.String or RegValueKind.ExpandString)) return null;
        var s = Encoding.Unicode.GetString(Data.AsSpan()[..(Data.Length & ~1)]);
        var nul = s.IndexOf('\0');
        return nul >= 0 ? s[..nul] : s;
    }

    /// <summary>The strings of a REG_MULTI_SZ (empty strings at the end dropped).</summary>
    public ImmutableArray<string> AsMultiString()
    {
        if (Kind != RegValueKind.MultiString) return [];
        var s = Encoding.Unicode.GetString(Data.AsSpan()[..(Data.Length & ~1)]);
        return [.. s.Split('\0').Where(p => p.Length > 0)];
    }

    /// <summary>Human-readable data: 0x00000001 (1), "text", [a, b], or hex bytes.</summary>
    public string Display() => Kind switch
    {
        RegValueKind.DWord when AsDWord() is { } d => $"0x{d:x8} ({d})",
        RegValueKind.QWord when AsQWord() is { } q => $"0x{q:x16} ({q})",
        RegValueKind.String or RegValueKind.ExpandString => "\"" + AsString() + "\"",
        RegValueKind.MultiString => "[" + string.Join(", ", AsMultiString()) + "]",
        _ => Convert.ToHexStringLower(Data.AsSpan()),
    };

    public bool Equals(RegValue? other) =>
        other is not null && Name.Equals(other.Name, StringComparison.OrdinalIgnoreCase) && Kind == other.Kind && Data.AsSpan().SequenceEqual(other.Data.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Name.ToUpperInvariant(), Kind, Data.Length);
}
