using TlsDoctor.Lab;
using TlsDoctor.Probe;

namespace TlsDoctor.Fleet.Tests;

/// <summary>One device's trouble stays that device's result: a scanner that throws on it, a device that drips past the deadline.</summary>
public sealed class DeviceFailureTests : IAsyncLifetime
{
    private LabHost? _lab;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tlsdoctor-fleetfail-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _lab = await LabHost.StartAsync([LabProfiles.MfdModern, LabProfiles.MfdWeakDh, LabProfiles.HostileSlowDrip], new LabOptions(), cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (_lab is not null) await _lab.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private (Inventory Inventory, string Path) InventoryOf(params string[] profiles)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N")[..6] + "-inventory.csv");
        File.WriteAllText(path, FleetLabFixture.Inventory(_lab!.Devices.Where(d => profiles.Contains(d.Profile))));
        return (InventoryCsv.ReadFile(path), path);
    }

    // The real scanner for every device but the weak-DH one, whose scan throws as the 47-byte answer of issue 15 #21 did.
    private static DeviceScan CrashingOn(string model, ProbeOptions probe) => (d, deadline, ct) =>
        d.Model == model
            ? throw new NullReferenceException("Object reference not set to an instance of an object.")
            : new TlsScanner(probe with { TargetDeadline = deadline }).ScanAsync(d.Target, null, ct);

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task A_device_whose_scan_throws_gets_an_error_result_and_the_scan_finishes(int concurrency)
    {
        var (inventory, path) = InventoryOf(LabProfiles.MfdModern, LabProfiles.MfdWeakDh);
        var options = FleetLabFixture.Options(concurrency);
        using var store = FleetStore.Open(Path.Combine(_dir, $"crash-{concurrency}.db"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var summary = await new FleetScanner(store, options, null, CrashingOn(LabProfiles.MfdWeakDh, options.Probe)).StartAsync(inventory, path, null, cts.Token);

        Assert.True(summary.Finished);
        Assert.Equal(2, summary.Scanned);
        var devices = store.Devices(summary.ScanId).ToDictionary(d => d.Device.Model!);
        var crashed = devices[LabProfiles.MfdWeakDh].Result!;
        Assert.Equal(DeviceStatus.Error, crashed.Status);
        Assert.Contains("NullReferenceException", crashed.Error, StringComparison.Ordinal);
        Assert.Null(crashed.Profile);
        Assert.Equal(DeviceStatus.Ok, devices[LabProfiles.MfdModern].Result!.Status);
        Assert.True(store.Scan(summary.ScanId)!.IsFinished);
    }

    [Fact]
    public async Task A_resumed_scan_with_only_a_crashing_device_finishes()
    {
        var (inventory, path) = InventoryOf(LabProfiles.MfdWeakDh);
        var options = FleetLabFixture.Options(4);
        using var store = FleetStore.Open(Path.Combine(_dir, "resume-crash.db"));
        var scanner = new FleetScanner(store, options, null, CrashingOn(LabProfiles.MfdWeakDh, options.Probe));
        var id = scanner.Create(inventory, path);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var summary = await scanner.ResumeAsync(id, null, cts.Token);
        Assert.True(summary.Finished);
        Assert.Equal(1, summary.Statuses["error"]);
    }

    [Fact]
    public async Task A_slow_drip_device_gets_one_deadline_not_one_per_retry()
    {
        var (inventory, path) = InventoryOf(LabProfiles.HostileSlowDrip);
        // Reads of 1 s: each hello's answer is cut off after 3 s as too slow (a silent connection), so the device would be
        // retried after a back-off; the deadline of 4 s is spent by then.
        var options = new FleetScanOptions(new ProbeOptions(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4)), 4,
            ConnectionsPerSecond: 5000, MaxConsecutiveFailures: 3, RetryBackoff: TimeSpan.FromMilliseconds(50));
        using var store = FleetStore.Open(Path.Combine(_dir, "drip.db"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var summary = await new FleetScanner(store, options).StartAsync(inventory, path, null, cts.Token);

        var result = Assert.Single(store.Devices(summary.ScanId)).Result!;
        Assert.Equal(1, result.Attempts);
        Assert.Equal(DeviceStatus.BackedOff, result.Status);
        Assert.Contains("deadline of 4 s is spent", result.Error, StringComparison.Ordinal);
        Assert.True(result.ElapsedMs >= 4000, $"{result.ElapsedMs} ms");
    }
}
