using System.Buffers;

namespace TlsDoctor.Probe;

/// <summary>Passes reads and writes through to a stream and keeps a copy of both directions: the transcript of a
/// handshake driven by an engine (BouncyCastle) that owns the stream.</summary>
internal sealed class RecordingStream(Stream inner) : Stream
{
    // A handshake sends and receives a few kilobytes; a hostile peer is bounded by the engine's own limits.
    private readonly ArrayBufferWriter<byte> _sent = new(1024);
    private readonly ArrayBufferWriter<byte> _received = new(4096);

    /// <summary>The bytes exchanged so far.</summary>
    public Transcript Transcript(ProbeErrorKind? endedBy = null, string? endMessage = null) =>
        new(_sent.WrittenMemory.ToArray(), _received.WrittenMemory.ToArray(), endedBy, endMessage);

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        _received.Write(buffer.AsSpan(offset, n));
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        _sent.Write(buffer.AsSpan(offset, count));
    }

    public override void Flush() => inner.Flush();
    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
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
