using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Wire;
using static TlsDoctor.Wire.Tests.Fixtures;

namespace TlsDoctor.Wire.Tests;

public class VectorTests
{
    private static readonly ushort[] Rfc8448Groups = [0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104];
    private static readonly ushort[] Rfc8448Schemes =
        [0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602, 0x0202];
    private static readonly byte[] Rfc8448ClientShare = Hex("99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69 1e 52 9a af 2c");

    [Fact]
    public void Rfc8448_ClientHello_parses_field_by_field()
    {
        Assert.Equal(WireStatus.Done, HandshakeReader.TryRead(Rfc8448ClientHello, out var msg, out var consumed, out _));
        Assert.Equal(HandshakeType.ClientHello, msg.Type);
        Assert.Equal(196, consumed);

        Assert.Equal(WireStatus.Done, ClientHelloReader.TryRead(msg.Body.Span, out var h, out var err));
        Assert.Equal(default, err);
        Assert.Equal(0x0303, h.LegacyVersion);
        Assert.Equal(Hex("cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 a2 ef 62 83 02 4d ec e7"), h.Random.ToArray());
        Assert.True(h.SessionId.IsEmpty);
        Assert.Equal([0x1301, 0x1303, 0x1302], h.CipherSuites.A());
        Assert.Equal([(byte)0], h.CompressionMethods.A());
        Assert.Equal([0x0000, 0xff01, 0x000a, 0x0023, 0x0033, 0x002b, 0x000d, 0x002d, 0x001c], h.Extensions.Select(e => e.Type));
        Assert.Equal("server", h.ServerName);
        Assert.Equal(Rfc8448Groups, h.SupportedGroups.A());
        Assert.Equal(Rfc8448Schemes, h.SignatureAlgorithms.A());
        Assert.Equal([0x0304], h.SupportedVersions.A());
        var share = Assert.Single(h.KeyShares!.Value);
        Assert.Equal(0x001d, share.Group);
        Assert.Equal(Rfc8448ClientShare, share.KeyExchange.ToArray());
        Assert.True(h.HasRenegotiationInfo);
        Assert.True(h.SessionTicket);
        Assert.False(h.ExtendedMasterSecret);
        Assert.Null(h.Alpn);
        Assert.Null(h.EcPointFormats);
    }

    [Fact]
    public void Rfc8448_ClientHello_is_reproduced_byte_for_byte_by_the_builder()
    {
        var spec = new ClientHelloSpec
        {
            LegacyVersion = 0x0303,
            Random = Hex("cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 a2 ef 62 83 02 4d ec e7"),
            CipherSuites = [0x1301, 0x1303, 0x1302],
            // The RFC's extension order differs from the builder's default, so give them in order.
            ExtraExtensions =
            [
                HelloExtensions.ServerName("server"),
                HelloExtensions.RenegotiationInfo(),
                HelloExtensions.UInt16List(ExtensionType.SupportedGroups, Rfc8448Groups),
                HelloExtensions.Empty(ExtensionType.SessionTicket),
                HelloExtensions.KeyShareClient([new KeyShareEntry(0x001d, Rfc8448ClientShare)]),
                HelloExtensions.SupportedVersionsClient([0x0304]),
                HelloExtensions.UInt16List(ExtensionType.SignatureAlgorithms, Rfc8448Schemes),
                new RawExtension(ExtensionType.PskKeyExchangeModes, new byte[] { 0x01, 0x01 }),
                new RawExtension(ExtensionType.RecordSizeLimit, new byte[] { 0x40, 0x01 }),
            ],
        };
        Assert.Equal(Convert.ToHexString(Rfc8448ClientHello), Convert.ToHexString(ClientHelloBuilder.BuildHandshake(spec)));
        Assert.Equal(196, ClientHelloBuilder.MeasureHandshake(spec));
        // The record layer of the RFC trace: 16 03 01 00 c4.
        Assert.Equal([.. Hex("16 03 01 00 c4"), .. Rfc8448ClientHello], ClientHelloBuilder.BuildRecord(spec));
    }

    [Fact]
    public void Rfc8448_ServerHello_parses()
    {
        Assert.Equal(WireStatus.Done, ServerHelloReader.TryRead(Body(Rfc8448ServerHello), out var h, out _));
        Assert.Equal(0x0303, h.LegacyVersion);
        Assert.Equal(0x0304, h.SelectedVersion);
        Assert.Equal(0x1301, h.CipherSuite);
        Assert.Equal(0, h.Compression);
        Assert.True(h.SessionId.IsEmpty);
        Assert.False(h.IsHelloRetryRequest);
        Assert.Equal((ushort)0x001d, h.KeyShareGroup);
        Assert.Equal(Hex("c9 82 88 76 11 20 95 fe 66 76 2b db f7 c6 72 e1 56 d6 cc 25 3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f"), h.KeyShareKeyExchange!.Value.ToArray());
        Assert.Equal([0x0033, 0x002b], h.Extensions.Select(e => e.Type));
        Assert.False(h.HasRenegotiationInfo);
        Assert.Null(h.DowngradeSentinel);
    }

    [Fact]
    public void Tls10_ServerHello_without_extensions_block_is_valid()
    {
        Assert.Equal(WireStatus.Done, ServerHelloReader.TryRead(Body(Tls10ServerHelloNoExtensions), out var h, out _));
        Assert.Equal(0x0301, h.LegacyVersion);
        Assert.Equal(0x0301, h.SelectedVersion);
        Assert.Equal(0x002f, h.CipherSuite);
        Assert.Equal(32, h.SessionId.Length);
        Assert.Equal(0x10, h.SessionId.Span[0]);
        Assert.False(h.HasExtensionsBlock);
        Assert.Empty(h.Extensions);
        Assert.Null(h.KeyShareGroup);
        Assert.False(h.HasRenegotiationInfo);
        Assert.False(h.ExtendedMasterSecret);
    }

    [Fact]
    public void HelloRetryRequest_is_recognised_by_its_random()
    {
        Assert.Equal(WireStatus.Done, ServerHelloReader.TryRead(Body(HelloRetryRequest), out var h, out _));
        Assert.True(h.IsHelloRetryRequest);
        Assert.Equal((ushort)0x0017, h.KeyShareGroup);
        Assert.Equal(0x0304, h.SelectedVersion);
        Assert.Null(h.KeyShareKeyExchange);
    }

    [Fact]
    public void Downgrade_sentinel_is_reported()
    {
        var body = Body(Tls10ServerHelloNoExtensions);
        "DOWNGRD\x01"u8.CopyTo(body.AsSpan(2 + 24));
        Assert.Equal(WireStatus.Done, ServerHelloReader.TryRead(body, out var h, out _));
        Assert.Equal((byte)1, h.DowngradeSentinel);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Dhe_ServerKeyExchange(bool tls12, bool leadingZero)
    {
        var body = DheServerKeyExchangeBody(tls12, leadingZero);
        Assert.Equal(WireStatus.Done, ServerKeyExchangeReader.TryReadDhe(body, tls12, out var p, out _));
        Assert.Equal(1024, p.PrimeBits);
        Assert.Equal(leadingZero ? 1 : 0, p.PrimeLeadingZeroBytes);
        Assert.Equal([(byte)2], p.G.ToArray());
        Assert.Equal(128, p.Ys.Length);
        Assert.Equal(tls12 ? (ushort)0x0401 : null, p.SignatureScheme);
        Assert.Equal(256, p.Signature.Length);
        Assert.Equal(255, p.Signature.Span[0]);
    }

    [Fact]
    public void Anonymous_Dhe_has_no_signature()
    {
        Assert.Equal(WireStatus.Done, ServerKeyExchangeReader.TryReadDhe(DheServerKeyExchangeBody(anonymous: true), true, out var p, out _));
        Assert.Null(p.SignatureScheme);
        Assert.True(p.Signature.IsEmpty);
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x00 }, 0)]
    [InlineData(new byte[] { 0x01 }, 1)]
    [InlineData(new byte[] { 0x00, 0x7f, 0xff }, 15)]
    [InlineData(new byte[] { 0x80, 0x00 }, 16)]
    public void PrimeBits_ignores_leading_zero_bytes(byte[] p, int bits) =>
        Assert.Equal(bits, new DheParameters(p, new byte[] { 2 }, new byte[] { 1 }, null, default).PrimeBits);

    [Fact]
    public void Ecdhe_named_curve()
    {
        Assert.Equal(WireStatus.Done, ServerKeyExchangeReader.TryReadEcdhe(EcdheServerKeyExchangeBody(), true, out var p, out _));
        Assert.Equal(EcdheParameters.NamedCurveType, p.CurveType);
        Assert.Equal(0x0017, p.NamedCurve);
        Assert.Equal(65, p.Point.Length);
        Assert.Equal((ushort)0x0403, p.SignatureScheme);
        Assert.Equal(70, p.Signature.Length);
    }

    [Fact]
    public void Ecdhe_explicit_prime_curve_parses_with_no_named_curve()
    {
        Assert.Equal(WireStatus.Done, ServerKeyExchangeReader.TryReadEcdhe(EcdheExplicitPrimeBody(), false, out var p, out _));
        Assert.Equal(EcdheParameters.ExplicitPrime, p.CurveType);
        Assert.Equal(0, p.NamedCurve);
        Assert.Equal([0x04, 0x09, 0x08], p.Point.ToArray());
        Assert.Equal([1, 2, 3], p.Signature.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Certificate_both_forms(bool tls13)
    {
        Assert.Equal(WireStatus.Done, CertificateReader.TryRead(CertificateBody(tls13), tls13, out var certs, out _));
        Assert.Equal(2, certs.Length);
        Assert.Equal(Cert1, certs[0].ToArray());
        Assert.Equal(Cert2, certs[1].ToArray());
        // The other form's parser must not accept these bytes silently.
        Assert.NotEqual(WireStatus.Done, CertificateReader.TryRead(CertificateBody(tls13), !tls13, out _, out _));
    }

    [Fact]
    public void Certificate_empty_list_is_valid()
    {
        Assert.Equal(WireStatus.Done, CertificateReader.TryRead([0, 0, 0], false, out var certs, out _));
        Assert.Empty(certs);
    }

    [Fact]
    public void CertificateRequest_tls12_and_tls10()
    {
        Assert.Equal(WireStatus.Done, CertificateRequestReader.TryRead(CertificateRequestBody(true), true, out var r, out _));
        Assert.Equal([1, 64], r.CertificateTypes.A());
        Assert.Equal([0x0401, 0x0403], r.SignatureAlgorithms.A());
        Assert.Equal(2, r.CertificateAuthorities.Length);
        Assert.Equal([0x30, 0x02, 0x31, 0x00], r.CertificateAuthorities[1].ToArray());

        Assert.Equal(WireStatus.Done, CertificateRequestReader.TryRead(CertificateRequestBody(false), false, out var r10, out _));
        Assert.Null(r10.SignatureAlgorithms);
        Assert.Equal(2, r10.CertificateAuthorities.Length);
    }

    [Fact]
    public void ServerHelloDone_must_be_empty()
    {
        Assert.Equal(WireStatus.Done, ServerHelloDoneReader.TryRead([], out _));
        Assert.Equal(WireStatus.Malformed, ServerHelloDoneReader.TryRead([0], out var e));
        Assert.Equal("ServerHelloDone", e.Field);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void Alert_round_trip()
    {
        var record = AlertWriter.ToRecord(0x0303, AlertLevel.Fatal, AlertDescription.HandshakeFailure);
        Assert.Equal(Hex("15 03 03 00 02 02 28"), record);
        Assert.Equal(WireStatus.Done, TlsRecordReader.TryRead(record, out var rec, out _, out _));
        Assert.Equal(ContentType.Alert, rec.Type);
        Assert.Equal(WireStatus.Done, AlertReader.TryRead(rec.Fragment.Span, out var alert, out _));
        Assert.Equal(new TlsAlert(AlertLevel.Fatal, AlertDescription.HandshakeFailure), alert);
        Assert.Equal("fatal handshake_failure", alert.ToString());
        Assert.Equal(WireStatus.NeedMoreData, AlertReader.TryRead([2], out _, out _));
        Assert.Equal(WireStatus.Malformed, AlertReader.TryRead([2, 40, 1], out _, out var e));
        Assert.Equal(2, e.Offset);
        // An unregistered description survives.
        Assert.Equal(WireStatus.Done, AlertReader.TryRead([1, 250], out var odd, out _));
        Assert.Equal((AlertDescription)250, odd.Description);
    }

    [Fact]
    public void Sslv2_client_hello_is_exact_and_round_trips()
    {
        var challenge = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var bytes = Sslv2.BuildClientHello([0x010080, 0x0700C0], challenge);
        Assert.Equal(Hex("""
            80 1f        // two-byte header, length 31
            01           // MSG-CLIENT-HELLO
            00 02        // version SSL 2.0
            00 06 00 00 00 10
            01 00 80 07 00 c0
            01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10
            """), bytes);
        Assert.Equal(RecordFraming.Sslv2, TlsRecordReader.PeekFraming(bytes));
        Assert.Equal(WireStatus.Done, Sslv2.TryReadRecord(bytes, out var msg, out var consumed, out _));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(WireStatus.Done, Sslv2ClientHelloReader.TryRead(msg.Span, out var h, out _));
        Assert.Equal(0x0002, h.Version);
        Assert.Equal([0x010080, 0x0700C0], h.CipherKinds.A());
        Assert.Equal(challenge, h.Challenge.ToArray());
    }

    [Fact]
    public void Sslv2_server_hello()
    {
        var msg = Sslv2ServerHelloMessage();
        byte[] framed = [(byte)(0x80 | (msg.Length >> 8)), (byte)msg.Length, .. msg];
        Assert.Equal(RecordFraming.Sslv2, TlsRecordReader.PeekFraming(framed));
        Assert.Equal(WireStatus.Done, Sslv2.TryReadRecord(framed, out var m, out _, out _));
        Assert.Equal(WireStatus.Done, Sslv2ServerHelloReader.TryRead(m.Span, out var h, out _));
        Assert.Equal(0x0002, h.Version);
        Assert.False(h.SessionIdHit);
        Assert.Equal(1, h.CertificateType);
        Assert.Equal(Cert2, h.Certificate.ToArray());
        Assert.Equal([0x010080, 0x0700C0], h.CipherKinds.A());
        Assert.Equal(16, h.ConnectionId.Length);
    }

    [Fact]
    public void Sslv2_error_message()
    {
        Assert.Equal(WireStatus.Done, Sslv2.TryReadError([0, 0, 1], out var code, out _));
        Assert.Equal(1, code);
        Assert.Equal(WireStatus.Malformed, Sslv2ServerHelloReader.TryRead([0, 0, 1], out _, out var e));
        Assert.Contains("ERROR", e.Reason);
    }

    [Theory]
    [InlineData("", RecordFraming.NeedMoreData)]
    [InlineData("16", RecordFraming.NeedMoreData)]
    [InlineData("16 03", RecordFraming.Tls)]
    [InlineData("15 03 01 00 02", RecordFraming.Tls)]
    [InlineData("80", RecordFraming.NeedMoreData)]
    [InlineData("80 2e", RecordFraming.NeedMoreData)]
    [InlineData("80 2e 04", RecordFraming.Sslv2)]
    [InlineData("80 03 00 00 01", RecordFraming.Sslv2)]
    [InlineData("80 2e 07", RecordFraming.NotTls)]
    [InlineData("48 54 54 50", RecordFraming.NotTls)]  // "HTTP"
    [InlineData("16 48", RecordFraming.NotTls)]
    [InlineData("00", RecordFraming.NotTls)]
    public void PeekFraming_cases(string hex, RecordFraming expected) =>
        Assert.Equal(expected, TlsRecordReader.PeekFraming(Hex(hex)));
}
