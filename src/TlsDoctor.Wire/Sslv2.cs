using System.Collections.Immutable;

namespace TlsDoctor.Wire;

/// <summary>SSL 2.0 framing and hellos (draft-hickman-netscape-ssl-00), enough to detect SSLv2 support.</summary>
public static class Sslv2
{
    public const byte MsgError = 0;
    public const byte MsgClientHello = 1;
    public const byte MsgServerHello = 4;
    public const int MaxTwoByteRecordLength = 0x7FFF;

    // Two-byte record header: length with the high bit set, no padding.
    //   char MSG-CLIENT-HELLO; char CLIENT-VERSION-MSB; char CLIENT-VERSION-LSB;
    //   char CIPHER-SPECS-LENGTH-MSB/LSB; char SESSION-ID-LENGTH-MSB/LSB; char CHALLENGE-LENGTH-MSB/LSB;
    //   char CIPHER-SPECS-DATA[]; char SESSION-ID-DATA[]; char CHALLENGE-DATA[];
    /// <summary>An SSLv2 CLIENT-HELLO with its 2-byte record header; challenge must be 16–32 bytes.</summary>
    public static byte[] BuildClientHello(IEnumerable<int> cipherKinds, ReadOnlySpan<byte> challenge, ushort version = 0x0002)
    {
        ArgumentNullException.ThrowIfNull(cipherKinds);
        if (challenge.Length is < 16 or > 32) throw new ArgumentException($"challenge must be 16..32 bytes, got {challenge.Length}", nameof(challenge));
        var kinds = cipherKinds.ToArray();
        foreach (var k in kinds)
            if (k is < 0 or > 0xFFFFFF) throw new ArgumentException($"cipher kind 0x{k:x} does not fit 3 bytes", nameof(cipherKinds));
        var length = 9 + kinds.Length * 3 + challenge.Length;
        if (length > MaxTwoByteRecordLength) throw new ArgumentException("hello too long for a two-byte SSLv2 header", nameof(cipherKinds));
        var w = new WireWriter(2 + length);
        w.U16(0x8000 | length);
        w.U8(MsgClientHello);
        w.U16(version);
        w.U16(kinds.Length * 3);
        w.U16(0); // no session id
        w.U16(challenge.Length);
        foreach (var k in kinds) w.U24(k);
        w.Bytes(challenge);
        return w.ToArray();
    }

    /// <summary>Reads one SSLv2 record with a two-byte header; message excludes the header.</summary>
    public static WireStatus TryReadRecord(ReadOnlySpan<byte> input, out ReadOnlyMemory<byte> message, out int consumed, out WireError error)
    {
        message = ReadOnlyMemory<byte>.Empty;
        consumed = 0;
        var r = new TlsReader(input, open: true);
        var header = r.ReadUInt16("SSLv2.record_header");
        if (r.Failed) return r.Finish(out error);
        if ((header & 0x8000) == 0)
        {
            error = new WireError(0, "SSLv2.record_header", "high bit clear: three-byte header or not SSLv2");
            return WireStatus.Malformed;
        }
        var length = header & 0x7FFF;
        if (length == 0)
        {
            error = new WireError(0, "SSLv2.record_length", "zero-length record");
            return WireStatus.Malformed;
        }
        var body = r.ReadBytes(length, "SSLv2.message");
        if (r.Failed) return r.Finish(out error);
        message = body.ToArray();
        consumed = 2 + length;
        error = default;
        return WireStatus.Done;
    }

    //   char MSG-ERROR; char ERROR-CODE-MSB; char ERROR-CODE-LSB
    /// <summary>Reads an SSLv2 ERROR message (after the header): 1 = no cipher, 2 = no certificate, 4 = bad certificate, 6 = unsupported certificate type.</summary>
    public static WireStatus TryReadError(ReadOnlySpan<byte> message, out ushort errorCode, out WireError error)
    {
        var r = new TlsReader(message);
        var at = r.Offset;
        var type = r.ReadUInt8("SSLv2.msg_type");
        if (!r.Failed && type != MsgError) r.FailAt(WireStatus.Malformed, at, "SSLv2.msg_type", $"expected ERROR (0), got {type}");
        errorCode = r.ReadUInt16("SSLv2.error_code");
        r.ExpectEnd("SSLv2.ERROR");
        return r.Finish(out error);
    }
}

/// <summary>An SSLv2 SERVER-HELLO: version, certificate (DER), cipher kinds (3-byte codes) and connection id.</summary>
public sealed record Sslv2ServerHello(
    ushort Version,
    bool SessionIdHit,
    byte CertificateType,
    ReadOnlyMemory<byte> Certificate,
    ImmutableArray<int> CipherKinds,
    ReadOnlyMemory<byte> ConnectionId);

/// <summary>Parses an SSLv2 SERVER-HELLO message (after the 2-byte header); never throws.</summary>
public static class Sslv2ServerHelloReader
{
    //   char MSG-SERVER-HELLO; char SESSION-ID-HIT; char CERTIFICATE-TYPE;
    //   char SERVER-VERSION-MSB/LSB; char CERTIFICATE-LENGTH-MSB/LSB;
    //   char CIPHER-SPECS-LENGTH-MSB/LSB; char CONNECTION-ID-LENGTH-MSB/LSB;
    //   char CERTIFICATE-DATA[]; char CIPHER-SPECS-DATA[]; char CONNECTION-ID-DATA[];
    public static WireStatus TryRead(ReadOnlySpan<byte> message, out Sslv2ServerHello hello, out WireError error)
    {
        hello = null!;
        var r = new TlsReader(message);
        var typeAt = r.Offset;
        var type = r.ReadUInt8("SSLv2.SERVER-HELLO.msg_type");
        if (!r.Failed && type != Sslv2.MsgServerHello)
            r.FailAt(WireStatus.Malformed, typeAt, "SSLv2.SERVER-HELLO.msg_type", type == Sslv2.MsgError ? "ERROR message, not SERVER-HELLO" : $"expected 4, got {type}");
        var hit = r.ReadUInt8("SSLv2.SERVER-HELLO.session_id_hit");
        var certType = r.ReadUInt8("SSLv2.SERVER-HELLO.certificate_type");
        var version = r.ReadUInt16("SSLv2.SERVER-HELLO.server_version");
        var certLen = r.ReadUInt16("SSLv2.SERVER-HELLO.certificate_length");
        var specsAt = r.Offset;
        var specsLen = r.ReadUInt16("SSLv2.SERVER-HELLO.cipher_specs_length");
        var connLen = r.ReadUInt16("SSLv2.SERVER-HELLO.connection_id_length");
        if (!r.Failed && specsLen % 3 != 0)
            r.FailAt(WireStatus.Malformed, specsAt, "SSLv2.SERVER-HELLO.cipher_specs_length", $"{specsLen} is not a multiple of 3");
        var cert = r.ReadBytes(certLen, "SSLv2.SERVER-HELLO.certificate");
        var specs = r.ReadBytes(specsLen, "SSLv2.SERVER-HELLO.cipher_specs");
        var conn = r.ReadBytes(connLen, "SSLv2.SERVER-HELLO.connection_id");
        r.ExpectEnd("SSLv2.SERVER-HELLO");
        if (r.Failed) return r.Finish(out error);
        hello = new Sslv2ServerHello(version, hit != 0, certType, cert.ToArray(), ReadKinds(specs), conn.ToArray());
        error = default;
        return WireStatus.Done;
    }

    internal static ImmutableArray<int> ReadKinds(ReadOnlySpan<byte> specs)
    {
        var b = ImmutableArray.CreateBuilder<int>(specs.Length / 3);
        for (var i = 0; i + 3 <= specs.Length; i += 3) b.Add((specs[i] << 16) | (specs[i + 1] << 8) | specs[i + 2]);
        return b.ToImmutable();
    }
}

/// <summary>An SSLv2-format CLIENT-HELLO (as sent by old clients, possibly offering TLS versions).</summary>
public sealed record Sslv2ClientHello(ushort Version, ImmutableArray<int> CipherKinds, ReadOnlyMemory<byte> SessionId, ReadOnlyMemory<byte> Challenge);

/// <summary>Parses an SSLv2 CLIENT-HELLO message (after the 2-byte header); never throws.</summary>
public static class Sslv2ClientHelloReader
{
    public static WireStatus TryRead(ReadOnlySpan<byte> message, out Sslv2ClientHello hello, out WireError error)
    {
        hello = null!;
        var r = new TlsReader(message);
        var typeAt = r.Offset;
        var type = r.ReadUInt8("SSLv2.CLIENT-HELLO.msg_type");
        if (!r.Failed && type != Sslv2.MsgClientHello)
            r.FailAt(WireStatus.Malformed, typeAt, "SSLv2.CLIENT-HELLO.msg_type", $"expected 1, got {type}");
        var version = r.ReadUInt16("SSLv2.CLIENT-HELLO.version");
        var specsAt = r.Offset;
        var specsLen = r.ReadUInt16("SSLv2.CLIENT-HELLO.cipher_specs_length");
        var sidLen = r.ReadUInt16("SSLv2.CLIENT-HELLO.session_id_length");
        var chAt = r.Offset;
        var chLen = r.ReadUInt16("SSLv2.CLIENT-HELLO.challenge_length");
        if (!r.Failed && specsLen % 3 != 0)
            r.FailAt(WireStatus.Malformed, specsAt, "SSLv2.CLIENT-HELLO.cipher_specs_length", $"{specsLen} is not a multiple of 3");
        // SSLv2 (draft-hickman-netscape-ssl-00) and RFC 6101 E.1: CHALLENGE-LENGTH is 16 to 32 bytes.
        if (!r.Failed && chLen is < 16 or > 32)
            r.FailAt(WireStatus.Malformed, chAt, "SSLv2.CLIENT-HELLO.challenge_length", $"{chLen} is outside 16..32");
        var specs = r.ReadBytes(specsLen, "SSLv2.CLIENT-HELLO.cipher_specs");
        var sid = r.ReadBytes(sidLen, "SSLv2.CLIENT-HELLO.session_id");
        var challenge = r.ReadBytes(chLen, "SSLv2.CLIENT-HELLO.challenge");
        r.ExpectEnd("SSLv2.CLIENT-HELLO");
        if (r.Failed) return r.Finish(out error);
        hello = new Sslv2ClientHello(version, Sslv2ServerHelloReader.ReadKinds(specs), sid.ToArray(), challenge.ToArray());
        error = default;
        return WireStatus.Done;
    }
}
