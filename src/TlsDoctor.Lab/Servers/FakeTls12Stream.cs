using System.Buffers.Binary;

namespace TlsDoctor.Lab.Servers;

/// <summary>
/// Wraps a server's connection stream and reproduces a device that claims TLS 1.2 but cannot do it: once
/// its own ServerHello says 0x0303, it corrupts the last byte of the first record that follows the client's
/// ChangeCipherSpec (the encrypted Finished). BouncyCastle's record layer then fails the MAC/AEAD check and
/// itself sends the fatal bad_record_mac a real device sends. TLS 1.0/1.1 pass through untouched.
/// </summary>
internal sealed class FakeTls12Stream(Stream inner) : Stream
{
    private readonly RecordTracker _out = new();
    private readonly RecordTracker _in = new();
    private bool _tls12;
    private bool _sawClientCcs;
    private bool _corrupted;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        for (var i = 0; i < n; i++)
        {
            var ev = _in.Next(buffer[i]);
            if (ev.HeaderDone && _in.Type == 20) _sawClientCcs = true;
            if (ev.LastBodyByte && _in.Type != 20 && _tls12 && _sawClientCcs && !_corrupted)
            {
                buffer[i] ^= 0x5A;
                _corrupted = true;
            }
        }
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        foreach (var b in buffer)
        {
            _out.Next(b);
            // Bytes 4..5 of the first handshake fragment are ServerHello.server_version (after type and 24-bit length).
            if (_out.Type == 22 && _out.RecordIndex == 0 && _out.BodyPos == 6 && _out.Body0 == 2)
                _tls12 = _out.LastTwo == 0x0303;
        }
        inner.Write(buffer);
    }

    public override void Flush() => inner.Flush();
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Follows TLS record boundaries one byte at a time.</summary>
    private sealed class RecordTracker
    {
        private readonly byte[] _header = new byte[5];
        private int _headerPos;
        private int _bodyLeft;
        public byte Type { get; private set; }
        public int RecordIndex { get; private set; } = -1;
        public int BodyPos { get; private set; }
        public byte Body0 { get; private set; }
        public ushort LastTwo { get; private set; }

        public (bool HeaderDone, bool LastBodyByte) Next(byte b)
        {
            if (_bodyLeft == 0)
            {
                _header[_headerPos++] = b;
                if (_headerPos < 5) return (false, false);
                _headerPos = 0;
                Type = _header[0];
                _bodyLeft = BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(3));
                RecordIndex++;
                BodyPos = 0;
                return (true, false);
            }
            if (BodyPos == 0) Body0 = b;
            LastTwo = (ushort)((LastTwo << 8) | b);
            BodyPos++;
            _bodyLeft--;
            return (false, _bodyLeft == 0);
        }
    }
}
