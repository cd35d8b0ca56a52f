using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using TlsDoctor.Core;

namespace TlsDoctor.Probe.Capture;

/// <summary>The tolerant readers of single JSON values and fields that <see cref="ClientProfileFiles"/> is built from.</summary>
public static partial class ClientProfileFiles
{
    // Item readers turn each accepted form into the text FromJson parses; null = a form the field does not take.
    private static string? VersionText(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetUInt16(out var n) ? Hex(n) : null,
        JsonValueKind.Object => Text(e, "version") ?? Text(e, "name") ?? (Property(e, "code") is { ValueKind: JsonValueKind.String or JsonValueKind.Number } c ? VersionText(c) : null),
        _ => null,
    };

    private static string? SuiteText(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                return e.GetString();
            case JsonValueKind.Number:
                return e.TryGetUInt16(out var n) ? Hex(n) : null;
            case JsonValueKind.Object:
                // The code decides when it is readable: a name may be a vendor's spelling of the same suite.
                var code = Property(e, "code") is { ValueKind: JsonValueKind.String or JsonValueKind.Number } c ? SuiteText(c) : null;
                if (code is not null && CipherSuites.TryParse(code, out _)) return code;
                return Text(e, "name") ?? code;
            default:
                return null;
        }
    }

    private static string? CodeOrNameText(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetUInt16(out var n) ? Hex(n) : null,
        JsonValueKind.Object => Text(e, "name") ?? (Property(e, "code") is { ValueKind: JsonValueKind.String or JsonValueKind.Number } c ? CodeOrNameText(c) : null),
        _ => null,
    };

    private static string? ExtensionText(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetUInt16(out var n) ? CaptureNames.Extension(n) : null,
        JsonValueKind.Object => Text(e, "name") ?? (Property(e, "code") is { ValueKind: JsonValueKind.String or JsonValueKind.Number } c ? ExtensionText(c) : null),
        _ => null,
    };

    private static string? NameText(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Object => Text(e, "name"),
        _ => null,
    };

    private static ImmutableArray<string>? List(JsonElement obj, string name, string source, Func<JsonElement, string?> item, string expected)
    {
        if (Property(obj, name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Array) throw WrongType(source, name, $"must be an array of {expected}, not {Kind(value)}");
        var items = ImmutableArray.CreateBuilder<string>();
        var i = 0;
        foreach (var e in value.EnumerateArray())
        {
            var text = item(e);
            if (string.IsNullOrWhiteSpace(text)) throw new ClientProfileFileException($"{source}: \"{name}\" item {i} is {Show(e)}; expected {expected}");
            items.Add(text.Trim());
            i++;
        }
        return items.ToImmutable();
    }

    private static ImmutableArray<ClientLimitJson>? Limits(JsonElement obj, string source)
    {
        if (Property(obj, "limits") is not { } value || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Array) throw WrongType(source, "limits", $"must be an array of limit objects, not {Kind(value)}");
        var items = ImmutableArray.CreateBuilder<ClientLimitJson>();
        var i = 0;
        foreach (var e in value.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Object) throw new ClientProfileFileException($"{source}: \"limits\" item {i} is {Show(e)}; expected an object with name, value, basis, source");
            items.Add(new ClientLimitJson(String(e, "name", source) ?? "", String(e, "value", source) ?? "", String(e, "basis", source) ?? "", String(e, "source", source) ?? ""));
            i++;
        }
        return items.ToImmutable();
    }

    private static int? Bits(JsonElement obj, string name, string source)
    {
        if (Property(obj, name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Number) throw WrongType(source, name, $"must be a number of bits, not {Kind(value)}");
        if (value.TryGetInt32(out var bits)) return bits;
        // 1024.0 is what some generators write for an integer.
        if (value.TryGetDouble(out var d) && double.IsFinite(d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue) return (int)d;
        throw new ClientProfileFileException($"{source}: {name} {Show(value)} is not a whole number of bits between 0 and {MaxBits}");
    }

    private static bool? Bool(JsonElement obj, string name, string source)
    {
        if (Property(obj, name) is not { } value) return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(source, name, $"must be true or false, not {Kind(value)}"),
        };
    }

    private static string? String(JsonElement obj, string name, string source)
    {
        if (Property(obj, name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.String) throw WrongType(source, name, $"must be a string, not {Kind(value)}");
        return value.GetString();
    }

    private static void CheckBits(int? bits, string name, string source)
    {
        if (bits is { } b && (b < 0 || b > MaxBits))
            throw new ClientProfileFileException($"{source}: {name} {b} is not a number of bits between 0 and {MaxBits}");
    }

    private static void CheckRange(int? min, int? max, string prefix, string source)
    {
        if (min is { } lo && max is { } hi && lo > hi)
            throw new ClientProfileFileException($"{source}: {prefix}MinBits {lo} is larger than {prefix}MaxBits {hi}: no key size would be accepted");
    }

    private static bool TryParseVersion(string? text, out TlsVersion version)
    {
        if (TlsVersions.TryParse(text, out version)) return true;
        var t = text?.Trim();
        if (t is not null && t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && ushort.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var wire) && TlsVersions.IsKnown(wire))
        {
            version = (TlsVersion)wire;
            return true;
        }
        return false;
    }

    private static ClientProfileFileException WrongType(string source, string field, string detail) =>
        new($"{source}: the client profile has a field of the wrong type: \"{field}\" {detail}");

    private static string Hex(ushort code) => $"0x{code:x4}";

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    // The item as written, shortened: enough to find it in the file.
    private static string Show(JsonElement e)
    {
        var raw = e.GetRawText();
        return raw.Length <= 60 ? raw : raw[..57] + "...";
    }

    // System.Text.Json appends " Path: $ | LineNumber: 0 | BytePositionInLine: 2." to its messages; the line is given separately.
    private static string ShortJsonMessage(JsonException e) => e.Message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd();

    // Property names are matched case-insensitively: hand-written files vary. A null value counts as absent.
    private static JsonElement? Property(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object) return null;
        foreach (var p in obj.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) return p.Value.ValueKind == JsonValueKind.Null ? null : p.Value;
        return null;
    }

    private static string? Text(JsonElement obj, string name) => Property(obj, name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;
}
