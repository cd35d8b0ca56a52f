using System.Buffers.Binary;
using TlsDoctor.Probe.Capture;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe.Tests.Capture;

/// <summary>Field-hardening items of issue 15 for captured hellos: SSLv2 format details and ALPN bytes.</summary>
public sealed class HelloEdgeTests
{
    // An SSLv2 CLIENT-HELLO (2-byte header) with a challenge of any length, built by hand: the builder refuses bad lengths.
    private static byte[] Sslv2Hello(int challengeLength)
    {
        byte[] kinds = [0x00, 0x00, 0x2F, 0x00, 0x00, 0x35];
        var body = new byte[9 + kinds.Length + challengeLength];
        body[0] = 1; // CLIENT-HELLO
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(1), 0x0301);
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(3), (ushort)kinds.Length);
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(5), 0);
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(7), (ushort)challengeLength);
        kinds.CopyTo(body, 9);
        var record = new byte[2 + body.Length];
        BinaryPrimitives.WriteUInt16BigEndian(record, (ushort)(0x8000 | body.Length));
        body.CopyTo(record, 2);
        return record;
    }

    [Fact]
    public async Task Sslv2_hello_has_no_compression_methods()
    {
        var r = await CaptureHarness.RunAsync(CaptureHarness.Options(), ep => CaptureHarness.SendRawAsync(ep, Sslv2Hello(16)));
        var c = Assert.Single(r.Captures);
        Assert.Null(c.Error);
        Assert.Empty(c.Hello!.CompressionMethods);
        Assert.Empty(ListenJsonMapper.ToJson(c.Hello).CompressionMethods);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(33)]
    [InlineData(0)]
    public async Task Sslv2_challenge_outside_16_to_32_bytes_is_malformed(int length)
    {
        var r = await CaptureHarness.RunAsync(CaptureHarness.Options(count: null, timeoutSeconds: 3), ep => CaptureHarness.SendRawAsync(ep, Sslv2Hello(length)));
        var c = Assert.Single(r.Captures);
        Assert.Null(c.Hello);
        Assert.Contains("malformed SSLv2 CLIENT-HELLO", c.Error);
        Assert.Contains("challenge_length", c.Error);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    public void Sslv2_challenge_at_the_limits_is_read(int length)
    {
        var bytes = Sslv2Hello(length);
        Assert.Equal(WireStatus.Done, Sslv2ClientHelloReader.TryRead(bytes.AsSpan(2), out var hello, out _));
        Assert.Equal(length, hello.Challenge.Length);
    }

    private static ClientHelloSpec WithAlpn(params byte[][] names)
    {
        var list = new List<byte>();
        foreach (var n in names) { list.Add((byte)n.Length); list.AddRange(n); }
        var data = new byte[2 + list.Count];
        BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)list.Count);
        list.CopyTo(data, 2);
        return new ClientHelloSpec { LegacyVersion = 0x0303, CipherSuites = [0xC02F, 0x002F], ExtraExtensions = [new RawExtension(0x0010, data)] };
    }

    [Fact]
    public async Task Non_ascii_alpn_is_kept_as_hex()
    {
        var r = await CaptureHarness.RunAsync(CaptureHarness.Options(), ep =>
            CaptureHarness.SendRawAsync(ep, ClientHelloBuilder.BuildRecord(WithAlpn([0xC3, 0xA9, 0x01], "h2"u8.ToArray()))));
        var c = Assert.Single(r.Captures);
        Assert.Null(c.Error);
        Assert.Equal(["0xc3a901", "h2"], c.Hello!.Alpn.ToArray());
        Assert.Equal(["0xc3a901", "h2"], ListenJsonMapper.ToJson(c.Hello).Alpn.ToArray());
        // JA4 uses the raw bytes of the first name: not alphanumeric, so the first and last hex digit.
        Assert.Equal("c1", c.Ja4![8..10]);
    }

    [Fact]
    public async Task Alpn_list_with_an_empty_name_is_malformed()
    {
        byte[] answer = [];
        var r = await CaptureHarness.RunAsync(CaptureHarness.Options(count: null, timeoutSeconds: 3), async ep =>
            answer = await CaptureHarness.SendRawAsync(ep, ClientHelloBuilder.BuildRecord(WithAlpn("h2"u8.ToArray(), []))));
        var c = Assert.Single(r.Captures);
        Assert.Null(c.Hello);
        Assert.Contains("malformed ClientHello", c.Error);
        Assert.Contains("empty protocol name", c.Error);
        Assert.Equal("decode_error alert", c.Response);
    }
}

/// <summary>Issue 15 #8 and #28: the run's limit (ListenOptions.Timeout, `listen --duration`) and the connection deadline hold even while connections are being read; floods are served.</summary>
public sealed class ListenerLoadTests
{
    private static byte[] Hello() => ClientHelloBuilder.BuildRecord(ListenerTests.FoxIoExample());

    [Fact]
    public async Task Run_timeout_ends_a_slow_drip_connection_that_keeps_every_read_within_its_timeout()
    {
        var options = CaptureHarness.Options(count: null, timeoutSeconds: 1.5, readTimeoutSeconds: 5) with { ConnectionTimeout = TimeSpan.FromSeconds(60) };
        using var listener = ClientHelloListener.Start(options);
        var run = listener.RunAsync(null, CancellationToken.None);
        using var drip = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await drip.ConnectAsync(listener.LocalEndPoint);
        var hello = Hello();
        for (var i = 0; i < 40 && !run.IsCompleted; i++)
        {
            try { await drip.SendAsync(hello.AsMemory(i, 1), System.Net.Sockets.SocketFlags.None); } catch (System.Net.Sockets.SocketException) { break; }
            await Task.Delay(200);
        }
        // The run ended by its own limit (ListenOptions.Timeout = `listen --duration`, 1.5 s), long before 40 drips (8 s) and the 60 s connection deadline.
        Assert.True(run.IsCompleted);
        var r = await run;
        Assert.Equal(ListenStop.Timeout, r.Stop);
        Assert.Contains("listener stopped", Assert.Single(r.Captures).Error);
    }

    [Fact]
    public async Task Connection_deadline_cuts_a_slow_drip_client_and_other_clients_are_captured_meanwhile()
    {
        var options = CaptureHarness.Options(count: 3, timeoutSeconds: 30, readTimeoutSeconds: 5) with { ConnectionTimeout = TimeSpan.FromSeconds(1) };
        var r = await CaptureHarness.RunAsync(options, async ep =>
        {
            using var drip = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            await drip.ConnectAsync(ep);
            await drip.SendAsync(Hello().AsMemory(0, 1), System.Net.Sockets.SocketFlags.None);
            // While the first connection drips, two others are read and captured (concurrent reading).
            await CaptureHarness.SendRawAsync(ep, Hello());
            await CaptureHarness.SendRawAsync(ep, Hello());
            var hello = Hello();
            for (var i = 1; i < 20; i++)
            {
                try { await drip.SendAsync(hello.AsMemory(i, 1), System.Net.Sockets.SocketFlags.None); } catch (System.Net.Sockets.SocketException) { break; }
                await Task.Delay(150);
            }
            await CaptureHarness.SendRawAsync(ep, Hello());
        });
        // Capture order is connection order, whatever order they finished in.
        Assert.Equal([1, 2, 3, 4], r.Captures.Select(c => c.Connection));
        Assert.Contains("deadline", r.Captures[0].Error);
        Assert.All(r.Captures.Skip(1), c => Assert.Null(c.Error));
    }

    [Fact]
    public async Task A_flood_of_connections_is_served_without_refusals_and_in_order()
    {
        const int n = 1500;
        var options = CaptureHarness.Options(count: n, timeoutSeconds: 120, readTimeoutSeconds: 5) with { MaxConcurrent = 32 };
        var refused = 0;
        var hello = Hello();
        var r = await CaptureHarness.RunAsync(options, async ep =>
        {
            using var gate = new SemaphoreSlim(200);
            await Task.WhenAll(Enumerable.Range(0, n).Select(async _ =>
            {
                await gate.WaitAsync();
                try
                {
                    using var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                    await s.ConnectAsync(ep);
                    await s.SendAsync(hello, System.Net.Sockets.SocketFlags.None);
                    var buf = new byte[16];
                    await s.ReceiveAsync(buf, System.Net.Sockets.SocketFlags.None);
                }
                catch (System.Net.Sockets.SocketException) { Interlocked.Increment(ref refused); }
                finally { gate.Release(); }
            }));
        });
        Assert.Equal(0, refused);
        Assert.Equal(n, r.Captured);
        Assert.Equal(Enumerable.Range(1, r.Captures.Length), r.Captures.Select(c => c.Connection));
    }
}
