using System.Globalization;
using System.Text;
using TlsDoctor.Lab;
using TlsDoctor.TestPeers;

namespace TlsDoctor.Cli.Tests;

/// <summary>
/// A private PostgreSQL cluster and a lab of 90 guide devices plus an HTTP-only one, shared by the PostgreSQL fleet tests
/// and torn down at the end. The built tlsdoctor binary runs the workers as separate processes.
/// </summary>
public sealed class FleetPostgresFixture : IAsyncLifetime
{
    public static readonly string[] Profiles =
    [
        LabProfiles.MfdWeakDh, LabProfiles.MfdBrokenDh, LabProfiles.MfdFakeTls12, LabProfiles.MfdTls12Only, LabProfiles.PaymentSha512, LabProfiles.MfdModern,
    ];

    private PostgresCluster? _cluster;
    private LabHost? _lab;
    private LabHost? _http;
    private int _databases;

    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");
    public LabHost Lab => _lab ?? throw new InvalidOperationException("not started");
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "tlsdoctor-fleetpg-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The CLI built next to the tests (artifacts/bin/TlsDoctor.Cli/release/tlsdoctor).</summary>
    public static string Cli
    {
        get
        {
            // artifacts/bin/TlsDoctor.Cli.Tests/release/ → artifacts/bin/TlsDoctor.Cli/release/tlsdoctor
            var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return Path.Combine(own.Parent!.Parent!.FullName, "TlsDoctor.Cli", own.Name, "tlsdoctor");
        }
    }

    public async Task InitializeAsync()
    {
        if (PostgresCluster.Unavailable() is not null) return;
        Directory.CreateDirectory(Dir);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        _cluster = await PostgresCluster.StartAsync(cts.Token);
        _lab = await LabHost.StartAsync(Profiles, new LabOptions(CountPerProfile: 15), cts.Token);
        _http = await LabHost.StartAsync([LabProfiles.HostileHttp], new LabOptions(), cts.Token);
    }

    /// <summary>A new empty database; its URI carries no password (the tests give it through PGPASSWORD or the URI).</summary>
    public async Task<string> NewDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}";
        await Cluster.CreateDatabaseAsync(name);
        return name;
    }

    /// <summary>An inventory of the 90 lab devices and the HTTP-only one (model = profile, three sites).</summary>
    public string Inventory()
    {
        var sb = new StringBuilder("name,host,port,model,site\n");
        var i = 0;
        foreach (var d in Lab.Devices.Concat(_http!.Devices))
        {
            sb.Append(CultureInfo.InvariantCulture, $"{d.Profile}-{i},127.0.0.1,{d.Endpoint.Port},{d.Profile},site-{i % 3}\n");
            i++;
        }
        var path = Path.Combine(Dir, Guid.NewGuid().ToString("N")[..6] + "-inventory.csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    public int DeviceCount => Lab.Devices.Count + _http!.Devices.Count;

    public async Task DisposeAsync()
    {
        if (_lab is not null) await _lab.DisposeAsync();
        if (_http is not null) await _http.DisposeAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<FleetPostgresFixture>;

/// <summary>A fact that needs PostgreSQL: skipped, with the reason, where it is not installed.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresCluster.Unavailable() is { } why) Skip = why;
    }
}
