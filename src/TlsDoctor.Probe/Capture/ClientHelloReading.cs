using TlsDoctor.Wire;

namespace TlsDoctor.Probe.Capture;

/// <summary>What reading a client's first bytes gave: its hello, or why there is none, and how the client framed them.</summary>
internal sealed record ClientHelloRead(ClientHelloFacts? Hello, string? Error, RecordFraming Framing);

/// <summary>
/// Reads a ClientHello (TLS records or the SSLv2 format) from the frames received so far; no I/O, so the listener and
/// a recorded transcript give the same result.
/// </summary>
internal sealed class ClientHelloReading(int maxHelloBytes)
{
    private readonly HandshakeReassembler _reassembler = new(maxHelloBytes);
    private ushort? _recordVersion;

    /// <summary>The hello or the error once the frames settle it; null while more bytes are needed.</summary>
    public ClientHelloRead? TryComplete(FrameBuffer frames)
    {
        var framing = frames.Framing;
        var read = framing switch
        {
            RecordFraming.NotTls => new ClientHelloRead(null, $"not TLS: the client sent {Describe(frames.Transcript.Span)}", framing),
            RecordFraming.Sslv2 => TrySslv2(frames),
            RecordFraming.Tls => TryTls(frames),
            _ => null,
        };
        if (read is null && frames.Received >= maxHelloBytes)
            return new ClientHelloRead(null, $"no complete ClientHello within {maxHelloBytes} bytes", framing);
        return read;
    }

    private static ClientHelloRead? TrySslv2(FrameBuffer frames)
    {
        var s = frames.TryTakeSslv2(out var message, out var e2);
        if (s == WireStatus.Malformed) return new(null, $"malformed SSLv2 record: {e2}", RecordFraming.Sslv2);
        if (s == WireStatus.NeedMoreData) return null;
        return Sslv2ClientHelloReader.TryRead(message.Span, out var v2, out var e3) == WireStatus.Done
            ? new(ClientHelloFacts.FromSslv2(v2), null, RecordFraming.Sslv2)
            : new(null, $"malformed SSLv2 CLIENT-HELLO: {e3}", RecordFraming.Sslv2);
    }

    private ClientHelloRead? TryTls(FrameBuffer frames)
    {
        const RecordFraming tls = RecordFraming.Tls;
        while (true)
        {
            var rs = frames.TryTakeRecord(out var record, out var re);
            if (rs == WireStatus.Malformed) return new(null, $"malformed TLS record: {re}", tls);
            if (rs == WireStatus.NeedMoreData) return null;
            _recordVersion ??= record.Version;
            if (record.Type != ContentType.Handshake)
                return new(null, $"expected a handshake record, got content type {(byte)record.Type} ({record.Type})", tls);
            if (_reassembler.Add(record.Fragment.Span, out var he) == WireStatus.Malformed) return new(null, $"malformed handshake message: {he}", tls);
            if (_reassembler.TryTake(out var msg))
            {
                if (msg.Type != HandshakeType.ClientHello)
                    return new(null, $"expected ClientHello, got handshake message type {(byte)msg.Type}", tls);
                return ClientHelloReader.TryRead(msg.Body.Span, out var hello, out var ce) == WireStatus.Done
                    ? new(ClientHelloFacts.FromTls(hello, _recordVersion.Value), null, tls)
                    : new(null, $"malformed ClientHello: {ce}", tls);
            }
        }
    }

    private static string Describe(ReadOnlySpan<byte> data)
    {
        var head = data[..Math.Min(8, data.Length)];
        var printable = head.ToArray().All(b => b is >= 0x20 and < 0x7F or (byte)'\r' or (byte)'\n');
        var hex = Convert.ToHexString(head);
        if (printable)
        {
            var text = System.Text.Encoding.ASCII.GetString(head).TrimEnd();
            var http = text.StartsWith("GET ", StringComparison.Ordinal) || text.StartsWith("POST ", StringComparison.Ordinal) || text.StartsWith("HEAD ", StringComparison.Ordinal);
            return $"\"{text}\" (0x{hex}){(http ? ": plain HTTP on a TLS port" : "")}";
        }
        return $"0x{hex}…";
    }
}
