using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using TlsDoctor.Fleet;
using TlsDoctor.Lab;
using TlsDoctor.Probe;

namespace TlsDoctor.Fleet.Tests;

/// <summary>
/// A lab fleet shared by the tests of the "fleet" collection: 5 devices of each guide profile, two hostile
/// devices and a closed port, plus one reference scan of it at concurrency 64 (copied by tests that need stored data).
/// </summary>
public sealed class FleetLabFixture : IAsyncLifetime
{
    public static readonly string[] Profiles =
    [
        LabProfiles.MfdWeakDh, LabProfiles.MfdBrokenDh, LabProfiles.MfdFakeTls12, LabProfiles.MfdTls12Only, LabProfiles.PaymentSha512, LabProfiles.MfdModern,
    ];

    private LabHost? _host;

    public LabHost Host => _host ?? throw new InvalidOperationException("not started");
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "tlsdoctor-fleet-" + Guid.NewGuid().ToString("N")[..8]);
    public string InventoryPath => Path.Combine(Dir, "inventory.csv");
    public string ReferenceDb => Path.Combine(Dir, "reference.db");
    public int ClosedPort { get; private set; }
    public FleetScanSummary Reference { get; private set; } = null!;

    /// <summary>Devices in the inventory: 30 guide devices, hostile-http, hostile-reset-after-hello, one closed port.</summary>
    public int DeviceCount => Host.Devices.Count + _hostile!.Devices.Count + 1;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Dir);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        _host = await LabHost.StartAsync(Profiles, new LabOptions(CountPerProfile: 5), cts.Token);
        var hostile = await LabHost.StartAsync([LabProfiles.HostileHttp, LabProfiles.HostileResetAfterHello], new LabOptions(), cts.Token);
        _hostile = hostile;
        // A port that was just free: nothing listens there, so connects are refused.
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            ClosedPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        File.WriteAllText(InventoryPath, Inventory(Host.Devices.Concat(hostile.Devices), ClosedPort));
        using var store = FleetStore.Open(ReferenceDb);
        Reference = await new FleetScanner(store, Options(64)).StartAsync(InventoryCsv.ReadFile(InventoryPath), InventoryPath, null, cts.Token);
    }

    private LabHost? _hostile;

    /// <summary>Options for the lab: a short back-off and a high rate; generous read timeouts, since the lab and the scanner share two cores.</summary>
    public static FleetScanOptions Options(int concurrency) => new(
        new ProbeOptions(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(90)),
        concurrency, ConnectionsPerSecond: 5000, RetryBackoff: TimeSpan.FromMilliseconds(50));

    /// <summary>Inventory CSV for lab devices: model = profile, site alternating a/b, an extra "rack" column.</summary>
    public static string Inventory(IEnumerable<LabDevice> devices, int? closedPort = null)
    {
        var sb = new StringBuilder("site,name,host,port,model,rack\n");
        var i = 0;
        foreach (var d in devices)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{(i % 2 == 0 ? "site-a" : "site-b")},{d.Profile}-{i},127.0.0.1,{d.Endpoint.Port},{d.Profile},r{i % 3}\n");
            i++;
        }
        if (closedPort is { } p) sb.Append(CultureInfo.InvariantCulture, $"site-b,closed-port,127.0.0.1,{p},unknown,r0\n");
        return sb.ToString();
    }

    /// <summary>A copy of the reference database for a test to change.</summary>
    public string CopyReference(string name)
    {
        var path = Path.Combine(Dir, name);
        File.Copy(ReferenceDb, path, overwrite: true);
        return path;
    }

    public string NewPath(string name) => Path.Combine(Dir, Guid.NewGuid().ToString("N")[..6] + "-" + name);

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        if (_hostile is not null) await _hostile.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition("fleet")]
public sealed class FleetCollection : ICollectionFixture<FleetLabFixture>;
