using System.Buffers.Binary;
using System.Security.Cryptography;

namespace TlsDoctor.Lab.Hostile;

/// <summary>
/// Server flights that are well-framed TLS but wrong in one field: a ServerHello version that is no TLS version, a
/// GREASE suite, deflate compression, a record version that changes mid-flight, a TLS 1.2 flight claiming TLS 1.3,
/// DH parameters no client can use. Each is what some real stack was seen to send.
/// </summary>
internal static class MalformedFlights
{
    /// <summary>The flight for a profile of this kind, or null when the profile is not one.</summary>
    public static byte[]? For(string profile, ClientHelloSummary hello, Func<ClientHelloSummary, ushort> offeredSuite) => profile switch
    {
        // 16 03 03 00 2a 02 00 00 26 00 02 + random + 00 00 2f 00: the 47-byte answer that crashed scan.
        LabProfiles.HostileSslv2Version => Record(0x0303, ServerHello(0x0002, 0x002F)),
        LabProfiles.HostileGreaseSuite => Record(0x0303, ServerHello(Tls12OrBelow(hello), 0x0A0A)),
        LabProfiles.HostileDeflate => Record(0x0303, ServerHello(Tls12OrBelow(hello), offeredSuite(hello), compression: 1)),
        LabProfiles.HostileRecordVersionChange => [.. Record(0x0303, ServerHello(Tls12OrBelow(hello), offeredSuite(hello))), .. Record(0x0301, ServerHelloDone)],
        // Two RSA suites only, so a scan of it stays short.
        LabProfiles.HostileFakeTls13 => hello.CipherSuites.FirstOrDefault(s => s is 0x002F or 0x0035) is var suite and not 0
            ? Record(0x0303, [.. ServerHello(0x0303, suite, extensions: hello.HighestVersion >= 0x0304 ? [0x00, 0x2B, 0x00, 0x02, 0x03, 0x04] : []), .. ServerHelloDone])
            : HostileServer.AlertRecord(0x0303, 40 /* handshake_failure */),
        LabProfiles.HostileInvalidDh => hello.CipherSuites.Contains((ushort)0x0033)
            ? Record(Tls12OrBelow(hello), [.. ServerHello(Tls12OrBelow(hello), 0x0033), .. EvenPrimeKeyExchange(Tls12OrBelow(hello)), .. ServerHelloDone])
            : HostileServer.AlertRecord(0x0303, 40 /* handshake_failure */),
        _ => null,
    };

    private static ushort Tls12OrBelow(ClientHelloSummary hello) => Math.Min(hello.HighestVersion, (ushort)0x0303);

    private static readonly byte[] ServerHelloDone = [14, 0, 0, 0];

    private static byte[] Record(ushort version, byte[] fragment)
    {
        var rec = new byte[5 + fragment.Length];
        rec[0] = 22;
        BinaryPrimitives.WriteUInt16BigEndian(rec.AsSpan(1), version);
        BinaryPrimitives.WriteUInt16BigEndian(rec.AsSpan(3), (ushort)fragment.Length);
        fragment.CopyTo(rec, 5);
        return rec;
    }

    private static byte[] Handshake(byte type, byte[] body) => [type, 0, (byte)(body.Length >> 8), (byte)body.Length, .. body];

    // ServerHello: version, random, empty session id, suite, compression, then an extensions block when given.
    private static byte[] ServerHello(ushort version, ushort suite, byte compression = 0, byte[]? extensions = null)
    {
        var random = RandomNumberGenerator.GetBytes(32);
        byte[] body = [(byte)(version >> 8), (byte)version, .. random, 0, (byte)(suite >> 8), (byte)suite, compression];
        if (extensions is { Length: > 0 }) body = [.. body, (byte)(extensions.Length >> 8), (byte)extensions.Length, .. extensions];
        return Handshake(2, body);
    }

    // ServerDHParams with an even 1024-bit "prime" (all ones but the last bit), g = 2 and a plausible Ys, then a dummy
    // signature: no client can compute a key with it.
    private static byte[] EvenPrimeKeyExchange(ushort version)
    {
        var p = Enumerable.Repeat((byte)0xFF, 128).ToArray();
        p[^1] = 0xFE;
        var ys = Enumerable.Repeat((byte)0x5A, 128).ToArray();
        byte[] parameters = [0, 128, .. p, 0, 1, 2, 0, 128, .. ys];
        byte[] signature = version >= 0x0303 ? [0x04, 0x01, 0, 4, 1, 2, 3, 4] : [0, 4, 1, 2, 3, 4];
        return Handshake(12, [.. parameters, .. signature]);
    }
}
