namespace TlsDoctor.Wire;

/// <summary>
/// A forward-only cursor over TLS bytes that never throws: the first failing read records
/// offset, field and reason, and every later read returns zero/empty without moving.
/// </summary>
public ref struct TlsReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _base;
    // An open reader sits at the end of what has arrived so far, so running out means "wait";
    // a closed reader covers a length-prefixed whole, so running out means the length lied.
    private readonly bool _open;
    private int _pos;
    private WireStatus _status;
    private WireError _error;

    /// <param name="data">The bytes to read.</param>
    /// <param name="baseOffset">Offset of data[0] in the caller's input, used in errors.</param>
    /// <param name="open">True when more bytes may follow (overrun = NeedMoreData), false when data is complete (overrun = Malformed).</param>
    public TlsReader(ReadOnlySpan<byte> data, int baseOffset = 0, bool open = false)
    {
        _data = data;
        _base = baseOffset;
        _open = open;
        _pos = 0;
        _status = WireStatus.Done;
        _error = default;
    }

    public readonly int Position => _pos;
    public readonly int Offset => _base + _pos;
    public readonly int Remaining => _data.Length - _pos;
    public readonly bool IsAtEnd => _pos >= _data.Length;
    public readonly bool Failed => _status != WireStatus.Done;
    public readonly WireStatus Status => _status;
    public readonly WireError Error => _error;
    public readonly ReadOnlySpan<byte> Rest => _data[Math.Min(_pos, _data.Length)..];

    /// <summary>Records a Malformed error at the current offset unless an earlier one exists.</summary>
    public void Fail(string field, string reason) => FailAt(WireStatus.Malformed, Offset, field, reason);

    /// <summary>Records an error with explicit status and absolute offset unless an earlier one exists.</summary>
    public void FailAt(WireStatus status, int offset, string field, string reason)
    {
        if (_status != WireStatus.Done) return;
        _status = status;
        _error = new WireError(offset, field, reason);
    }

    /// <summary>Takes over the first error of a sub-reader (from ReadVector*) if this reader has none.</summary>
    public void Absorb(scoped in TlsReader sub)
    {
        if (sub.Failed) FailAt(sub._status, sub._error.Offset, sub._error.Field, sub._error.Reason);
    }

    private bool Ensure(int count, string field)
    {
        if (_status != WireStatus.Done) return false;
        if (count <= Remaining) return true;
        FailAt(_open ? WireStatus.NeedMoreData : WireStatus.Malformed, Offset, field,
            $"needs {count} byte(s), {Remaining} left");
        return false;
    }

    public byte ReadUInt8(string field)
    {
        if (!Ensure(1, field)) return 0;
        return _data[_pos++];
    }

    public ushort ReadUInt16(string field)
    {
        if (!Ensure(2, field)) return 0;
        var v = (ushort)((_data[_pos] << 8) | _data[_pos + 1]);
        _pos += 2;
        return v;
    }

    public int ReadUInt24(string field)
    {
        if (!Ensure(3, field)) return 0;
        var v = (_data[_pos] << 16) | (_data[_pos + 1] << 8) | _data[_pos + 2];
        _pos += 3;
        return v;
    }

    public uint ReadUInt32(string field)
    {
        if (!Ensure(4, field)) return 0;
        var v = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(_pos, 4));
        _pos += 4;
        return v;
    }

    public ReadOnlySpan<byte> ReadBytes(int count, string field)
    {
        if (count < 0) { Fail(field, "negative length"); return default; }
        if (!Ensure(count, field)) return default;
        var s = _data.Slice(_pos, count);
        _pos += count;
        return s;
    }

    /// <summary>Reads opaque field&lt;0..2^8-1&gt; and returns its content.</summary>
    public ReadOnlySpan<byte> ReadOpaque8(string field) => ReadOpaque(1, field);
    public ReadOnlySpan<byte> ReadOpaque16(string field) => ReadOpaque(2, field);
    public ReadOnlySpan<byte> ReadOpaque24(string field) => ReadOpaque(3, field);

    private ReadOnlySpan<byte> ReadOpaque(int prefix, string field)
    {
        var lenOffset = Offset;
        var len = prefix switch { 1 => ReadUInt8(field + ".length"), 2 => ReadUInt16(field + ".length"), _ => ReadUInt24(field + ".length") };
        if (Failed) return default;
        if (len > Remaining)
        {
            FailAt(_open ? WireStatus.NeedMoreData : WireStatus.Malformed, lenOffset, field,
                $"declared length {len} exceeds the {Remaining} byte(s) left");
            return default;
        }
        return ReadBytes(len, field);
    }

    /// <summary>Reads a length-prefixed vector and returns a closed reader over its content.</summary>
    public TlsReader ReadVector8(string field) => ReadVector(1, field);
    public TlsReader ReadVector16(string field) => ReadVector(2, field);
    public TlsReader ReadVector24(string field) => ReadVector(3, field);

    private TlsReader ReadVector(int prefix, string field)
    {
        var content = ReadOpaque(prefix, field);
        var sub = new TlsReader(content, Offset - content.Length, open: false);
        if (Failed) sub.FailAt(_status, _error.Offset, _error.Field, _error.Reason);
        return sub;
    }

    /// <summary>Fails with "trailing bytes" unless the reader is exhausted.</summary>
    public bool ExpectEnd(string field)
    {
        if (Failed) return false;
        if (IsAtEnd) return true;
        Fail(field, $"{Remaining} unexpected trailing byte(s)");
        return false;
    }

    /// <summary>Returns the status, with the recorded error (or default when Done).</summary>
    public readonly WireStatus Finish(out WireError error)
    {
        error = _error;
        return _status;
    }
}
