using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using TlsDoctor.Lab.Hostile;

namespace TlsDoctor.Lab.Legacy;

/// <summary>The `mfd-ssl-only` device: answers SSLv2 and SSL 3.0 hellos like old printer firmware, at hello level only.</summary>
/// <remarks>
/// Neither OpenSSL nor GnuTLS on a current distribution can serve these versions, and BouncyCastle refuses SSL 3.0,
/// so the bytes are written here. No key exchange is ever completed: a scanner learns everything from the hellos.
/// </remarks>
internal static class SslOnlyServer
{
    // SSL 3.0 suites in the device's preference order; 3DES first as in late-1990s stacks that rated it strongest.
    private static readonly ushort[] Ssl3Suites = [0x000A /* TLS_RSA_WITH_3DES_EDE_CBC_SHA */, 0x0005 /* TLS_RSA_WITH_RC4_128_SHA */];

    private static readonly int[] Sslv2Kinds = [0x010080 /* SSL_CK_RC4_128_WITH_MD5 */, 0x0700C0 /* SSL_CK_DES_192_EDE3_CBC_WITH_MD5 */];

    private const ushort Ssl3 = 0x0300;
    private const byte Sslv2ClientHello = 1;
    private const byte Sslv2ServerHello = 4;
    private const byte Sslv2Error = 0;
    private const byte Sslv2CertificateTypeX509 = 1;
    private const ushort Sslv2Version = 0x0002;
    private const ushort Sslv2NoCipherError = 0x0001;
    // A CLIENT-HELLO without its 2-byte header: type, version and three lengths before any data.
    private const int Sslv2ClientHelloFixed = 9;

    public static bool Handles(string profile) => profile == LabProfiles.MfdSslOnly;

    /// <summary>Serves one connection; never throws for anything the client does (only for the host's cancellation).</summary>
    public static async Task ServeAsync(Socket socket, byte[] certificateDer, TimeSpan readTimeout, CancellationToken ct)
    {
        try
        {
            // Five bytes tell the two framings apart and are never more than a ClientHello of either kind holds.
            var head = new byte[5];
            if (!await HostileServer.ReadExactAsync(socket, head, readTimeout, ct).ConfigureAwait(false)) return;
            if (head[0] == 22)
                await ServeSsl3Async(socket, head, certificateDer, readTimeout, ct).ConfigureAwait(false);
            else if ((head[0] & 0x80) != 0 && head[2] == Sslv2ClientHello)
                await ServeSslv2Async(socket, head, certificateDer, readTimeout, ct).ConfigureAwait(false);
            else
                await HostileServer.HangUpAsync(socket, readTimeout, ct).ConfigureAwait(false); // not a hello this firmware knows
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The client went quiet past the read timeout.
        }
        catch (SocketException)
        {
            // The client reset or left mid-conversation.
        }
    }

    private static async Task ServeSsl3Async(Socket socket, byte[] head, byte[] certificateDer, TimeSpan readTimeout, CancellationToken ct)
    {
        var hello = await HostileServer.ReadClientHelloAsync(socket, readTimeout, ct, head).ConfigureAwait(false);
        if (hello is null || hello.HighestVersion < Ssl3)
        {
            await HostileServer.HangUpAsync(socket, readTimeout, ct).ConfigureAwait(false);
            return;
        }
        // RFC 5246 E.1: a server that only knows a lower version answers with its highest one, here SSL 3.0.
        var suite = Ssl3Suites.FirstOrDefault(hello.CipherSuites.Contains);
        if (suite == 0)
        {
            await HostileServer.SendAsync(socket, HostileServer.AlertRecord(Ssl3, 40 /* handshake_failure */), ct).ConfigureAwait(false);
            await HostileServer.HangUpAsync(socket, readTimeout, ct).ConfigureAwait(false);
            return;
        }
        byte[] flight = [.. HostileServer.ServerHello(Ssl3, suite), .. CertificateAndDone(certificateDer)];
        await HostileServer.SendAsync(socket, flight, ct).ConfigureAwait(false);
        // The client would now send its ClientKeyExchange; this device only waits for it to leave.
        await HostileServer.DrainAsync(socket, readTimeout, ct).ConfigureAwait(false);
    }

    private static async Task ServeSslv2Async(Socket socket, byte[] head, byte[] certificateDer, TimeSpan readTimeout, CancellationToken ct)
    {
        var length = ((head[0] & 0x7F) << 8) | head[1];
        var message = new byte[Math.Max(length, Sslv2ClientHelloFixed)];
        head.AsSpan(2).CopyTo(message); // type and version, already read with the header
        if (length < Sslv2ClientHelloFixed
            || !await HostileServer.ReadExactAsync(socket, message.AsMemory(3), readTimeout, ct).ConfigureAwait(false)
            || !TryReadClientKinds(message.AsSpan(0, length), out var offered))
        {
            await HostileServer.HangUpAsync(socket, readTimeout, ct).ConfigureAwait(false);
            return;
        }

        // Like SSLeay, the SERVER-HELLO lists the kinds both sides have; none in common is a NO-CIPHER-ERROR.
        var common = Sslv2Kinds.Where(offered.Contains).ToArray();
        var answer = common.Length == 0 ? Sslv2ErrorRecord(Sslv2NoCipherError) : Sslv2ServerHelloRecord(certificateDer, common);
        await HostileServer.SendAsync(socket, answer, ct).ConfigureAwait(false);
        await HostileServer.HangUpAsync(socket, readTimeout, ct).ConfigureAwait(false);
    }

    //   char MSG-CLIENT-HELLO; char CLIENT-VERSION-MSB/LSB; char CIPHER-SPECS-LENGTH-MSB/LSB;
    //   char SESSION-ID-LENGTH-MSB/LSB; char CHALLENGE-LENGTH-MSB/LSB; CIPHER-SPECS-DATA; SESSION-ID-DATA; CHALLENGE-DATA
    private static bool TryReadClientKinds(ReadOnlySpan<byte> message, out List<int> kinds)
    {
        kinds = [];
        var specsLength = BinaryPrimitives.ReadUInt16BigEndian(message[3..]);
        var sessionIdLength = BinaryPrimitives.ReadUInt16BigEndian(message[5..]);
        var challengeLength = BinaryPrimitives.ReadUInt16BigEndian(message[7..]);
        if (specsLength % 3 != 0 || Sslv2ClientHelloFixed + specsLength + sessionIdLength + challengeLength != message.Length) return false;
        var specs = message.Slice(Sslv2ClientHelloFixed, specsLength);
        for (var i = 0; i < specs.Length; i += 3) kinds.Add((specs[i] << 16) | (specs[i + 1] << 8) | specs[i + 2]);
        return true;
    }

    //   char MSG-SERVER-HELLO; char SESSION-ID-HIT; char CERTIFICATE-TYPE; char SERVER-VERSION-MSB/LSB;
    //   char CERTIFICATE-LENGTH-MSB/LSB; char CIPHER-SPECS-LENGTH-MSB/LSB; char CONNECTION-ID-LENGTH-MSB/LSB;
    //   CERTIFICATE-DATA; CIPHER-SPECS-DATA; CONNECTION-ID-DATA
    private static byte[] Sslv2ServerHelloRecord(byte[] certificateDer, int[] kinds)
    {
        const int connectionIdLength = 16;
        var length = 11 + certificateDer.Length + kinds.Length * 3 + connectionIdLength;
        var rec = new byte[2 + length];
        var s = rec.AsSpan();
        // A two-byte header (high bit set, no padding) holds at most 32767 bytes; an RSA-1024 certificate is ~600.
        BinaryPrimitives.WriteUInt16BigEndian(s, (ushort)(0x8000 | length));
        s[2] = Sslv2ServerHello;
        s[3] = 0; // SESSION-ID-HIT: no session cache
        s[4] = Sslv2CertificateTypeX509;
        BinaryPrimitives.WriteUInt16BigEndian(s[5..], Sslv2Version);
        BinaryPrimitives.WriteUInt16BigEndian(s[7..], (ushort)certificateDer.Length);
        BinaryPrimitives.WriteUInt16BigEndian(s[9..], (ushort)(kinds.Length * 3));
        BinaryPrimitives.WriteUInt16BigEndian(s[11..], connectionIdLength);
        var p = 13;
        certificateDer.CopyTo(s[p..]);
        p += certificateDer.Length;
        foreach (var k in kinds)
        {
            s[p] = (byte)(k >> 16); s[p + 1] = (byte)(k >> 8); s[p + 2] = (byte)k;
            p += 3;
        }
        RandomNumberGenerator.Fill(s.Slice(p, connectionIdLength));
        return rec;
    }

    //   char MSG-ERROR; char ERROR-CODE-MSB; char ERROR-CODE-LSB
    private static byte[] Sslv2ErrorRecord(ushort code)
    {
        var rec = new byte[2 + 3];
        BinaryPrimitives.WriteUInt16BigEndian(rec, 0x8000 | 3);
        rec[2] = Sslv2Error;
        BinaryPrimitives.WriteUInt16BigEndian(rec.AsSpan(3), code);
        return rec;
    }

    // Certificate and ServerHelloDone in one SSL 3.0 handshake record: the rest of the ServerHello's flight.
    private static byte[] CertificateAndDone(byte[] certificateDer)
    {
        var certificateBody = 3 + 3 + certificateDer.Length; // certificate_list length, then one length-prefixed certificate
        var fragment = 4 + certificateBody + 4;
        var rec = new byte[5 + fragment];
        var s = rec.AsSpan();
        s[0] = 22;
        BinaryPrimitives.WriteUInt16BigEndian(s[1..], Ssl3);
        BinaryPrimitives.WriteUInt16BigEndian(s[3..], (ushort)fragment);
        s[5] = 11; // certificate
        WriteUInt24(s[6..], certificateBody);
        WriteUInt24(s[9..], 3 + certificateDer.Length);
        WriteUInt24(s[12..], certificateDer.Length);
        certificateDer.CopyTo(s[15..]);
        var p = 15 + certificateDer.Length;
        s[p] = 14; // server_hello_done, empty body
        return rec;
    }


    private static void WriteUInt24(Span<byte> s, int value)
    {
        s[0] = (byte)(value >> 16);
        s[1] = (byte)(value >> 8);
        s[2] = (byte)value;
    }
}
