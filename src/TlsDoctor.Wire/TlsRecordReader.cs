using System.Buffers;

namespace TlsDoctor.Wire;

/// <summary>Reads TLS records (RFC 5246 §6.2.1) from buffered bytes; never throws.</summary>
public static class TlsRecordReader
{
    public const int HeaderLength = 5;
    /// <summary>2^14 + 2048: the largest TLSCiphertext fragment any version allows.</summary>
    public const int MaxFragmentLength = 16384 + 2048;

    // struct {
    //     ContentType type;
    //     ProtocolVersion version;
    //     uint16 length;
    //     opaque fragment[TLSPlaintext.length];
    // } TLSPlaintext;
    private const int TypeOffset = 0;
    private const int VersionOffset = TypeOffset + 1;
    private const int LengthOffset = VersionOffset + 2;

    /// <summary>Reads one record; consumed is the record's full size when Done, else 0.</summary>
    public static WireStatus TryRead(ReadOnlySpan<byte> input, out TlsRecord record, out int consumed, out WireError error)
    {
        record = null!;
        consumed = 0;
        var status = TryReadHeader(input, out var type, out var version, out var length, out error);
        if (status != WireStatus.Done) return status;
        if (input.Length < HeaderLength + length)
        {
            error = new WireError(HeaderLength + (input.Length - HeaderLength), "TLSPlaintext.fragment",
                $"needs {length} byte(s), {input.Length - HeaderLength} arrived");
            return WireStatus.NeedMoreData;
        }
        record = new TlsRecord(type, version, input.Slice(HeaderLength, length).ToArray());
        consumed = HeaderLength + length;
        return WireStatus.Done;
    }

    /// <summary>Validates the 5-byte header; Done means the header is sane (the fragment may not have arrived).</summary>
    public static WireStatus TryReadHeader(ReadOnlySpan<byte> input, out ContentType type, out ushort version, out int fragmentLength, out WireError error)
    {
        var r = new TlsReader(input, open: true);
        type = (ContentType)r.ReadUInt8("TLSPlaintext.type");
        version = r.ReadUInt16("TLSPlaintext.version");
        fragmentLength = r.ReadUInt16("TLSPlaintext.length");
        if (r.Failed) return r.Finish(out error);
        error = default;
        if ((byte)type < 20 || (byte)type > 26)
        {
            error = new WireError(TypeOffset, "TLSPlaintext.type", $"0x{(byte)type:x2} is not a TLS content type");
            return WireStatus.Malformed;
        }
        if (version >> 8 != 3)
        {
            error = new WireError(VersionOffset, "TLSPlaintext.version", $"0x{version:x4} has major version {version >> 8}, expected 3");
            return WireStatus.Malformed;
        }
        if (fragmentLength > MaxFragmentLength)
        {
            error = new WireError(LengthOffset, "TLSPlaintext.length", $"{fragmentLength} exceeds the maximum of {MaxFragmentLength}");
            return WireStatus.Malformed;
        }
        return WireStatus.Done;
    }

    /// <summary>Total bytes (header + fragment) the record starting at input needs, or null while fewer than 5 bytes are known or the header is invalid.</summary>
    public static int? RecordSize(ReadOnlySpan<byte> input) =>
        TryReadHeader(input, out _, out _, out var len, out _) == WireStatus.Done ? HeaderLength + len : null;

    /// <summary>Tells from the first bytes whether the peer answers with TLS records, SSLv2 or something else.</summary>
    public static RecordFraming PeekFraming(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0) return RecordFraming.NeedMoreData;
        var b0 = input[0];
        if ((b0 & 0x80) != 0)
        {
            // SSLv2 two-byte header: high bit set, 15-bit length, then the message type.
            if (input.Length < 3) return RecordFraming.NeedMoreData;
            var length = ((b0 & 0x7f) << 8) | input[1];
            var msgType = input[2];
            if (length == 0) return RecordFraming.NotTls;
            return msgType is Sslv2.MsgServerHello or Sslv2.MsgError or Sslv2.MsgClientHello
                ? RecordFraming.Sslv2 : RecordFraming.NotTls;
        }
        if (b0 is < 20 or > 26) return RecordFraming.NotTls;
        if (input.Length < 2) return RecordFraming.NeedMoreData;
        return input[1] == 3 ? RecordFraming.Tls : RecordFraming.NotTls;
    }
}

/// <summary>Writes TLS records, splitting a payload into as many records as maxFragment requires.</summary>
public static class TlsRecordWriter
{
    /// <summary>Writes payload as one or more records; an empty payload gives one empty record.</summary>
    public static void Write(IBufferWriter<byte> output, ContentType type, ushort version, ReadOnlySpan<byte> payload, int maxFragment = 16384)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFragment, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxFragment, ushort.MaxValue);
        do
        {
            var n = Math.Min(maxFragment, payload.Length);
            var dst = output.GetSpan(TlsRecordReader.HeaderLength + n);
            dst[0] = (byte)type;
            dst[1] = (byte)(version >> 8);
            dst[2] = (byte)version;
            dst[3] = (byte)(n >> 8);
            dst[4] = (byte)n;
            payload[..n].CopyTo(dst[TlsRecordReader.HeaderLength..]);
            output.Advance(TlsRecordReader.HeaderLength + n);
            payload = payload[n..];
        } while (payload.Length > 0);
    }

    /// <summary>Convenience: the records as a new array.</summary>
    public static byte[] ToArray(ContentType type, ushort version, ReadOnlySpan<byte> payload, int maxFragment = 16384)
    {
        var w = new ArrayBufferWriter<byte>(payload.Length + 16);
        Write(w, type, version, payload, maxFragment);
        return w.WrittenSpan.ToArray();
    }
}
