using System.Net;
using TlsDoctor.Probe;

namespace TlsDoctor.Fleet;

/// <summary>What the per-device connection limit counts as one device.</summary>
public enum DeviceKey
{
    /// <summary>Host, except loopback addresses, where each port is a separate (simulated) device.</summary>
    Auto,
    /// <summary>Host: two inventory rows on one printer (443 and 5012) share its limit.</summary>
    Host,
    /// <summary>Host and port.</summary>
    Endpoint,
}

/// <summary>How a fleet scan treats the network and the devices.</summary>
/// <param name="Probe">Timeouts and per-target settings of each device's scan; MaxConnectionsPerHost is the per-device limit.</param>
/// <param name="Concurrency">Devices scanned at once.</param>
/// <param name="ConnectionsPerSecond">Global connection rate (long-run average).</param>
/// <param name="MaxConsecutiveFailures">Connections in a row that may reset, time out or fail to connect before a device is left alone.</param>
/// <param name="RetryBackoff">Wait before the second attempt at a device that could not be reached; doubles per attempt.</param>
public sealed record FleetScanOptions(
    ProbeOptions Probe,
    int Concurrency = 64,
    double ConnectionsPerSecond = FleetScanOptions.DefaultRate,
    DeviceKey Key = DeviceKey.Auto,
    int MaxConsecutiveFailures = 3,
    TimeSpan RetryBackoff = default)
{
    /// <summary>Default global rate: gentle for a LAN and its IDS, still a 1,000-device estate in under a minute.</summary>
    public const double DefaultRate = 500;

    /// <summary>Backoff used when <see cref="RetryBackoff"/> is zero.</summary>
    public TimeSpan EffectiveBackoff => RetryBackoff > TimeSpan.Zero ? RetryBackoff : TimeSpan.FromSeconds(5);

    /// <summary>The options as stored with the scan (JSON).</summary>
    public FleetOptionsJson ToJson() => new(Concurrency, Probe.MaxConnectionsPerHost, ConnectionsPerSecond, Key.ToString().ToLowerInvariant(),
        MaxConsecutiveFailures, EffectiveBackoff.TotalSeconds, Probe.ConnectTimeout.TotalSeconds, Probe.ReadTimeout.TotalSeconds,
        Probe.TargetDeadline.TotalSeconds, Probe.DelayBetweenConnections.TotalMilliseconds, Probe.FullHandshakes);

    /// <summary>The options a scan was enqueued with, run at this worker's own concurrency and rate.</summary>
    public static FleetScanOptions FromJson(FleetOptionsJson j, int concurrency, double rate) => new(
        new ProbeOptions(TimeSpan.FromSeconds(j.ConnectTimeoutSeconds), TimeSpan.FromSeconds(j.ReadTimeoutSeconds), TimeSpan.FromSeconds(j.DeadlineSeconds),
            j.PerDevice, TimeSpan.FromMilliseconds(j.DelayMs), j.FullHandshakes),
        concurrency, rate, Enum.TryParse<DeviceKey>(j.DeviceKey, ignoreCase: true, out var key) ? key : DeviceKey.Auto,
        j.MaxConsecutiveFailures, TimeSpan.FromSeconds(j.RetryBackoffSeconds));

    /// <summary>True when the per-device limit of <paramref name="d"/> counts host and port rather than the host.</summary>
    public bool ByEndpoint(InventoryDevice d) => Key switch
    {
        DeviceKey.Endpoint => true,
        DeviceKey.Host => false,
        _ => IPAddress.TryParse(d.Host, out var a) && IPAddress.IsLoopback(a),
    };

    /// <summary>What one device is for politeness: workers never hold two rows with the same key at once.</summary>
    public string KeyOf(InventoryDevice d) => ByEndpoint(d) ? d.Target.ToString().ToLowerInvariant() : d.Host.ToLowerInvariant();
}

/// <summary>Scan options as stored in the scans table.</summary>
public sealed record FleetOptionsJson(int Concurrency, int PerDevice, double Rate, string DeviceKey, int MaxConsecutiveFailures, double RetryBackoffSeconds,
    double ConnectTimeoutSeconds, double ReadTimeoutSeconds, double DeadlineSeconds, double DelayMs, bool FullHandshakes);

