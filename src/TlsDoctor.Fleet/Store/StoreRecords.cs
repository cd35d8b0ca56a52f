using System.Text.Json.Serialization;
using TlsDoctor.Probe.Json;

namespace TlsDoctor.Fleet;

/// <summary>What happened to one device in a scan.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeviceStatus>))]
public enum DeviceStatus
{
    /// <summary>The device answered TLS; the profile is complete.</summary>
    [JsonStringEnumMemberName("ok")] Ok,
    /// <summary>TCP connected but the device never answered TLS (HTTP, garbage, alerts to everything).</summary>
    [JsonStringEnumMemberName("no-tls")] NoTls,
    /// <summary>No TCP connection could be made, on every attempt.</summary>
    [JsonStringEnumMemberName("unreachable")] Unreachable,
    /// <summary>Connections were reset or timed out repeatedly; the fleet stopped contacting the device.</summary>
    [JsonStringEnumMemberName("backed-off")] BackedOff,
    /// <summary>The scan answered TLS but ended early (deadline); the profile is partial.</summary>
    [JsonStringEnumMemberName("partial")] Partial,
    /// <summary>The scan of the device failed unexpectedly (a scanner bug, a device that crashes it, or workers that kept dying on it); nothing was checked.</summary>
    [JsonStringEnumMemberName("error")] Error,
    /// <summary>Only when reading: the stored result row is damaged; the other devices are shown, this one is not checked.</summary>
    [JsonStringEnumMemberName("unreadable")] Unreadable,
}

/// <summary>Spellings of <see cref="DeviceStatus"/> used in the store, JSON, CSV and HTML.</summary>
public static class DeviceStatuses
{
    public static string Name(this DeviceStatus s) => s switch
    {
        DeviceStatus.Ok => "ok",
        DeviceStatus.NoTls => "no-tls",
        DeviceStatus.Unreachable => "unreachable",
        DeviceStatus.BackedOff => "backed-off",
        DeviceStatus.Error => "error",
        DeviceStatus.Unreadable => "unreadable",
        _ => "partial",
    };

    public static DeviceStatus Parse(string s) => s switch
    {
        "ok" => DeviceStatus.Ok,
        "no-tls" => DeviceStatus.NoTls,
        "unreachable" => DeviceStatus.Unreachable,
        "backed-off" => DeviceStatus.BackedOff,
        "partial" => DeviceStatus.Partial,
        "error" => DeviceStatus.Error,
        _ => throw new FormatException($"unknown device status '{s}'"),
    };
}

/// <summary>One scan kept in the store (history).</summary>
/// <param name="Source">Label of the database a merged scan came from (site-a.db → "site-a"); null for a scan run here.</param>
/// <param name="SourceScanId">The scan's id in that database.</param>
/// <param name="Devices">Inventory rows of the scan.</param>
/// <param name="Results">Devices with a committed result.</param>
public sealed record ScanRecord(
    long Id,
    DateTimeOffset Started,
    DateTimeOffset? Finished,
    string InventoryPath,
    string InventorySha256,
    string Options,
    string? Source,
    long? SourceScanId,
    int Devices,
    int Results)
{
    /// <summary>True once every device has a result.</summary>
    public bool IsFinished => Finished is not null;
}

/// <summary>The committed result of one device in one scan.</summary>
/// <param name="Handshakes">TCP connections spent on the device, all attempts together.</param>
/// <param name="Attempts">Scan attempts (more than one when an unreachable device was retried after a back-off).</param>
/// <param name="Profile">The scan as `scan --json` writes it (attempt list left out); null when nothing was learned.</param>
public sealed record DeviceResult(
    string Device,
    DeviceStatus Status,
    bool Reachable,
    string? Error,
    int Handshakes,
    int Attempts,
    long ElapsedMs,
    ScanJson? Profile,
    DateTimeOffset Completed);

/// <summary>A device of a scan with its result (null while the scan has not reached it).</summary>
/// <param name="Source">Source label of the scan (merged databases), else null.</param>
public sealed record FleetDevice(long ScanId, string? Source, InventoryDevice Device, DeviceResult? Result)
{
    /// <summary>Name unique across a merged view: "site-a/printer-1" when the scan came from elsewhere.</summary>
    public string Key => Source is null ? Device.Name : $"{Source}/{Device.Name}";
}
