using System.Security.Cryptography;
using TlsDoctor.Core;
using TlsDoctor.Wire;
using static TlsDoctor.Lab.LabProfiles;
using static TlsDoctor.Lab.Tests.RawTls;

namespace TlsDoctor.Lab.Tests;

/// <summary>The `mfd-ssl-only` device with a raw socket: its bytes parse with the same Wire readers the scanner uses.</summary>
[Collection("lab")]
public sealed class SslOnlyTests(LabFixture lab)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);

    private async Task<(byte[] Bytes, bool Eof)> ExchangeAsync(byte[] hello, TimeSpan? window = null)
    {
        using var s = await ConnectAndHelloAsync(lab.Endpoint(MfdSslOnly), hello);
        return await ReadAllAsync(s, window ?? Window);
    }

    private static List<TlsRecord> Records(byte[] bytes)
    {
        var records = new List<TlsRecord>();
        var span = bytes.AsSpan();
        while (!span.IsEmpty)
        {
            Assert.True(TlsRecordReader.TryRead(span, out var record, out var consumed, out var err) == WireStatus.Done, err.ToString());
            records.Add(record);
            span = span[consumed..];
        }
        return records;
    }

    [Fact]
    public async Task Sslv2_client_hello_gets_a_server_hello_with_the_two_common_kinds_and_the_certificate()
    {
        var hello = Sslv2.BuildClientHello(Sslv2CipherKinds.All.Select(k => k.Code), RandomNumberGenerator.GetBytes(16));
        var (bytes, eof) = await ExchangeAsync(hello);
        Assert.True(eof, "the device closes after its SERVER-HELLO");
        Assert.Equal(WireStatus.Done, Sslv2.TryReadRecord(bytes, out var message, out var consumed, out _));
        Assert.Equal(bytes.Length, consumed);
        Assert.True(Sslv2ServerHelloReader.TryRead(message.Span, out var sh, out var err) == WireStatus.Done, err.ToString());
        Assert.Equal(0x0002, sh.Version);
        Assert.Equal(1, sh.CertificateType); // X.509
        Assert.Equal([0x010080, 0x0700C0], sh.CipherKinds.AsEnumerable());
        Assert.Equal(16, sh.ConnectionId.Length);
        var cert = CertificateInfo.FromDer(sh.Certificate.Span);
        Assert.Equal(lab.Device(MfdSslOnly).CertificateSha256, cert.Sha256);
        Assert.Equal(1024, cert.KeyBits);
        Assert.Equal("sha1WithRSAEncryption", cert.SignatureAlgorithm);
    }

    [Fact]
    public async Task Sslv2_client_hello_without_a_common_kind_gets_a_no_cipher_error()
    {
        var (bytes, eof) = await ExchangeAsync(Sslv2.BuildClientHello([0x020080, 0x060040], RandomNumberGenerator.GetBytes(16)));
        Assert.True(eof);
        Assert.Equal(WireStatus.Done, Sslv2.TryReadRecord(bytes, out var message, out _, out _));
        Assert.Equal(WireStatus.Done, Sslv2.TryReadError(message.Span, out var code, out _));
        Assert.Equal((ushort)1, code); // NO-CIPHER-ERROR
    }

    [Fact]
    public async Task Tls13_hello_is_negotiated_down_to_ssl3_with_certificate_and_server_hello_done()
    {
        // Only supported_versions names TLS 1.3; the legacy_version is TLS 1.2, and RC4 is offered before 3DES.
        var hello = ClientHelloBuilder.BuildRecord(new ClientHelloSpec
        {
            LegacyVersion = 0x0303,
            SupportedVersions = [0x0304, 0x0303],
            CipherSuites = [0x1301, 0x0005, 0x000A, 0x002F],
            SupportedGroups = [0x001D],
            KeyShares = [],
        });
        // The device keeps the connection open after its flight, so the read ends by time; loopback needs far less.
        var (bytes, eof) = await ExchangeAsync(hello, TimeSpan.FromSeconds(1.5));
        Assert.False(eof, "the device waits for the client after ServerHelloDone");
        var records = Records(bytes);
        Assert.All(records, r => Assert.Equal(0x0300, r.Version));
        Assert.All(records, r => Assert.Equal(ContentType.Handshake, r.Type));
        var reassembler = new HandshakeReassembler();
        foreach (var r in records) Assert.Equal(WireStatus.Done, reassembler.Add(r.Fragment.Span, out _));
        var messages = new List<HandshakeMessage>();
        while (reassembler.TryTake(out var m)) messages.Add(m);
        Assert.Equal([HandshakeType.ServerHello, HandshakeType.Certificate, HandshakeType.ServerHelloDone], messages.Select(m => m.Type));

        Assert.Equal(WireStatus.Done, ServerHelloReader.TryRead(messages[0].Body.Span, out var sh, out _));
        Assert.Equal(0x0300, sh.SelectedVersion);
        Assert.Equal(0x000A, sh.CipherSuite); // the server's preference, not the client's
        Assert.Equal(WireStatus.Done, CertificateReader.TryRead(messages[1].Body.Span, false, out var chain, out _));
        Assert.Equal(lab.Device(MfdSslOnly).CertificateSha256, CertificateInfo.FromDer(Assert.Single(chain).Span).Sha256);
    }

    [Fact]
    public async Task Hello_without_either_suite_gets_a_fatal_handshake_failure_in_an_ssl3_record()
    {
        var (bytes, eof) = await ExchangeAsync(ClientHello12()); // ECDHE and AES suites only
        Assert.True(eof);
        var record = Assert.Single(Records(bytes));
        Assert.Equal(ContentType.Alert, record.Type);
        Assert.Equal(0x0300, record.Version);
        Assert.Equal(WireStatus.Done, AlertReader.TryRead(record.Fragment.Span, out var alert, out _));
        Assert.Equal(AlertLevel.Fatal, alert.Level);
        Assert.Equal(AlertDescription.HandshakeFailure, alert.Description);
    }

    [Fact]
    public async Task Garbage_is_answered_by_closing()
    {
        var (bytes, eof) = await ExchangeAsync("GET / HTTP/1.1\r\nHost: printer\r\n\r\n"u8.ToArray());
        Assert.Empty(bytes);
        Assert.True(eof);
    }
}
