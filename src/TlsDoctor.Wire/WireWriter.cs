namespace TlsDoctor.Wire;

/// <summary>Growable big-endian byte builder with back-patched vector lengths, used by the builders.</summary>
internal sealed class WireWriter
{
    private byte[] _buf;
    private int _len;

    public WireWriter(int capacity = 256) => _buf = new byte[Math.Max(16, capacity)];

    public int Length => _len;
    public ReadOnlySpan<byte> Written => _buf.AsSpan(0, _len);
    public byte[] ToArray() => _buf.AsSpan(0, _len).ToArray();

    private Span<byte> Grow(int n)
    {
        if (_len + n > _buf.Length) Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + n));
        var s = _buf.AsSpan(_len, n);
        _len += n;
        return s;
    }

    public void U8(int v) => Grow(1)[0] = (byte)v;
    public void U16(int v) { var s = Grow(2); s[0] = (byte)(v >> 8); s[1] = (byte)v; }
    public void U24(int v) { var s = Grow(3); s[0] = (byte)(v >> 16); s[1] = (byte)(v >> 8); s[2] = (byte)v; }
    public void Bytes(ReadOnlySpan<byte> b) => b.CopyTo(Grow(b.Length));
    public void Zeros(int n) => Grow(n).Clear();

    /// <summary>Reserves a length prefix of prefixBytes; returns a mark for <see cref="End"/>.</summary>
    public int Begin(int prefixBytes) { Grow(prefixBytes).Clear(); return (_len << 2) | prefixBytes; }

    /// <summary>Fills the length reserved by <see cref="Begin"/>; throws when the content does not fit the prefix.</summary>
    public void End(int mark, string field)
    {
        var prefix = mark & 3;
        var start = mark >> 2;
        var n = _len - start;
        var max = prefix switch { 1 => 0xFF, 2 => 0xFFFF, _ => 0xFFFFFF };
        if (n > max) throw new ArgumentException($"{field}: {n} bytes do not fit a {prefix}-byte length");
        var s = _buf.AsSpan(start - prefix, prefix);
        for (var i = prefix - 1; i >= 0; i--) { s[i] = (byte)n; n >>= 8; }
    }

    public void Opaque8(ReadOnlySpan<byte> b, string field) { var m = Begin(1); Bytes(b); End(m, field); }
    public void Opaque16(ReadOnlySpan<byte> b, string field) { var m = Begin(2); Bytes(b); End(m, field); }
    public void Opaque24(ReadOnlySpan<byte> b, string field) { var m = Begin(3); Bytes(b); End(m, field); }
}
