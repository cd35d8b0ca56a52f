using System.Net;
using TlsDoctor.Lab;
using TlsDoctor.TestPeers;

namespace TlsDoctor.Lab.Tests;

/// <summary>One LabHost with every server profile, shared by the tests of a class (key generation runs once).</summary>
public sealed class LabFixture : IAsyncLifetime
{
    private LabHost? _host;

    public LabHost Host => _host ?? throw new InvalidOperationException("not started");
    public PeerEnvironment Peers { get; private set; } = null!;

    public IPEndPoint Endpoint(string profile) => Host.Devices.First(d => d.Profile == profile).Endpoint;
    public LabDevice Device(string profile) => Host.Devices.First(d => d.Profile == profile);

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var servers = LabProfiles.All.Where(p => p.Role == LabRole.Server).Select(p => p.Name);
        var host = LabHost.StartAsync(servers, new LabOptions(), cts.Token);
        var env = PeerEnvironment.GetAsync(cts.Token);
        _host = await host;
        Peers = await env;
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }
}

[CollectionDefinition("lab")]
public sealed class LabCollection : ICollectionFixture<LabFixture>;
