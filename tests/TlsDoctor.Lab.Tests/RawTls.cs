using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace TlsDoctor.Lab.Tests;

/// <summary>Hand-built ClientHello and raw reads, to see exactly which bytes a device sends.</summary>
internal static class RawTls
{
    public static readonly ushort[] OfferedSuites = [0xC02F, 0x009C, 0x002F];

    /// <summary>A TLS 1.2 ClientHello (no supported_versions) offering <see cref="OfferedSuites"/>.</summary>
    public static byte[] ClientHello12()
    {
        var ext = new byte[] { 0x00, 0x0d, 0x00, 0x04, 0x00, 0x02, 0x04, 0x01 }; // signature_algorithms: rsa_pkcs1_sha256
        var bodyLen = 2 + 32 + 1 + 2 + OfferedSuites.Length * 2 + 2 + 2 + ext.Length;
        var b = new byte[5 + 4 + bodyLen];
        var s = b.AsSpan();
        s[0] = 22;
        BinaryPrimitives.WriteUInt16BigEndian(s[1..], 0x0301);
        BinaryPrimitives.WriteUInt16BigEndian(s[3..], (ushort)(4 + bodyLen));
        s[5] = 1;
        s[6] = 0; BinaryPrimitives.WriteUInt16BigEndian(s[7..], (ushort)bodyLen);
        var p = 9;
        BinaryPrimitives.WriteUInt16BigEndian(s[p..], 0x0303); p += 2;
        Random.Shared.NextBytes(b.AsSpan(p, 32)); p += 32;
        s[p++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(s[p..], (ushort)(OfferedSuites.Length * 2)); p += 2;
        foreach (var c in OfferedSuites) { BinaryPrimitives.WriteUInt16BigEndian(s[p..], c); p += 2; }
        s[p++] = 1; s[p++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(s[p..], (ushort)ext.Length); p += 2;
        ext.CopyTo(s[p..]);
        return b;
    }

    /// <summary>Connects and sends <paramref name="hello"/> (a TLS 1.2 ClientHello unless given).</summary>
    public static async Task<Socket> ConnectAndHelloAsync(IPEndPoint ep, byte[]? hello = null)
    {
        var socket = new Socket(ep.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(ep);
        await socket.SendAsync(hello ?? ClientHello12(), SocketFlags.None);
        return socket;
    }

    /// <summary>Everything received until EOF or until <paramref name="window"/> passes; EOF tells whether the peer closed.</summary>
    public static async Task<(byte[] Bytes, bool Eof)> ReadAllAsync(Socket socket, TimeSpan window, int max = 1 << 16)
    {
        var ms = new MemoryStream();
        var buf = new byte[4096];
        using var cts = new CancellationTokenSource(window);
        try
        {
            while (ms.Length < max)
            {
                var n = await socket.ReceiveAsync(buf, SocketFlags.None, cts.Token);
                if (n == 0) return (ms.ToArray(), true);
                ms.Write(buf, 0, n);
            }
        }
        catch (OperationCanceledException) { }
        return (ms.ToArray(), false);
    }
}
