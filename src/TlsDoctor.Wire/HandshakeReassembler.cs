namespace TlsDoctor.Wire;

/// <summary>Reads one handshake message (4-byte header + body) from buffered handshake bytes.</summary>
public static class HandshakeReader
{
    public const int HeaderLength = 4;

    // struct {
    //     HandshakeType msg_type;
    //     uint24 length;
    //     select (msg_type) { ... } body;
    // } Handshake;
    public static WireStatus TryRead(ReadOnlySpan<byte> input, out HandshakeMessage message, out int consumed, out WireError error, int maxMessageLength = HandshakeReassembler.DefaultMaxMessageLength)
    {
        message = null!;
        consumed = 0;
        var r = new TlsReader(input, open: true);
        var type = (HandshakeType)r.ReadUInt8("Handshake.msg_type");
        var length = r.ReadUInt24("Handshake.length");
        if (r.Failed) return r.Finish(out error);
        if (length > maxMessageLength)
        {
            error = new WireError(1, "Handshake.length", $"{length} exceeds the limit of {maxMessageLength}");
            return WireStatus.Malformed;
        }
        var body = r.ReadBytes(length, "Handshake.body");
        if (r.Failed) return r.Finish(out error);
        error = default;
        message = new HandshakeMessage(type, body.ToArray());
        consumed = HeaderLength + length;
        return WireStatus.Done;
    }
}

/// <summary>
/// Turns handshake record fragments into messages: a message may span records and a record may
/// hold several. One instance per connection and direction; not thread-safe.
/// </summary>
public sealed class HandshakeReassembler
{
    public const int DefaultMaxMessageLength = 256 * 1024;

    private readonly int _maxMessageLength;
    private readonly Queue<HandshakeMessage> _ready = new();
    private byte[] _pending = new byte[256];
    private int _pendingLength;
    private long _streamOffset; // offset of _pending[0] in the handshake byte stream
    private WireError? _poisoned;

    public HandshakeReassembler(int maxMessageLength = DefaultMaxMessageLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageLength, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessageLength, 0xFFFFFF);
        _maxMessageLength = maxMessageLength;
    }

    /// <summary>Bytes of an incomplete message waiting for the next fragment.</summary>
    public int PendingBytes => _pendingLength;

    /// <summary>Complete messages not yet taken.</summary>
    public int ReadyCount => _ready.Count;

    /// <summary>
    /// Adds a handshake record's fragment. Done: every byte so far belongs to complete messages;
    /// NeedMoreData: a message is incomplete; Malformed: the stream is broken (offset counts from
    /// the first handshake byte ever added) and stays broken.
    /// </summary>
    public WireStatus Add(ReadOnlySpan<byte> handshakeFragment, out WireError error)
    {
        if (_poisoned is { } p) { error = p; return WireStatus.Malformed; }
        Append(handshakeFragment);
        var consumedTotal = 0;
        var status = WireStatus.Done;
        error = default;
        while (consumedTotal < _pendingLength)
        {
            var s = HandshakeReader.TryRead(_pending.AsSpan(consumedTotal, _pendingLength - consumedTotal), out var msg, out var consumed, out var e, _maxMessageLength);
            if (s == WireStatus.Done)
            {
                _ready.Enqueue(msg);
                consumedTotal += consumed;
                continue;
            }
            var offset = (int)Math.Min(int.MaxValue, _streamOffset + consumedTotal + e.Offset);
            error = e with { Offset = offset };
            if (s == WireStatus.Malformed) _poisoned = error;
            status = s;
            break;
        }
        if (consumedTotal > 0)
        {
            Buffer.BlockCopy(_pending, consumedTotal, _pending, 0, _pendingLength - consumedTotal);
            _pendingLength -= consumedTotal;
            _streamOffset += consumedTotal;
        }
        return status;
    }

    /// <summary>Dequeues the next complete message.</summary>
    public bool TryTake(out HandshakeMessage message)
    {
        if (_ready.TryDequeue(out var m)) { message = m; return true; }
        message = null!;
        return false;
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_pendingLength + data.Length > _pending.Length)
        {
            var size = Math.Max(_pending.Length * 2, _pendingLength + data.Length);
            Array.Resize(ref _pending, size);
        }
        data.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += data.Length;
    }
}
