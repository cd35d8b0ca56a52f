namespace TlsDoctor.Wire;

/// <summary>
/// Bytes received from one peer, handed out as whole frames (TLS records, or SSLv2 two-byte-header records); every
/// byte ever appended stays readable as the transcript. No I/O: the caller appends what its socket delivered.
/// </summary>
public sealed class FrameBuffer
{
    private byte[] _data;
    private int _length;
    private int _consumed;

    public FrameBuffer(int initialCapacity = 4096) => _data = new byte[Math.Max(16, initialCapacity)];

    /// <summary>Bytes received so far.</summary>
    public int Received => _length;

    /// <summary>Every byte received, in order, including those already handed out as frames.</summary>
    public ReadOnlyMemory<byte> Transcript => _data.AsMemory(0, _length);

    /// <summary>Bytes received but not yet handed out as a frame.</summary>
    public ReadOnlySpan<byte> Unread => _data.AsSpan(_consumed, _length - _consumed);

    /// <summary>How the peer frames its data, decided from the first bytes it sent.</summary>
    public RecordFraming Framing => TlsRecordReader.PeekFraming(_data.AsSpan(0, _length));

    /// <summary>Writable space of at least <paramref name="sizeHint"/> bytes; <see cref="Advance"/> commits what was written.</summary>
    public Memory<byte> GetMemory(int sizeHint = 4096)
    {
        if (_data.Length - _length < sizeHint) Array.Resize(ref _data, Math.Max(_data.Length * 2, _length + sizeHint));
        return _data.AsMemory(_length);
    }

    /// <summary>Commits <paramref name="count"/> bytes written into <see cref="GetMemory"/>.</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _data.Length - _length);
        _length += count;
    }

    /// <summary>Appends bytes (a recorded transcript, a test fixture).</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        data.CopyTo(GetMemory(data.Length).Span);
        _length += data.Length;
    }

    /// <summary>Takes the next whole TLS record; NeedMoreData leaves it for later, Malformed means the stream is not TLS any more.</summary>
    public WireStatus TryTakeRecord(out TlsRecord record, out WireError error)
    {
        var status = TlsRecordReader.TryRead(Unread, out record, out var consumed, out error);
        if (status == WireStatus.Done) _consumed += consumed;
        return status;
    }

    /// <summary>Takes the next whole SSLv2 record's message (header removed).</summary>
    public WireStatus TryTakeSslv2(out ReadOnlyMemory<byte> message, out WireError error)
    {
        var status = Sslv2.TryReadRecord(Unread, out message, out var consumed, out error);
        if (status == WireStatus.Done) _consumed += consumed;
        return status;
    }
}
