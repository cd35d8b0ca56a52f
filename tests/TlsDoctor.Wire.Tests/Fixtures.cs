using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Wire;

namespace TlsDoctor.Wire.Tests;

/// <summary>Byte fixtures shared by the tests; hex may contain spaces, newlines and // comments.</summary>
internal static class Fixtures
{
    public static byte[] Hex(string annotated)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var line in annotated.Split('\n'))
        {
            var code = line;
            var c = code.IndexOf("//", StringComparison.Ordinal);
            if (c >= 0) code = code[..c];
            foreach (var ch in code) if (Uri.IsHexDigit(ch)) sb.Append(ch);
        }
        return Convert.FromHexString(sb.ToString());
    }

    // RFC 8448 §3 "Simple 1-RTT Handshake": {client} construct a ClientHello handshake message.
    public static readonly byte[] Rfc8448ClientHello = Hex("""
        01 00 00 c0 03 03 cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2
        1a 8d 99 12 ec 18 a2 ef 62 83 02 4d ec e7 00 00 06 13 01 13 03 13 02 01
        00 00 91 00 00 00 0b 00 09 00 00 06 73 65 72 76 65 72 ff 01 00 01 00 00
        0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00
        23 00 00 00 33 00 26 00 24 00 1d 00 20 99 38 1d e5 60 e4 bd 43 d2 3d 8e
        43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69 1e 52 9a af 2c 00 2b 00
        03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06
        04 01 05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c
        00 02 40 01
        """);

    // RFC 8448 §3: {server} construct a ServerHello handshake message.
    public static readonly byte[] Rfc8448ServerHello = Hex("""
        02 00 00 56 03 03 a6 af 06 a4 12 18 60 dc 5e 6e 60 24 9c d3 4c 95 93 0c
        8a c5 cb 14 34 da c1 55 77 2e d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24
        00 1d 00 20 c9 82 88 76 11 20 95 fe 66 76 2b db f7 c6 72 e1 56 d6 cc 25
        3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f 00 2b 00 02 03 04
        """);

    // A TLS 1.0 ServerHello as old printers send it: no extensions block at all.
    public static readonly byte[] Tls10ServerHelloNoExtensions = Hex("""
        02                    // Handshake.msg_type = server_hello
        00 00 46              // Handshake.length = 70
        03 01                 // ServerHello.server_version = TLS 1.0
        5a 4b 3c 2d 1e 0f 00 11 22 33 44 55 66 77 88 99   // ServerHello.random (32)
        aa bb cc dd ee ff 01 02 03 04 05 06 07 08 09 0a
        20                    // ServerHello.session_id length = 32
        10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f   // ServerHello.session_id
        20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f
        00 2f                 // ServerHello.cipher_suite = TLS_RSA_WITH_AES_128_CBC_SHA
        00                    // ServerHello.compression_method = null
        """);

    // A HelloRetryRequest: magic random, key_share selects secp256r1.
    public static readonly byte[] HelloRetryRequest = Hex("""
        02 00 00 34           // server_hello, length 52
        03 03                 // legacy_version
        cf 21 ad 74 e5 9a 61 11 be 1d 8c 02 1e 65 b8 91  // random = SHA-256("HelloRetryRequest")
        c2 a2 11 16 7a bb 8c 5e 07 9e 09 e2 c8 a8 33 9c
        00                    // legacy_session_id_echo: empty
        13 01                 // cipher_suite TLS_AES_128_GCM_SHA256
        00                    // legacy_compression_method
        00 0c                 // extensions length 12
        00 2b 00 02 03 04     // supported_versions: TLS 1.3
        00 33 00 02 00 17     // key_share: selected_group secp256r1
        """);

    // RFC 2409 Oakley group 2: the 1024-bit MODP prime.
    public static readonly byte[] Modp1024 = Hex("""
        FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1 29024E08 8A67CC74
        020BBEA6 3B139B22 514A0879 8E3404DD EF9519B3 CD3A431B 302B0A6D F25F1437
        4FE1356D 6D51C245 E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED
        EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE65381 FFFFFFFF FFFFFFFF
        """);

    /// <summary>A TLS 1.2 DHE ServerKeyExchange body with a leading zero byte before p (a quirk seen on devices).</summary>
    public static byte[] DheServerKeyExchangeBody(bool tls12 = true, bool leadingZero = true, bool anonymous = false)
    {
        var w = new List<byte>();
        var p = leadingZero ? [0, .. Modp1024] : Modp1024;
        Opaque16(w, p);                              // dh_p
        Opaque16(w, [0x02]);                         // dh_g = 2
        Opaque16(w, Enumerable.Range(0, 128).Select(i => (byte)(i * 7 + 1)).ToArray()); // dh_Ys
        if (!anonymous)
        {
            if (tls12) { w.Add(0x04); w.Add(0x01); }     // rsa_pkcs1_sha256
            Opaque16(w, Enumerable.Range(0, 256).Select(i => (byte)(255 - i)).ToArray()); // signature
        }
        return w.ToArray();
    }

    public static byte[] EcdheServerKeyExchangeBody(bool tls12 = true)
    {
        var w = new List<byte> { 0x03, 0x00, 0x17 };  // named_curve secp256r1
        w.Add(65); w.Add(0x04); w.AddRange(Enumerable.Range(0, 64).Select(i => (byte)(i + 3))); // uncompressed point
        if (tls12) { w.Add(0x04); w.Add(0x03); }      // ecdsa_secp256r1_sha256
        Opaque16(w, Enumerable.Range(0, 70).Select(i => (byte)(i ^ 0x5a)).ToArray());
        return w.ToArray();
    }

    public static byte[] EcdheExplicitPrimeBody()
    {
        var w = new List<byte> { 0x01 };             // explicit_prime
        Opaque8(w, [0xff, 0xff, 0xff, 0xfd]);        // prime_p
        Opaque8(w, [0x01]); Opaque8(w, [0x02]);      // curve a, b
        Opaque8(w, [0x04, 0x01, 0x02]);              // base
        Opaque8(w, [0x7f, 0x11]);                    // order
        Opaque8(w, [0x01]);                          // cofactor
        Opaque8(w, [0x04, 0x09, 0x08]);              // public point
        Opaque16(w, [1, 2, 3]);                      // signature (TLS 1.0 style)
        return w.ToArray();
    }

    public static readonly byte[] Cert1 = [0x30, 0x82, 0x00, 0x03, 0x01, 0x02, 0x03];
    public static readonly byte[] Cert2 = [0x30, 0x03, 0x0a, 0x0b, 0x0c];

    public static byte[] CertificateBody(bool tls13)
    {
        var list = new List<byte>();
        foreach (var c in new[] { Cert1, Cert2 })
        {
            Opaque24(list, c);
            if (tls13) { list.Add(0); list.Add(0); }   // no per-certificate extensions
        }
        var w = new List<byte>();
        if (tls13) w.Add(0);                           // empty certificate_request_context
        Opaque24(w, list.ToArray());
        return w.ToArray();
    }

    public static byte[] CertificateRequestBody(bool tls12)
    {
        var w = new List<byte>();
        Opaque8(w, [1, 64]);                           // rsa_sign, ecdsa_sign
        if (tls12) Opaque16(w, [0x04, 0x01, 0x04, 0x03]);
        var cas = new List<byte>();
        Opaque16(cas, [0x30, 0x00]);
        Opaque16(cas, [0x30, 0x02, 0x31, 0x00]);
        Opaque16(w, cas.ToArray());
        return w.ToArray();
    }

    public static byte[] Sslv2ServerHelloMessage() => Hex("""
        04                    // MSG-SERVER-HELLO
        00                    // SESSION-ID-HIT
        01                    // CERTIFICATE-TYPE = X.509
        00 02                 // SERVER-VERSION = SSL 2.0
        00 05                 // CERTIFICATE-LENGTH
        00 06                 // CIPHER-SPECS-LENGTH (2 kinds)
        00 10                 // CONNECTION-ID-LENGTH
        30 03 0a 0b 0c        // CERTIFICATE-DATA
        01 00 80 07 00 c0     // SSL_CK_RC4_128_WITH_MD5, SSL_CK_DES_192_EDE3_CBC_WITH_MD5
        00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f  // CONNECTION-ID
        """);

    public static ClientHelloSpec Tls12Spec() => new()
    {
        CipherSuites = [0xC02F, 0xC030, 0x009E, 0x0033, 0x002F, 0x00FF],
        ServerName = "printer-17.example",
        SupportedGroups = [0x001D, 0x0017, 0x0018],
        EcPointFormats = true,
        SignatureAlgorithms = [0x0804, 0x0401, 0x0403, 0x0201],
        RenegotiationInfo = true,
        ExtendedMasterSecret = true,
        SessionTicket = true,
    };

    public static ClientHelloSpec Tls13Spec() => Tls12Spec() with
    {
        CipherSuites = [0x1301, 0x1302, 0xC02F],
        SupportedVersions = [0x0304, 0x0303],
        KeyShares = [],
    };

    public static void Opaque8(List<byte> w, byte[] b) { w.Add((byte)b.Length); w.AddRange(b); }
    public static void Opaque16(List<byte> w, byte[] b) { w.Add((byte)(b.Length >> 8)); w.Add((byte)b.Length); w.AddRange(b); }
    public static void Opaque24(List<byte> w, byte[] b) { w.Add((byte)(b.Length >> 16)); w.Add((byte)(b.Length >> 8)); w.Add((byte)b.Length); w.AddRange(b); }

    public static byte[] Body(byte[] handshake) => handshake[4..];
}

/// <summary>ImmutableArray equality is by reference; tests compare contents through arrays.</summary>
internal static class ArrayHelpers
{
    public static T[] A<T>(this ImmutableArray<T> a) => a.IsDefault ? [] : a.ToArray();
    public static T[]? A<T>(this ImmutableArray<T>? a) => a?.ToArray();
}
