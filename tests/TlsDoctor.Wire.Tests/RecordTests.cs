using System.Buffers;
using TlsDoctor.Wire;
using static TlsDoctor.Wire.Tests.Fixtures;

namespace TlsDoctor.Wire.Tests;

public class RecordTests
{
    [Fact]
    public void Reads_header_fields_and_copies_fragment()
    {
        byte[] input = [.. Hex("16 03 03 00 03 aa bb cc"), 0x15];
        Assert.Equal(WireStatus.Done, TlsRecordReader.TryRead(input, out var rec, out var consumed, out _));
        Assert.Equal(8, consumed);
        Assert.Equal(ContentType.Handshake, rec.Type);
        Assert.Equal(0x0303, rec.Version);
        input[5] = 0; // the record must not alias the caller's buffer
        Assert.Equal(Hex("aa bb cc"), rec.Fragment.ToArray());
    }

    [Fact]
    public void Incomplete_record_needs_more_data()
    {
        Assert.Equal(WireStatus.NeedMoreData, TlsRecordReader.TryRead(Hex("16 03"), out _, out var c1, out var e1));
        Assert.Equal(0, c1);
        Assert.Equal("TLSPlaintext.version", e1.Field);
        Assert.Equal(WireStatus.NeedMoreData, TlsRecordReader.TryRead(Hex("16 03 03 00 03 aa"), out _, out _, out var e2));
        Assert.Equal("TLSPlaintext.fragment", e2.Field);
        Assert.Equal(8, TlsRecordReader.RecordSize(Hex("16 03 03 00 03")));
        Assert.Null(TlsRecordReader.RecordSize(Hex("16 03 03 00")));
    }

    [Theory]
    [InlineData("16 03 03 48 01", "TLSPlaintext.length", 3)]   // 2^14 + 2048 + 1
    [InlineData("16 03 03 ff ff", "TLSPlaintext.length", 3)]   // absurd length
    [InlineData("48 54 54 50 2f", "TLSPlaintext.type", 0)]     // "HTTP/"
    [InlineData("13 03 03 00 01", "TLSPlaintext.type", 0)]     // below change_cipher_spec
    [InlineData("16 02 00 00 01", "TLSPlaintext.version", 1)]  // major version 2
    public void Malformed_headers(string hex, string field, int offset)
    {
        Assert.Equal(WireStatus.Malformed, TlsRecordReader.TryRead(Hex(hex), out _, out var consumed, out var e));
        Assert.Equal(0, consumed);
        Assert.Equal(field, e.Field);
        Assert.Equal(offset, e.Offset);
    }

    [Fact]
    public void Max_fragment_length_is_accepted()
    {
        var input = new byte[5 + 18432];
        Hex("17 03 03 48 00").CopyTo(input, 0);
        Assert.Equal(WireStatus.Done, TlsRecordReader.TryRead(input, out var rec, out _, out _));
        Assert.Equal(18432, rec.Fragment.Length);
    }

    [Fact]
    public void Writer_fragments_into_several_records()
    {
        var payload = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var w = new ArrayBufferWriter<byte>();
        TlsRecordWriter.Write(w, ContentType.Handshake, 0x0301, payload, maxFragment: 400);
        var bytes = w.WrittenSpan.ToArray();
        Assert.Equal(1000 + 3 * 5, bytes.Length);
        var lengths = new List<int>();
        var collected = new List<byte>();
        var span = bytes.AsSpan();
        while (span.Length > 0)
        {
            Assert.Equal(WireStatus.Done, TlsRecordReader.TryRead(span, out var rec, out var consumed, out _));
            Assert.Equal(ContentType.Handshake, rec.Type);
            Assert.Equal(0x0301, rec.Version);
            lengths.Add(rec.Fragment.Length);
            collected.AddRange(rec.Fragment.ToArray());
            span = span[consumed..];
        }
        Assert.Equal([400, 400, 200], lengths);
        Assert.Equal(payload, collected);
    }

    [Fact]
    public void Writer_empty_payload_gives_one_empty_record() =>
        Assert.Equal(Hex("17 03 03 00 00"), TlsRecordWriter.ToArray(ContentType.ApplicationData, 0x0303, []));

    [Fact]
    public void Message_split_over_three_records_is_reassembled()
    {
        var hello = ClientHelloBuilder.BuildHandshake(Tls12Spec());
        var records = ClientHelloBuilder.BuildRecord(Tls12Spec(), maxFragment: hello.Length / 3 + 1);
        var r = new HandshakeReassembler();
        var span = records.AsSpan();
        var statuses = new List<WireStatus>();
        while (span.Length > 0)
        {
            Assert.Equal(WireStatus.Done, TlsRecordReader.TryRead(span, out var rec, out var consumed, out _));
            statuses.Add(r.Add(rec.Fragment.Span, out _));
            span = span[consumed..];
        }
        Assert.Equal([WireStatus.NeedMoreData, WireStatus.NeedMoreData, WireStatus.Done], statuses);
        Assert.True(r.TryTake(out var msg));
        Assert.Equal(HandshakeType.ClientHello, msg.Type);
        Assert.Equal(hello, msg.ToBytes());
        Assert.False(r.TryTake(out _));
        Assert.Equal(0, r.PendingBytes);
    }

    [Fact]
    public void Two_messages_in_one_record_come_out_in_order()
    {
        byte[] flight = [.. Rfc8448ServerHello, .. Hex("0e 00 00 00")]; // ServerHello + ServerHelloDone
        var r = new HandshakeReassembler();
        Assert.Equal(WireStatus.Done, r.Add(flight, out _));
        Assert.Equal(2, r.ReadyCount);
        Assert.True(r.TryTake(out var first));
        Assert.Equal(HandshakeType.ServerHello, first.Type);
        Assert.Equal(Body(Rfc8448ServerHello), first.Body.ToArray());
        Assert.True(r.TryTake(out var second));
        Assert.Equal(HandshakeType.ServerHelloDone, second.Type);
        Assert.True(second.Body.IsEmpty);
    }

    [Fact]
    public void Byte_by_byte_feeding_yields_the_same_messages()
    {
        byte[] flight = [.. Rfc8448ServerHello, .. Tls10ServerHelloNoExtensions, .. Hex("0e 00 00 00")];
        var r = new HandshakeReassembler();
        var taken = new List<HandshakeMessage>();
        for (var i = 0; i < flight.Length; i++)
        {
            var s = r.Add(flight.AsSpan(i, 1), out _);
            Assert.NotEqual(WireStatus.Malformed, s);
            while (r.TryTake(out var m)) taken.Add(m);
        }
        Assert.Equal([HandshakeType.ServerHello, HandshakeType.ServerHello, HandshakeType.ServerHelloDone], taken.Select(m => m.Type));
        Assert.Equal(flight, taken.SelectMany(m => m.ToBytes()));
    }

    [Fact]
    public void Declared_length_above_limit_is_malformed_and_sticky()
    {
        var r = new HandshakeReassembler(maxMessageLength: 1000);
        Assert.Equal(WireStatus.Done, r.Add(Hex("0e 00 00 00"), out _));
        Assert.Equal(WireStatus.Malformed, r.Add(Hex("0b 00 03 e9"), out var e)); // 1001
        Assert.Equal("Handshake.length", e.Field);
        Assert.Equal(5, e.Offset); // stream offset: 4 bytes of ServerHelloDone, then the type byte
        Assert.Equal(WireStatus.Malformed, r.Add(Hex("0e 00 00 00"), out var again));
        Assert.Equal(e, again);
        Assert.True(r.TryTake(out _)); // the message completed before the fault is still there
    }

    [Fact]
    public void Default_limit_is_256_KiB()
    {
        var r = new HandshakeReassembler();
        Assert.Equal(WireStatus.NeedMoreData, r.Add(Hex("0b 04 00 00"), out _));           // exactly 256 KiB: fine, incomplete
        Assert.Equal(WireStatus.Malformed, new HandshakeReassembler().Add(Hex("0b 04 00 01"), out _));
    }
}
