using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using TlsDoctor.Lab.Crypto;
using TlsDoctor.Lab.Hostile;
using TlsDoctor.Lab.Legacy;
using TlsDoctor.Lab.Servers;

namespace TlsDoctor.Lab;

/// <summary>Where and how many devices a <see cref="LabHost"/> starts. BasePort 0 means ephemeral ports.</summary>
public sealed record LabOptions(int BasePort = 0, int CountPerProfile = 1, IPAddress? Address = null);

/// <summary>One running simulated device: its profile, where it listens, and what it reproduces.</summary>
public sealed record LabDevice(string Profile, IPEndPoint Endpoint, string Reproduces)
{
    /// <summary>SHA-256 (lowercase hex) of the leaf certificate it serves; null for the hostile devices, which serve none.</summary>
    public string? CertificateSha256 { get; init; }
}

/// <summary>Runs lab server devices in this process until disposed; each accepts connections concurrently.</summary>
public sealed class LabHost : IAsyncDisposable
{
    /// <summary>Per-connection read timeout, so a silent client cannot pin a device.</summary>
    public static TimeSpan ReadTimeout { get; } = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private int _disposed;

    private LabHost(IReadOnlyList<LabDevice> devices) => Devices = devices;

    /// <summary>The running devices, in the order of the requested profiles (each repeated CountPerProfile times).</summary>
    public IReadOnlyList<LabDevice> Devices { get; private set; }

    /// <summary>
    /// Starts CountPerProfile devices of each named server profile on loopback (or options.Address).
    /// Throws ArgumentException for unknown names and for client profiles (use <see cref="LabClients"/>).
    /// </summary>
    public static async Task<LabHost> StartAsync(IEnumerable<string> profiles, LabOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        ArgumentNullException.ThrowIfNull(options);
        if (options.CountPerProfile < 1) throw new ArgumentOutOfRangeException(nameof(options), "CountPerProfile must be at least 1");
        if (options.BasePort is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(options), "BasePort must be 0..65535");

        var chosen = new List<LabProfile>();
        foreach (var name in profiles)
        {
            if (!LabProfiles.TryGet(name, out var p)) throw new ArgumentException($"unknown lab profile '{name}'", nameof(profiles));
            if (p.Role != LabRole.Server)
                throw new ArgumentException($"'{p.Name}' is a client profile; run it with LabClients.RunLegacyClientAsync", nameof(profiles));
            chosen.Add(p);
        }

        // Keys first, in parallel: RSA generation dominates start-up, and each key is made once per host.
        var certificates = new LabCertificates();
        var needed = chosen.Select(p => p.Name).Distinct().Where(certificates.Has).ToList();
        await Task.WhenAll(needed.Select(n => Task.Run(() => certificates.For(n), ct))).ConfigureAwait(false);

        var host = new LabHost([]);
        var address = options.Address ?? IPAddress.Loopback;
        var devices = new List<LabDevice>();
        try
        {
            var port = options.BasePort;
            foreach (var profile in chosen)
            {
                var spec = LabServerSpec.For(profile.Name);
                var credential = certificates.Has(profile.Name) ? certificates.For(profile.Name) : null;
                for (var i = 0; i < options.CountPerProfile; i++)
                {
                    ct.ThrowIfCancellationRequested();
                    var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                    host._listeners.Add(listener);
                    listener.Bind(new IPEndPoint(address, options.BasePort == 0 ? 0 : port++));
                    listener.Listen(64);
                    var endpoint = (IPEndPoint)listener.LocalEndPoint!;
                    devices.Add(new LabDevice(profile.Name, endpoint, profile.Reproduces) { CertificateSha256 = credential?.LeafSha256 });
                    host._acceptLoops.Add(host.AcceptLoopAsync(listener, profile.Name, spec, credential));
                }
            }
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        host.Devices = devices;
        return host;
    }

    private async Task AcceptLoopAsync(Socket listener, string profile, LabServerSpec? spec, LabCredential? credential)
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // e.g. a connection reset while still in the backlog
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            client.NoDelay = true;
            var task = spec is not null && credential is not null
                // BouncyCastle's TLS protocol is blocking; a dedicated thread keeps slow peers off the shared pool.
                ? Task.Factory.StartNew(() => ServeTls(client, spec, credential), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                : Task.Run(async () =>
                {
                    // Timeouts and resets end raw-socket conversations; nothing a client does may fault the host.
                    try
                    {
                        if (SslOnlyServer.Handles(profile) && credential is not null)
                            await SslOnlyServer.ServeAsync(client, credential.ChainDer[0], ReadTimeout, ct).ConfigureAwait(false);
                        else
                            await HostileServer.ServeAsync(profile, client, ReadTimeout, ct).ConfigureAwait(false);
                    }
                    catch (Exception) { }
                }, ct);
            _connections[client] = task;
            _ = task.ContinueWith(_ =>
            {
                _connections.TryRemove(client, out var _);
                try { client.Dispose(); } catch (ObjectDisposedException) { }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private static void ServeTls(Socket socket, LabServerSpec spec, LabCredential credential)
    {
        // The lab never trusts peer keys, so BouncyCastle's Miller-Rabin checks of RSA moduli (most of a
        // handshake's CPU) buy nothing here; the property is thread-local and this is the connection's own thread.
        Org.BouncyCastle.Utilities.Properties.SetThreadProperty("Org.BouncyCastle.Rsa.MaxMRTests", "0");
        try
        {
            if (HelloGate.Applies(spec) && !HelloGate.Admit(socket, spec, ReadTimeout)) return;
            var timeoutMs = (int)ReadTimeout.TotalMilliseconds;
            Stream stream = new NetworkStream(socket, ownsSocket: false) { ReadTimeout = timeoutMs, WriteTimeout = timeoutMs };
            if (spec.FailTls12Finished) stream = new FakeTls12Stream(stream);
            var random = new SecureRandom();
            BcTlsCrypto crypto = spec.BrokenDhLeadingZero ? new BrokenDhCrypto(random) : new BcTlsCrypto(random);
            var protocol = new TlsServerProtocol(stream);
            protocol.Accept(new LabTlsServer(crypto, spec, credential));
            ServeApplicationData(protocol);
            protocol.Close();
        }
        catch (Exception)
        {
            // A misbehaving or departing client is the lab's daily business: the alert (if any) is already sent.
        }
        finally
        {
            Org.BouncyCastle.Utilities.Properties.RemoveThreadProperty("Org.BouncyCastle.Rsa.MaxMRTests");
        }
    }

    // After the handshake a device answers one request with a tiny HTTP page, like a printer's web UI.
    private static void ServeApplicationData(TlsServerProtocol protocol)
    {
        var buf = new byte[4096];
        var n = protocol.Stream.Read(buf, 0, buf.Length);
        if (n <= 0) return;
        var body = "TlsDoctor lab device\n"u8.ToArray();
        var head = System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        protocol.Stream.Write(head, 0, head.Length);
        protocol.Stream.Write(body, 0, body.Length);
        protocol.Stream.Flush();
    }

    /// <summary>Stops accepting, closes every open connection and waits (bounded) for the handlers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        foreach (var l in _listeners)
        {
            try { l.Dispose(); } catch (ObjectDisposedException) { }
        }
        foreach (var s in _connections.Keys)
        {
            // Closing the socket unblocks a BouncyCastle read that is waiting on it.
            try { s.Dispose(); } catch (ObjectDisposedException) { }
        }
        var all = _acceptLoops.Concat(_connections.Values).ToArray();
        try
        {
            await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Handlers end with socket errors or cancellation once their sockets are gone; that is the point.
        }
        _stop.Dispose();
    }
}
