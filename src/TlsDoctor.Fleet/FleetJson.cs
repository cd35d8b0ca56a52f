using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using TlsDoctor.Probe.Json;

namespace TlsDoctor.Fleet;

/// <summary>The `fleet scan --json` document.</summary>
/// <param name="BadRows">Inventory rows that were skipped, with line numbers.</param>
/// <param name="Statuses">Devices per status over the whole scan (earlier runs of a resumed scan included).</param>
public sealed record FleetScanJson(
    long ScanId,
    string Database,
    bool Resumed,
    int Devices,
    int AlreadyDone,
    int Scanned,
    ImmutableArray<InventoryError> BadRows,
    ImmutableSortedDictionary<string, int> Statuses,
    long Connections,
    long ElapsedMs,
    bool Finished);

/// <summary>The `fleet merge --json` document.</summary>
public sealed record FleetMergeJson(string Output, ImmutableArray<MergedSourceJson> Sources, int Scans);

/// <summary>One merged input database.</summary>
public sealed record MergedSourceJson(string Path, string Label, int Scans);

/// <summary>Source-generated serializer settings for the fleet's JSON (documents and stored columns): camelCase, indented.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(ScanJson))]
[JsonSerializable(typeof(ImmutableSortedDictionary<string, string>))]
[JsonSerializable(typeof(FleetOptionsJson))]
[JsonSerializable(typeof(FleetScanJson))]
[JsonSerializable(typeof(FleetReportJson))]
[JsonSerializable(typeof(WhatIfJson))]
[JsonSerializable(typeof(FleetDiffJson))]
[JsonSerializable(typeof(FleetMergeJson))]
[JsonSerializable(typeof(FleetEnqueueJson))]
[JsonSerializable(typeof(FleetWorkerJson))]
[JsonSerializable(typeof(FleetStatusJson))]
[JsonSerializable(typeof(FleetMigrateJson))]
public sealed partial class FleetJsonContext : JsonSerializerContext;

/// <summary>The context commands print with: like Default, but quotes and non-ASCII text stay readable (stdout is not HTML).</summary>
public static class FleetJson
{
    public static FleetJsonContext Output { get; } = new(new JsonSerializerOptions(FleetJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

/// <summary>Compact (unindented) serialisation for the database columns.</summary>
internal static class StoreJson
{
    internal static readonly FleetJsonContext Compact = new(new JsonSerializerOptions(FleetJsonContext.Default.Options) { WriteIndented = false });
}
