using System.Collections.Immutable;
using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.Json.Serialization;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Schannel.Policy;

/// <summary>
/// What `policy export` records on a Windows server so the diagnosis can run elsewhere: OS build, installed
/// updates, and the registry subtrees the policy reads (SCHANNEL, cipher suite order, .NET, CurrentVersion).
/// </summary>
public sealed record PolicySnapshot(
    int FormatVersion,
    DateTimeOffset CapturedAt,
    string? ComputerName,
    string? ProductName,
    int? Build,
    int? Ubr,
    string? DisplayVersion,
    [property: JsonConverter(typeof(UnknownIsNullConverter))] ImmutableArray<string> Updates,
    ImmutableArray<SnapshotKey> Registry)
{
    public const int CurrentFormat = 1;

    /// <summary>Builds a snapshot from a registry state (only the subtrees the policy reads are kept).</summary>
    public static PolicySnapshot FromRegistry(RegistryState registry, ImmutableArray<string> updates, DateTimeOffset capturedAt, string? computerName = null)
    {
        var kept = registry.Restrict(RegistryPaths.SnapshotRoots);
        string? Str(string n) => kept.Get(RegistryPaths.CurrentVersion, n)?.Value.AsString();
        var build = int.TryParse(Str("CurrentBuild") ?? Str("CurrentBuildNumber"), out var b) ? b : (int?)null;
        var ubr = (int?)kept.Get(RegistryPaths.CurrentVersion, "UBR")?.Value.AsDWord();
        return new PolicySnapshot(CurrentFormat, capturedAt, computerName, Str("ProductName"), build, ubr, Str("DisplayVersion"), updates,
            [.. kept.Keys.Select(k => new SnapshotKey(k, [.. kept.ValuesOf(k).Select(e => SnapshotValue.From(e.Value))]))]);
    }

    /// <summary>The registry state the snapshot holds (values carry "snapshot" as their origin).</summary>
    public RegistryState ToRegistryState(string origin = "snapshot")
    {
        var doc = new RegDocument([.. (Registry.IsDefault ? [] : Registry).Select(k =>
            new RegKeyBlock(RegPath.Normalize(k.Path) ?? throw new InvalidDataException($"snapshot key {k.Path} has no registry root"), false,
                [.. (k.Values.IsDefault ? [] : k.Values).Select(v => RegValueLine.Set(v.ToRegValue()))]))]);
        return RegistryState.Empty.Apply(doc, origin);
    }

    /// <summary>Policy inputs from the snapshot; --os / --updates given on the command line take precedence.</summary>
    public PolicyInputs ToInputs(string origin = "snapshot") => new()
    {
        Build = Build,
        Ubr = Ubr,
        Updates = Updates.IsDefault ? null : Updates,
        Registry = ToRegistryState(origin),
        RegistryOrigin = origin,
    };

    public string ToJson() => JsonSerializer.Serialize(this, SnapshotJson.Default.PolicySnapshot);

    /// <summary>Reads a snapshot; bad JSON throws <see cref="JsonException"/>, a newer format <see cref="InvalidDataException"/>.</summary>
    public static PolicySnapshot FromJson(string json)
    {
        var s = JsonSerializer.Deserialize(json, SnapshotJson.Default.PolicySnapshot) ?? throw new InvalidDataException("empty snapshot");
        if (s.FormatVersion is < 1 or > CurrentFormat) throw new InvalidDataException($"snapshot format {s.FormatVersion} is not supported (expected {CurrentFormat})");
        return s;
    }

    public void Save(string path) => File.WriteAllText(path, ToJson());

    public static PolicySnapshot Load(string path) => FromJson(File.ReadAllText(path));

    /// <summary>Reads the live registry of this Windows machine; <paramref name="updates"/> come from Get-HotFix (the caller runs it).</summary>
    [SupportedOSPlatform("windows")]
    public static PolicySnapshot CaptureLive(ImmutableArray<string> updates, DateTimeOffset capturedAt) =>
        FromRegistry(LiveRegistry.Read(RegistryPaths.SnapshotRoots), updates, capturedAt, Environment.MachineName);
}

/// <summary>One key of a snapshot.</summary>
public sealed record SnapshotKey(string Path, ImmutableArray<SnapshotValue> Values);

/// <summary>One value of a snapshot: readable for the common types, hex for the rest.</summary>
/// <param name="Type">REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, REG_MULTI_SZ, REG_QWORD, or REG_0xN.</param>
public sealed record SnapshotValue(string Name, string Type, ulong? Number = null, string? Text = null, ImmutableArray<string>? Strings = null, string? Hex = null)
{
    public static SnapshotValue From(RegValue v) => v.Kind switch
    {
        RegValueKind.DWord when v.AsDWord() is { } d => new(v.Name, "REG_DWORD", Number: d),
        RegValueKind.QWord when v.AsQWord() is { } q => new(v.Name, "REG_QWORD", Number: q),
        RegValueKind.String or RegValueKind.ExpandString when RegValue.String(v.Name, v.AsString()!, v.Kind).Equals(v) =>
            new(v.Name, v.Kind == RegValueKind.String ? "REG_SZ" : "REG_EXPAND_SZ", Text: v.AsString()),
        RegValueKind.MultiString when RegValue.MultiString(v.Name, v.AsMultiString()).Equals(v) => new(v.Name, "REG_MULTI_SZ", Strings: v.AsMultiString()),
        _ => new(v.Name, TypeName(v.Kind), Hex: Convert.ToHexStringLower(v.Data.AsSpan())),
    };

    public RegValue ToRegValue() => Type switch
    {
        "REG_DWORD" when Number is { } n => RegValue.DWord(Name, checked((uint)n)),
        "REG_QWORD" when Number is { } n => RegValue.QWord(Name, n),
        "REG_SZ" when Text is not null => RegValue.String(Name, Text),
        "REG_EXPAND_SZ" when Text is not null => RegValue.String(Name, Text, RegValueKind.ExpandString),
        "REG_MULTI_SZ" when Strings is { } s => RegValue.MultiString(Name, s),
        _ when Hex is not null => RegValue.Binary(Name, Convert.FromHexString(Hex), KindOf(Type)),
        _ => throw new InvalidDataException($"snapshot value {Name} of type {Type} has no data"),
    };

    private static string TypeName(RegValueKind k) => k switch
    {
        RegValueKind.String => "REG_SZ",
        RegValueKind.ExpandString => "REG_EXPAND_SZ",
        RegValueKind.Binary => "REG_BINARY",
        RegValueKind.DWord => "REG_DWORD",
        RegValueKind.MultiString => "REG_MULTI_SZ",
        RegValueKind.QWord => "REG_QWORD",
        RegValueKind.None => "REG_NONE",
        _ => $"REG_0x{(int)k:x}",
    };

    private static RegValueKind KindOf(string t) => t switch
    {
        "REG_SZ" => RegValueKind.String,
        "REG_EXPAND_SZ" => RegValueKind.ExpandString,
        "REG_BINARY" => RegValueKind.Binary,
        "REG_DWORD" => RegValueKind.DWord,
        "REG_MULTI_SZ" => RegValueKind.MultiString,
        "REG_QWORD" => RegValueKind.QWord,
        "REG_NONE" => RegValueKind.None,
        _ when t.StartsWith("REG_0x", StringComparison.Ordinal) => (RegValueKind)Convert.ToInt32(t[6..], 16),
        _ => throw new InvalidDataException($"unknown registry type {t}"),
    };
}

/// <summary>
/// Installed updates that could not be read (Get-HotFix failed) are a default array: written as null and read back
/// as default, so "unknown" survives the round trip and is not confused with "none".
/// </summary>
internal sealed class UnknownIsNullConverter : JsonConverter<ImmutableArray<string>>
{
    public override bool HandleNull => true;

    public override ImmutableArray<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return default;
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("updates must be an array of update ids or null");
        var items = ImmutableArray.CreateBuilder<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            items.Add(reader.GetString() ?? throw new JsonException("an update id is null"));
        return items.ToImmutable();
    }

    public override void Write(Utf8JsonWriter writer, ImmutableArray<string> value, JsonSerializerOptions options)
    {
        if (value.IsDefault) { writer.WriteNullValue(); return; }
        writer.WriteStartArray();
        foreach (var v in value) writer.WriteStringValue(v);
        writer.WriteEndArray();
    }
}

// Source-generated: snapshots are read and written without reflection (the published tool is compiled ahead of time).
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(PolicySnapshot))]
internal sealed partial class SnapshotJson : JsonSerializerContext;
