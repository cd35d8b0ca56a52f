using System.Buffers.Binary;
using System.Net.Sockets;
using TlsDoctor.Lab.Hostile;

namespace TlsDoctor.Lab.Servers;

/// <summary>
/// The ClientHello checks some firmware does before its TLS stack sees the hello (a fixed-size parser buffer, an
/// extension it chokes on). The hello is only peeked at, so an accepted one reaches BouncyCastle untouched.
/// </summary>
internal static class HelloGate
{
    private const int MaxPeek = 64 * 1024;

    /// <summary>True when the spec checks hellos at all.</summary>
    public static bool Applies(LabServerSpec spec) => spec.MaxHelloSuites is not null || spec.RejectStatusRequest;

    /// <summary>Peeks the ClientHello and, when the spec refuses it, answers (or just closes) and returns false.</summary>
    public static bool Admit(Socket socket, LabServerSpec spec, TimeSpan timeout)
    {
        var hello = Peek(socket, timeout);
        if (hello is null) return true; // not a hello we understand: let the TLS stack say so
        if (spec.MaxHelloSuites is { } max && hello.CipherSuites.Count > max)
        {
            var version = hello.LegacyVersion is >= 0x0300 and <= 0x0303 ? hello.LegacyVersion : (ushort)0x0303;
            HangUp(socket, HostileServer.AlertRecord(version, 50 /* decode_error */), timeout);
            return false;
        }
        // status_request is extension 5; the firmware closes without an alert.
        if (!spec.RejectStatusRequest || !hello.ExtensionTypes.Contains((ushort)5)) return true;
        HangUp(socket, [], timeout);
        return false;
    }

    // Consumes the hello, sends the answer and FIN, then waits for the client to close: closing with unread bytes
    // would send an RST, and the client could lose the answer.
    private static void HangUp(Socket socket, byte[] answer, TimeSpan timeout)
    {
        var sink = new byte[4096];
        try
        {
            while (socket.Available > 0) socket.Receive(sink);
            if (answer.Length > 0) socket.Send(answer);
            socket.Shutdown(SocketShutdown.Send);
            socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
            while (socket.Receive(sink) > 0) { }
        }
        catch (SocketException) { /* the client left first */ }
    }

    private static ClientHelloSummary? Peek(Socket socket, TimeSpan timeout)
    {
        var buffer = new byte[4096];
        var deadline = DateTime.UtcNow + timeout;
        socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        while (DateTime.UtcNow < deadline)
        {
            var n = socket.Receive(buffer, SocketFlags.Peek);
            // Not a TLS handshake record (an SSLv2 CLIENT-HELLO): nothing for the gate, and more bytes would not change that.
            if (n == 0 || buffer[0] != 22) return null;
            if (Complete(buffer.AsSpan(0, n)) is { } body) return ClientHelloSummary.Parse(body);
            if (n == buffer.Length)
            {
                if (buffer.Length >= MaxPeek) return null;
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            else Thread.Sleep(5); // more of the hello is on its way
        }
        return null;
    }

    // The ClientHello body once every record that carries it has arrived.
    private static byte[]? Complete(ReadOnlySpan<byte> data)
    {
        var handshake = new List<byte>();
        while (data.Length >= 5 && data[0] == 22)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[3..]);
            if (data.Length < 5 + length) return null;
            handshake.AddRange(data.Slice(5, length));
            data = data[(5 + length)..];
            if (handshake.Count >= 4 && handshake.Count >= 4 + ((handshake[1] << 16) | (handshake[2] << 8) | handshake[3]))
                return [.. handshake.Skip(4)];
        }
        return null;
    }
}
