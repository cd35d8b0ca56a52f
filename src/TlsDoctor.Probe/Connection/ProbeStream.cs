using System.Buffers;

namespace TlsDoctor.Probe;

/// <summary>
/// The stream a TLS engine (BouncyCastle) drives over a probe connection: it first returns the bytes the framing reader
/// already took from the socket, then the socket's own, and keeps a copy of both directions as the transcript.
/// </summary>
internal sealed class ProbeStream(Stream inner, ReadOnlyMemory<byte> prefix = default) : Stream
{
    // A handshake sends and receives a few kilobytes; a hostile peer is bounded by the engine's own limits.
    private readonly ArrayBufferWriter<byte> _sent = new(1024);
    private readonly ArrayBufferWriter<byte> _received = new(4096);
    private int _prefixRead;

    /// <summary>True once the peer closed its side (a read returned no bytes).</summary>
    public bool PeerClosed { get; private set; }

    /// <summary>The bytes exchanged so far (the replayed prefix included).</summary>
    public Transcript Transcript(ProbeErrorKind? endedBy = null, string? endMessage = null) =>
        new(_sent.WrittenMemory.ToArray(), _received.WrittenMemory.ToArray(), endedBy, endMessage);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        if (_prefixRead < prefix.Length)
        {
            n = Math.Min(buffer.Length, prefix.Length - _prefixRead);
            prefix.Span.Slice(_prefixRead, n).CopyTo(buffer);
            _prefixRead += n;
        }
        else
        {
            n = inner.Read(buffer);
            if (n == 0 && !buffer.IsEmpty) PeerClosed = true;
        }
        _received.Write(buffer[..n]);
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        _sent.Write(buffer);
    }

    public override void Flush() => inner.Flush();
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override bool CanTimeout => inner.CanTimeout;
    public override int ReadTimeout { get => inner.ReadTimeout; set => inner.ReadTimeout = value; }
    public override int WriteTimeout { get => inner.WriteTimeout; set => inner.WriteTimeout = value; }
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
