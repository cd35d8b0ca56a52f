using System.Net;
using System.Net.Sockets;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe;

/// <summary>One TCP connection of a probe: connect, write, timed reads; never reused after a probe.</summary>
public sealed class ProbeConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly TimeSpan _readTimeout;
    private readonly string _target;

    private ProbeConnection(Socket socket, TimeSpan readTimeout, string target)
    {
        _socket = socket;
        _readTimeout = readTimeout;
        _target = target;
    }

    /// <summary>Wraps a connection a listener accepted: the same timed reads and error kinds as an outgoing probe.</summary>
    public static ProbeConnection Accepted(Socket socket, TimeSpan readTimeout, string peer)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return new ProbeConnection(socket, readTimeout, peer);
    }

    /// <summary>The connected socket, for stacks that need a stream (full handshakes).</summary>
    public Socket Socket => _socket;

    /// <summary>Connects within <paramref name="connectTimeout"/>; failures become <see cref="ProbeException"/>.</summary>
    public static async Task<ProbeConnection> ConnectAsync(ProbeTarget target, TimeSpan connectTimeout, TimeSpan readTimeout, CancellationToken ct)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(target.Host, out var literal)) addresses = [literal];
        else
        {
            try
            {
                using var dnsCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                dnsCts.CancelAfter(connectTimeout);
                addresses = await Dns.GetHostAddressesAsync(target.Host, dnsCts.Token).ConfigureAwait(false);
            }
            catch (SocketException e) { throw ProbeException.FromSocket(e, true, target.ToString()); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new ProbeException(ProbeErrorKind.NameResolution, $"{target}: name resolution timed out");
            }
            if (addresses.Length == 0) throw new ProbeException(ProbeErrorKind.NameResolution, $"{target}: host name has no address");
        }

        var address = addresses[0];
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(connectTimeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, target.Port), cts.Token).ConfigureAwait(false);
            // Linger 0 is not set: a clean FIN is gentler on embedded stacks than an RST.
            return new ProbeConnection(socket, readTimeout, target.ToString());
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new ProbeException(ProbeErrorKind.ConnectTimeout, $"{target}: connect timed out after {connectTimeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw ProbeException.FromSocket(e, true, target.ToString());
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends all bytes.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_readTimeout);
        try
        {
            while (!data.IsEmpty)
            {
                var n = await _socket.SendAsync(data, SocketFlags.None, cts.Token).ConfigureAwait(false);
                data = data[n..];
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ProbeException(ProbeErrorKind.ReadTimeout, $"{_target}: send timed out");
        }
        catch (SocketException e) { throw ProbeException.FromSocket(e, false, _target); }
    }

    /// <summary>Reads what is available (at least one byte); 0 means the peer closed. Times out per read.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_readTimeout);
        try
        {
            return await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ProbeException(ProbeErrorKind.ReadTimeout, $"{_target}: no answer within {_readTimeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e) { throw ProbeException.FromSocket(e, false, _target); }
    }

    /// <summary>
    /// Reads into <paramref name="frames"/> until <paramref name="complete"/> finds an answer in them; Closed is true when
    /// the peer closed first. Read timeouts and resets surface as <see cref="ProbeException"/>.
    /// </summary>
    public async Task<(T? Answer, bool Closed)> ReadFramesAsync<T>(FrameBuffer frames, Func<FrameBuffer, T?> complete, CancellationToken ct)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(complete);
        while (true)
        {
            if (complete(frames) is { } answer) return (answer, false);
            var n = await ReadAsync(frames.GetMemory(4096), ct).ConfigureAwait(false);
            if (n == 0) return (null, true);
            frames.Advance(n);
        }
    }

    public ValueTask DisposeAsync()
    {
        try { _socket.Shutdown(SocketShutdown.Both); }
        catch (SocketException) { /* already gone */ }
        catch (ObjectDisposedException) { }
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
