using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace TlsDoctor.Lab.Hostile;

/// <summary>Raw-socket servers that read a ClientHello and then misbehave in one named way.</summary>
internal static class HostileServer
{
    private static readonly TimeSpan DripInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxHold = TimeSpan.FromSeconds(30);

    public static bool Handles(string profile) => profile.StartsWith("hostile-", StringComparison.Ordinal);

    /// <summary>Serves one connection; never throws for anything the client does.</summary>
    public static async Task ServeAsync(string profile, Socket socket, TimeSpan readTimeout, CancellationToken ct)
    {
        var hello = await ReadClientHelloAsync(socket, readTimeout, ct).ConfigureAwait(false) ?? ClientHelloSummary.Fallback;
        if (MalformedFlights.For(profile, hello, ChooseOfferedSuite) is { } flight)
        {
            await SendAsync(socket, flight, ct).ConfigureAwait(false);
            await DrainAsync(socket, readTimeout, ct).ConfigureAwait(false);
            return;
        }
        switch (profile)
        {
            case LabProfiles.HostileGarbage:
                var garbage = RandomNumberGenerator.GetBytes(96);
                garbage[0] = 0xC7; // never a valid content type (20..24), so no parser can mistake it for a record
                garbage[2] = 0xC7; // nor for an SSLv2 message: its third byte would be the type (0, 1 or 4 by 3 chances in 256)
                await SendAsync(socket, garbage, ct).ConfigureAwait(false);
                await HangUpAsync(socket, readTimeout, ct).ConfigureAwait(false);
                break;
            case LabProfiles.HostileHttp:
                await SendAsync(socket, Encoding.ASCII.GetBytes(
                    "HTTP/1.1 400 Bad Request\r\nServer: lab\r\nContent-Type: text/plain\r\nContent-Length: 38\r\nConnection: close\r\n\r\nThis port speaks plain HTTP, not TLS.\n"), ct).ConfigureAwait(false);
                await HangUpAsync(socket, readTimeout, ct).ConfigureAwait(false);
                break;
            case LabProfiles.HostileSlowDrip:
                var sh = ServerHello(ChooseVersion(hello), ChooseOfferedSuite(hello));
                var deadline = DateTime.UtcNow + MaxHold;
                for (var i = 0; i < sh.Length && DateTime.UtcNow < deadline; i++)
                {
                    await SendAsync(socket, sh.AsMemory(i, 1), ct).ConfigureAwait(false);
                    await Task.Delay(DripInterval, ct).ConfigureAwait(false);
                }
                break;
            case LabProfiles.HostileResetAfterHello:
                socket.LingerState = new LingerOption(true, 0); // close() with zero linger sends RST, not FIN
                break;
            case LabProfiles.HostileSilent:
                await DrainAsync(socket, readTimeout, ct).ConfigureAwait(false);
                break;
            case LabProfiles.HostileTruncated:
                var full = ServerHello(ChooseVersion(hello), ChooseOfferedSuite(hello));
                await SendAsync(socket, full.AsMemory(0, full.Length / 2), ct).ConfigureAwait(false);
                await HangUpAsync(socket, readTimeout, ct).ConfigureAwait(false);
                break;
            case LabProfiles.HostileAbsurdLength:
                await SendAsync(socket, AbsurdLengthRecord(ChooseVersion(hello)), ct).ConfigureAwait(false);
                await DrainAsync(socket, readTimeout, ct).ConfigureAwait(false);
                break;
            case LabProfiles.HostileUnofferedSuite:
                await SendAsync(socket, ServerHello(ChooseVersion(hello), ChooseUnofferedSuite(hello)), ct).ConfigureAwait(false);
                await DrainAsync(socket, readTimeout, ct).ConfigureAwait(false);
                break;
            case LabProfiles.HostileUnofferedVersion:
                await SendAsync(socket, ServerHello((ushort)(hello.HighestVersion + 1), ChooseOfferedSuite(hello)), ct).ConfigureAwait(false);
                await DrainAsync(socket, readTimeout, ct).ConfigureAwait(false);
                break;
            case LabProfiles.HostileAlertOnHello:
                await SendAlertAsync(socket, hello, 40 /* handshake_failure */, readTimeout, ct).ConfigureAwait(false);
                break;
            case LabProfiles.HostileVersionIntolerant:
                // Old firmware that compares client_version for equality: anything but TLS 1.0 is "unsupported".
                ushort[] accepted = [0x002F, 0x0035];
                if (hello.HighestVersion != 0x0301)
                    await SendAlertAsync(socket, hello, 70 /* protocol_version */, readTimeout, ct).ConfigureAwait(false);
                else if (hello.CipherSuites.FirstOrDefault(accepted.Contains) is var suite && suite != 0)
                {
                    await SendAsync(socket, ServerHello(0x0301, suite), ct).ConfigureAwait(false);
                    await DrainAsync(socket, readTimeout, ct).ConfigureAwait(false);
                }
                else
                    await SendAlertAsync(socket, hello, 40 /* handshake_failure */, readTimeout, ct).ConfigureAwait(false);
                break;
        }
    }

    // A handshake record header claiming 65535 bytes around a server_hello claiming 16777215, followed by 38 bytes.
    private static byte[] AbsurdLengthRecord(ushort version)
    {
        var absurd = new byte[5 + 4 + 38];
        absurd[0] = 22;
        BinaryPrimitives.WriteUInt16BigEndian(absurd.AsSpan(1), version > 0x0303 ? (ushort)0x0303 : version);
        BinaryPrimitives.WriteUInt16BigEndian(absurd.AsSpan(3), 0xFFFF);
        absurd[5] = 2; // server_hello
        absurd[6] = 0xFF; absurd[7] = 0xFF; absurd[8] = 0xFF;
        BinaryPrimitives.WriteUInt16BigEndian(absurd.AsSpan(9), 0x0303);
        return absurd;
    }

    private static async Task SendAlertAsync(Socket socket, ClientHelloSummary hello, byte description, TimeSpan readTimeout, CancellationToken ct)
    {
        var version = hello.LegacyVersion is >= 0x0300 and <= 0x0303 ? hello.LegacyVersion : (ushort)0x0301;
        await SendAsync(socket, AlertRecord(version, description), ct).ConfigureAwait(false);
        await HangUpAsync(socket, readTimeout, ct).ConfigureAwait(false);
    }

    /// <summary>A fatal alert record in the given record version.</summary>
    internal static byte[] AlertRecord(ushort recordVersion, byte description)
    {
        var alert = new byte[7];
        alert[0] = 21;
        BinaryPrimitives.WriteUInt16BigEndian(alert.AsSpan(1), recordVersion);
        BinaryPrimitives.WriteUInt16BigEndian(alert.AsSpan(3), 2);
        alert[5] = 2; // fatal
        alert[6] = description;
        return alert;
    }

    /// <summary>Sends FIN, then reads until the peer closes: closing with unread bytes would send an RST and the peer
    /// could lose the answer still in its receive buffer.</summary>
    internal static async Task HangUpAsync(Socket socket, TimeSpan readTimeout, CancellationToken ct)
    {
        socket.Shutdown(SocketShutdown.Send);
        await DrainAsync(socket, readTimeout, ct).ConfigureAwait(false);
    }

    // The highest version the client offered, capped at TLS 1.2 because a TLS 1.3 ServerHello needs key shares.
    private static ushort ChooseVersion(ClientHelloSummary hello) => Math.Min(hello.HighestVersion, (ushort)0x0303);

    private static ushort ChooseOfferedSuite(ClientHelloSummary hello)
    {
        foreach (var s in hello.CipherSuites)
        {
            // Skip TLS 1.3 suites (0x13xx), SCSVs (0x00FF, 0x5600) and GREASE.
            if ((s & 0xFF00) == 0x1300 || s is 0x00FF or 0x5600 || (s & 0x0F0F) == 0x0A0A) continue;
            return s;
        }
        return 0x002F;
    }

    private static ushort ChooseUnofferedSuite(ClientHelloSummary hello)
    {
        // Real suites a client may well not offer; the first one missing from the offer is used.
        ushort[] candidates = [0x0004 /*RSA_WITH_RC4_128_MD5*/, 0x0001 /*RSA_WITH_NULL_MD5*/, 0x0018 /*DH_anon_WITH_RC4_128_MD5*/,
            0x002F, 0x0035, 0xC02F, 0xC030, 0x009C];
        foreach (var c in candidates)
            if (!hello.CipherSuites.Contains(c)) return c;
        return 0x0000;
    }

    /// <summary>A ServerHello record (no extensions, empty session id, null compression).</summary>
    internal static byte[] ServerHello(ushort version, ushort suite)
    {
        const int bodyLen = 2 + 32 + 1 + 2 + 1;
        var rec = new byte[5 + 4 + bodyLen];
        var s = rec.AsSpan();
        s[0] = 22;
        BinaryPrimitives.WriteUInt16BigEndian(s[1..], version > 0x0303 ? (ushort)0x0303 : version);
        BinaryPrimitives.WriteUInt16BigEndian(s[3..], 4 + bodyLen);
        s[5] = 2;
        s[6] = 0; BinaryPrimitives.WriteUInt16BigEndian(s[7..], bodyLen);
        BinaryPrimitives.WriteUInt16BigEndian(s[9..], version);
        RandomNumberGenerator.Fill(s.Slice(11, 32));
        s[43] = 0; // session_id length
        BinaryPrimitives.WriteUInt16BigEndian(s[44..], suite);
        s[46] = 0; // compression null
        return rec;
    }

    /// <summary>
    /// Reads records until one whole ClientHello arrived; null if the bytes are not a TLS ClientHello.
    /// firstHeader: the first record's 5-byte header when the caller already read it to tell TLS from SSLv2.
    /// </summary>
    internal static async Task<ClientHelloSummary?> ReadClientHelloAsync(Socket socket, TimeSpan readTimeout, CancellationToken ct, ReadOnlyMemory<byte> firstHeader = default)
    {
        var handshake = new List<byte>();
        var header = new byte[5];
        var given = firstHeader.Length == header.Length;
        while (handshake.Count < 64 * 1024)
        {
            if (given) { firstHeader.CopyTo(header); given = false; }
            else if (!await ReadExactAsync(socket, header, readTimeout, ct).ConfigureAwait(false)) return null;
            if (header[0] != 22) return null;
            var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(3))];
            if (!await ReadExactAsync(socket, body, readTimeout, ct).ConfigureAwait(false)) return null;
            handshake.AddRange(body);
            if (handshake.Count >= 4)
            {
                if (handshake[0] != 1) return null;
                var len = (handshake[1] << 16) | (handshake[2] << 8) | handshake[3];
                if (handshake.Count >= 4 + len)
                    return ClientHelloSummary.Parse(handshake.ToArray().AsSpan(4, len));
            }
        }
        return null;
    }

    internal static async Task<bool> ReadExactAsync(Socket socket, Memory<byte> buffer, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        var got = 0;
        while (got < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[got..], SocketFlags.None, cts.Token).ConfigureAwait(false);
            if (n == 0) return false;
            got += n;
        }
        return true;
    }

    internal static async Task SendAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        while (!data.IsEmpty)
        {
            var n = await socket.SendAsync(data, SocketFlags.None, ct).ConfigureAwait(false);
            data = data[n..];
        }
    }

    /// <summary>Reads and discards until the peer closes, the read timeout passes or the host stops.</summary>
    internal static async Task DrainAsync(Socket socket, TimeSpan readTimeout, CancellationToken ct)
    {
        var buf = new byte[4096];
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(readTimeout);
        try
        {
            while (await socket.ReceiveAsync(buf, SocketFlags.None, cts.Token).ConfigureAwait(false) > 0) { }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
    }
}
