using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using static TlsDoctor.Lab.LabProfiles;
using static TlsDoctor.Lab.Tests.RawTls;

namespace TlsDoctor.Lab.Tests;

/// <summary>Each hostile device, checked with a raw socket: it misbehaves exactly as its name says.</summary>
[Collection("lab")]
public sealed class HostileTests(LabFixture lab)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Garbage_answers_with_bytes_that_are_no_tls_record_then_closes()
    {
        using var s = await ConnectAndHelloAsync(lab.Endpoint(HostileGarbage));
        var (bytes, eof) = await ReadAllAsync(s, Window);
        Assert.True(eof);
        Assert.True(bytes.Length > 5);
        Assert.False(bytes[0] is >= 20 and <= 24, $"first byte {bytes[0]} is a TLS content type");
    }

    [Fact]
    public async Task Http_answers_with_an_http_400()
    {
        using var s = await ConnectAndHelloAsync(lab.Endpoint(HostileHttp));
        var (bytes, eof) = await ReadAllAsync(s, Window);
        Assert.True(eof);
        Assert.StartsWith("HTTP/1.1 400 ", Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public async Task Slow_drip_sends_a_server_hello_a_byte_at_a_time()
    {
        using var s = await ConnectAndHelloAsync(lab.Endpoint(HostileSlowDrip));
        var (bytes, eof) = await ReadAllAsync(s, TimeSpan.FromMilliseconds(1700));
        Assert.False(eof);
        // 500 ms per byte: 3-4 bytes in 1.7 s, and they begin a TLS 1.2 handshake record.
        Assert.InRange(bytes.Length, 2, 5);
        Assert.Equal(new byte[] { 22, 3, 3 }.AsSpan(0, Math.Min(3, bytes.Length)).ToArray(), bytes.AsSpan(0, Math.Min(3, bytes.Length)).ToArray());
    }

    [Fact]
    public async Task Reset_after_hello_resets_the_connection()
    {
        using var s = await ConnectAndHelloAsync(lab.Endpoint(HostileResetAfterHello));
        var e = await Assert.ThrowsAsync<SocketException>(async () => await ReadAllAsync(s, Window));
        Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
    }

    [Fact]
    public async Task Silent_reads_the_hello_and_says_nothing()
    {
        using var s = await ConnectAndHelloAsync(lab.Endpoint(HostileSilent));
        var (bytes, eof) = await ReadAllAsync(s, TimeSpan.FromSeconds(1.5));
        Assert.Empty(bytes);
        Assert.False(eof);
    }

    [Fact]
    public async Task Truncated_sends_part_of_a_server_hello_record_then_closes()
    {
        using var s = await ConnectAndHelloAsync(lab.Endpoint(HostileTruncated));
        var (bytes, eof) = await ReadAllAsync(s, Window);
        Assert.True(eof);
        Assert.Equal(22, bytes[0]);
        var declared = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(3));
        Assert.True(bytes.Length < 5 + declared, $"{bytes.Length} bytes, record declares {declared}");
    }

    [Fact]
    public async Task Absurd_length_declares_a_65535_byte_record_holding_a_16_mib_handshake_message()
    {
        using var s = await ConnectAndHelloAsync(lab.Endpoint(HostileAbsurdLength));
        var (bytes, _) = await ReadAllAsync(s, TimeSpan.FromSeconds(1));
        Assert.Equal(22, bytes[0]);
        Assert.Equal(0xFFFF, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(3)));
        Assert.Equal(2, bytes[5]);
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF }, bytes[6..9]);
        Assert.True(bytes.Length < 5 + 0xFFFF);
    }

    [Fact]
    public async Task Unoffered_suite_selects_a_suite_the_client_did_not_offer()
    {
        using var s = await ConnectAndHelloAsync(lab.Endpoint(HostileUnofferedSuite));
        var (bytes, _) = await ReadAllAsync(s, TimeSpan.FromSeconds(1));
        var (version, suite) = ParseServerHello(bytes);
        Assert.Equal(0x0303, version);
        Assert.DoesNotContain(suite, OfferedSuites);
    }

    [Fact]
    public async Task Unoffered_version_answers_a_tls12_hello_with_0x0304_and_no_supported_versions()
    {
        using var s = await ConnectAndHelloAsync(lab.Endpoint(HostileUnofferedVersion));
        var (bytes, _) = await ReadAllAsync(s, TimeSpan.FromSeconds(1));
        var (version, suite) = ParseServerHello(bytes);
        Assert.Equal(0x0304, version);
        Assert.Contains(suite, OfferedSuites);
        Assert.Equal(5 + 4 + 38, bytes.Length); // no extensions block at all
    }

    [Fact]
    public async Task Alert_on_hello_answers_with_a_fatal_handshake_failure()
    {
        using var s = await ConnectAndHelloAsync(lab.Endpoint(HostileAlertOnHello));
        var (bytes, eof) = await ReadAllAsync(s, Window);
        Assert.True(eof);
        Assert.Equal(new byte[] { 21, 3, 3, 0, 2, 2, 40 }, bytes);
    }

    private static (ushort Version, ushort Suite) ParseServerHello(byte[] r)
    {
        Assert.Equal(22, r[0]);
        Assert.Equal(2, r[5]);
        var version = BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(9));
        var sidLen = r[43];
        return (version, BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(44 + sidLen)));
    }
}
