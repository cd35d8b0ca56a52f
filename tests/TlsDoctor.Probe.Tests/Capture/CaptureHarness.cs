using System.Net;
using System.Net.Sockets;
using TlsDoctor.Probe.Capture;

namespace TlsDoctor.Probe.Tests.Capture;

/// <summary>Runs a listener on 127.0.0.1 and lets a test play the device.</summary>
internal static class CaptureHarness
{
    public static ListenOptions Options(int? count = 1, double? timeoutSeconds = 20, double readTimeoutSeconds = 5, bool probe = false) =>
        new(new IPEndPoint(IPAddress.Loopback, 0), count, timeoutSeconds is { } t ? TimeSpan.FromSeconds(t) : null, TimeSpan.FromSeconds(readTimeoutSeconds), probe);

    public static async Task<ListenResult> RunAsync(ListenOptions options, Func<IPEndPoint, Task> device, CancellationToken ct = default)
    {
        using var listener = ClientHelloListener.Start(options);
        var run = listener.RunAsync(null, ct);
        await device(listener.LocalEndPoint).WaitAsync(TimeSpan.FromSeconds(60));
        return await run.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Sends bytes (in chunks of the given size, 0 = at once) and returns what the server answered before closing.</summary>
    public static async Task<byte[]> SendRawAsync(IPEndPoint server, byte[] data, int chunk = 0)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(server, cts.Token);
        if (chunk <= 0) await socket.SendAsync(data, SocketFlags.None, cts.Token);
        else
        {
            for (var i = 0; i < data.Length; i += chunk)
            {
                await socket.SendAsync(data.AsMemory(i, Math.Min(chunk, data.Length - i)), SocketFlags.None, cts.Token);
                await Task.Delay(2, cts.Token);
            }
        }
        var received = new MemoryStream();
        var buf = new byte[4096];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buf, SocketFlags.None, cts.Token);
                if (n == 0) break;
                received.Write(buf, 0, n);
            }
        }
        catch (SocketException) { /* reset after the alert is fine */ }
        return received.ToArray();
    }
}
