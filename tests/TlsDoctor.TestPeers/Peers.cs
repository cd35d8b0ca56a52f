using Xunit;
using System.Collections.Concurrent;

namespace TlsDoctor.TestPeers;

/// <summary>Entry point: <c>await using var server = await Peers.StartAsync(PeerTarget.OldMfdWeakDh);</c></summary>
public static class Peers
{
    /// <summary>Starts a catalogue target on a free loopback port (environment built once per test run).</summary>
    public static async Task<TlsServerProcess> StartAsync(PeerTarget target, CancellationToken cancellationToken = default)
    {
        var env = await PeerEnvironment.GetAsync(cancellationToken).ConfigureAwait(false);
        return await TlsServerProcess.StartAsync(PeerCatalog.Get(target), env, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// Class or collection fixture holding at most one running server per target, started on first request
/// and killed when the fixture is disposed. Safe to call from parallel tests.
/// </summary>
public sealed class PeerServers : IAsyncLifetime
{
    private readonly ConcurrentDictionary<PeerTarget, Lazy<Task<TlsServerProcess>>> _servers = new();

    /// <summary>The running server of a target; the first call starts it.</summary>
    public Task<TlsServerProcess> GetAsync(PeerTarget target) =>
        _servers.GetOrAdd(target, t => new Lazy<Task<TlsServerProcess>>(() => Peers.StartAsync(t))).Value;

    /// <summary>The shared per-run environment (tools, shims, certificates).</summary>
    public Task<PeerEnvironment> GetEnvironmentAsync() => PeerEnvironment.GetAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var lazy in _servers.Values)
        {
            if (!lazy.IsValueCreated) continue;
            try { await (await lazy.Value.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false); }
            catch (Exception) { /* a server that failed to start has nothing to stop */ }
        }
    }
}

/// <summary>Class fixture base running one catalogue target for the lifetime of a test class.</summary>
public abstract class PeerServerFixture(PeerTarget target) : IAsyncLifetime
{
    private TlsServerProcess? _server;
    private PeerEnvironment? _environment;

    public PeerTarget Target { get; } = target;
    public PeerSpec Spec => PeerCatalog.Get(Target);
    public TlsServerProcess Server => _server ?? throw new InvalidOperationException("Fixture not initialised.");
    public PeerEnvironment Environment => _environment ?? throw new InvalidOperationException("Fixture not initialised.");

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _environment = await PeerEnvironment.GetAsync(cts.Token).ConfigureAwait(false);
        _server = await TlsServerProcess.StartAsync(Spec, _environment, cts.Token).ConfigureAwait(false);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Fixture for <see cref="PeerCatalog.OldMfdWeakDh"/>.</summary>
public sealed class OldMfdWeakDhFixture() : PeerServerFixture(PeerTarget.OldMfdWeakDh);
/// <summary>Fixture for <see cref="PeerCatalog.OldMfdWeakDhGnutls"/>.</summary>
public sealed class OldMfdWeakDhGnutlsFixture() : PeerServerFixture(PeerTarget.OldMfdWeakDhGnutls);
/// <summary>Fixture for <see cref="PeerCatalog.Dh768"/>.</summary>
public sealed class Dh768Fixture() : PeerServerFixture(PeerTarget.Dh768);
/// <summary>Fixture for <see cref="PeerCatalog.Dh1024"/>.</summary>
public sealed class Dh1024Fixture() : PeerServerFixture(PeerTarget.Dh1024);
/// <summary>Fixture for <see cref="PeerCatalog.ModernTls12ServerOrder"/>.</summary>
public sealed class ModernTls12ServerOrderFixture() : PeerServerFixture(PeerTarget.ModernTls12ServerOrder);
/// <summary>Fixture for <see cref="PeerCatalog.Tls13Only"/>.</summary>
public sealed class Tls13OnlyFixture() : PeerServerFixture(PeerTarget.Tls13Only);
/// <summary>Fixture for <see cref="PeerCatalog.Tls10Tls11RsaOnly"/>.</summary>
public sealed class Tls10Tls11RsaOnlyFixture() : PeerServerFixture(PeerTarget.Tls10Tls11RsaOnly);
/// <summary>Fixture for <see cref="PeerCatalog.Sha512Chain"/>.</summary>
public sealed class Sha512ChainFixture() : PeerServerFixture(PeerTarget.Sha512Chain);
/// <summary>Fixture for <see cref="PeerCatalog.Legacy3DesRc4"/>.</summary>
public sealed class Legacy3DesRc4Fixture() : PeerServerFixture(PeerTarget.Legacy3DesRc4);
/// <summary>Fixture for <see cref="PeerCatalog.ClientOrder"/>.</summary>
public sealed class ClientOrderFixture() : PeerServerFixture(PeerTarget.ClientOrder);
/// <summary>Fixture for <see cref="PeerCatalog.EcdsaTls12"/>.</summary>
public sealed class EcdsaTls12Fixture() : PeerServerFixture(PeerTarget.EcdsaTls12);
