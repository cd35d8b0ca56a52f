using System.Collections.Immutable;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using TlsDoctor.Core;
using TlsDoctor.Probe.Capture;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe.Tests.Capture;

/// <summary>The ClientHello listener against real clients (.NET SslStream on OpenSSL), raw hellos and misbehaving peers.</summary>
public sealed class ListenerTests
{
    // The hello of FoxIO's JA4 documentation (technical_details/JA4.md): 15 suites, 16 extensions in this order,
    // ALPN h2, SNI present, supported_versions up to TLS 1.3; GREASE added to prove it is ignored.
    internal static ClientHelloSpec FoxIoExample(bool grease = true)
    {
        ushort[] suites = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
        ushort[] sigs = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
        var ext = new List<RawExtension>
        {
            new(0x001b, new byte[] { 0x02, 0x00, 0x02 }),
            HelloExtensions.ServerName("example.com"),
            HelloExtensions.KeyShareClient([new KeyShareEntry(0x001d, new byte[32])]),
            HelloExtensions.Alpn("h2", "http/1.1"),
            new(0x4469, new byte[] { 0x00, 0x03, 0x02, 0x68, 0x32 }),
            HelloExtensions.Empty(ExtensionType.ExtendedMasterSecret),
            new(0x002d, new byte[] { 0x01, 0x01 }),
            HelloExtensions.UInt16List(ExtensionType.SignatureAlgorithms, sigs),
            new(0x0005, new byte[] { 0x01, 0x00, 0x00, 0x00, 0x00 }),
            HelloExtensions.Empty(ExtensionType.SessionTicket),
            HelloExtensions.Empty(ExtensionType.SignedCertificateTimestamp),
            HelloExtensions.SupportedVersionsClient(grease ? [0x3a3a, 0x0304, 0x0303] : [0x0304, 0x0303]),
            HelloExtensions.RenegotiationInfo(),
            HelloExtensions.EcPointFormats(0),
            HelloExtensions.UInt16List(ExtensionType.SupportedGroups, grease ? [0x4a4a, 0x001d, 0x0017, 0x0018] : [0x001d, 0x0017, 0x0018]),
            HelloExtensions.Padding(10),
        };
        if (grease) ext.Insert(0, new RawExtension(0x0a0a, ReadOnlyMemory<byte>.Empty));
        return new ClientHelloSpec
        {
            LegacyVersion = 0x0303,
            CipherSuites = grease ? [0x2a2a, .. suites] : [.. suites],
            ExtraExtensions = [.. ext],
        };
    }

    [Fact]
    public async Task Ja4_and_ja3_match_the_published_example()
    {
        byte[] answer = [];
        var r = await CaptureHarness.RunAsync(CaptureHarness.Options(), async ep =>
            answer = await CaptureHarness.SendRawAsync(ep, ClientHelloBuilder.BuildRecord(FoxIoExample())));
        var c = Assert.Single(r.Captures);
        Assert.Null(c.Error);
        Assert.Equal("t13d1516h2_8daaf6152771_e5627efa2ab1", c.Ja4);
        Assert.Equal("771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53," +
                     "27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0", c.Ja3!.Text);
        Assert.True(c.Hello!.Grease);
        Assert.Equal("example.com", c.Hello.ServerName);
        Assert.Equal(["h2", "http/1.1"], c.Hello.Alpn.ToArray());
        // The answer is one fatal handshake_failure alert record.
        Assert.Equal(new byte[] { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28 }, answer);
        var p = c.Profile!;
        Assert.Equal([TlsVersion.TLSv1_2, TlsVersion.TLSv1_3], p.Versions.ToArray());
        Assert.Equal(15, p.CipherSuites.Length);
        Assert.Equal("TLS_AES_128_GCM_SHA256", p.CipherSuites[0].Name);
        Assert.Equal(["x25519", "secp256r1", "secp384r1"], p.Groups.Select(g => g.Name));
        Assert.Equal("ecdsa_secp256r1_sha256", p.SignatureSchemes[0].Name);
        Assert.Contains("application_layer_protocol_negotiation", p.Extensions);
        Assert.DoesNotContain("GREASE", p.Extensions);
    }

    [Fact]
    public void Ja4_without_signature_algorithms_hashes_the_extensions_alone()
    {
        // JA4.md: "0005,000a,…,ff01 = 6d807ffa2a79" when the hello carries no signature algorithms.
        var spec = FoxIoExample(grease: false);
        var facts = ClientHelloFacts.FromTls(Parse(spec), 0x0301) with { SignatureAlgorithms = [] };
        Assert.EndsWith("_6d807ffa2a79", Fingerprints.Ja4(facts));
    }

    [Fact]
    public void Ja3_hash_matches_a_published_chrome_fingerprint()
    {
        // Published pair: "771,4865-…-53,0-23-65281-10-11-35-16-5-13-18-51-45-43-27-17513-21,29-23-24,0" = cd08e31494f9531f560d64c695473da9.
        ushort[] suites = [4865, 4866, 4867, 49195, 49199, 49196, 49200, 52393, 52392, 49171, 49172, 156, 157, 47, 53];
        ushort[] exts = [0, 23, 65281, 10, 11, 35, 16, 5, 13, 18, 51, 45, 43, 27, 17513, 21];
        var facts = new ClientHelloFacts(HelloFormat.Tls, 0x0301, 0x0303, [0x0304], [0x0a0a, .. suites], [], [0],
            [0x1a1a, .. exts], [0x2a2a, 29, 23, 24], [0x0403], [0], "x", ["h2"], [.. "h2"u8]);
        Assert.Equal("cd08e31494f9531f560d64c695473da9", Fingerprints.Ja3(facts).Hash);
    }

    [Fact]
    public async Task SslStream_client_is_captured_with_sni_versions_and_suites()
    {
        Exception? clientError = null;
        var r = await CaptureHarness.RunAsync(CaptureHarness.Options(), async ep =>
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(ep);
            using var ssl = new SslStream(tcp.GetStream());
            try
            {
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = "printer.example",
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                }).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) { clientError = e; }
        });
        // The client was refused (handshake_failure), not left hanging.
        Assert.IsType<AuthenticationException>(clientError);
        var c = Assert.Single(r.Captures);
        Assert.Null(c.Error);
        Assert.Equal(ListenStop.Count, r.Stop);
        Assert.Equal("printer.example", c.Hello!.ServerName);
        Assert.Contains(TlsVersion.TLSv1_3, c.Profile!.Versions);
        Assert.Contains(TlsVersion.TLSv1_2, c.Profile.Versions);
        Assert.Contains(c.Profile.CipherSuites, s => s.Name == "TLS_AES_256_GCM_SHA384");
        Assert.Contains(c.Profile.CipherSuites, s => s.Name.StartsWith("TLS_ECDHE_", StringComparison.Ordinal));
        Assert.NotEmpty(c.Profile.SignatureSchemes);
        Assert.Contains("http/1.1", c.Hello.Alpn);
        Assert.StartsWith("t13d", c.Ja4);
        Assert.Matches("^[0-9a-f]{32}$", c.Ja3!.Hash);
        Assert.Equal("127.0.0.1", c.RemoteAddress);
    }

    [Fact]
    public async Task Sslv2_format_hello_is_captured_and_answered_in_tls()
    {
        byte[] answer = [];
        var hello = Sslv2.BuildClientHello([0x010080, 0x0700C0, 0x00002F, 0x000035, 0x00000A], new byte[16], version: 0x0301);
        var r = await CaptureHarness.RunAsync(CaptureHarness.Options(), async ep => answer = await CaptureHarness.SendRawAsync(ep, hello));
        var c = Assert.Single(r.Captures);
        Assert.Null(c.Error);
        Assert.Equal(HelloFormat.Sslv2, c.Hello!.Format);
        Assert.Equal(["TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"], c.Profile!.CipherSuites.Select(s => s.Name));
        Assert.Equal(["SSL_CK_RC4_128_WITH_MD5", "SSL_CK_DES_192_EDE3_CBC_WITH_MD5"], ListenJsonMapper.ToJson(c.Hello).Sslv2CipherKinds.ToArray());
        Assert.Equal([TlsVersion.SSLv2, TlsVersion.SSLv3, TlsVersion.TLSv1_0], c.Profile.Versions.ToArray());
        Assert.Empty(c.Profile.SignatureSchemes);
        Assert.Equal(new byte[] { 0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28 }, answer);
        Assert.StartsWith("t10i0300", c.Ja4);
    }

    [Fact]
    public async Task Old_tls10_hello_without_extensions_gives_tls10_profile_with_empty_lists()
    {
        var spec = new ClientHelloSpec { LegacyVersion = 0x0301, CipherSuites = [0x0039, 0x002F, 0x0005], NoExtensions = true };
        var r = await CaptureHarness.RunAsync(CaptureHarness.Options(), async ep => await CaptureHarness.SendRawAsync(ep, ClientHelloBuilder.BuildRecord(spec)));
        var c = Assert.Single(r.Captures);
        Assert.Equal([TlsVersion.TLSv1_0], c.Profile!.Versions.ToArray());
        Assert.Empty(c.Profile.Groups);
        Assert.Empty(c.Profile.SignatureSchemes);
        Assert.Empty(c.Profile.Extensions);
        Assert.Equal("769,57-47-5,,,", c.Ja3!.Text);
        Assert.Equal("t10i030000_", c.Ja4![..11]);
        Assert.EndsWith("_000000000000", c.Ja4);
    }

    [Fact]
    public async Task Hello_fragmented_over_records_and_tcp_segments_is_reassembled()
    {
        var whole = ClientHelloBuilder.BuildRecord(FoxIoExample());
        var split = ClientHelloBuilder.BuildRecord(FoxIoExample(), maxFragment: 40);
        var r = await CaptureHarness.RunAsync(CaptureHarness.Options(count: 2), async ep =>
        {
            await CaptureHarness.SendRawAsync(ep, whole);
            await CaptureHarness.SendRawAsync(ep, split, chunk: 7);
        });
        Assert.Equal(2, r.Captured);
        Assert.Equal(r.Captures[0].Ja4, r.Captures[1].Ja4);
        Assert.Equal(r.Captures[0].Ja3, r.Captures[1].Ja3);
    }

    [Fact]
    public async Task Garbage_and_silence_are_recorded_and_the_listener_keeps_going()
    {
        var r = await CaptureHarness.RunAsync(CaptureHarness.Options(count: 1, readTimeoutSeconds: 0.5), async ep =>
        {
            await CaptureHarness.SendRawAsync(ep, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
            await CaptureHarness.SendRawAsync(ep, [0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0xFF]); // hello body too short
            using (var silent = new TcpClient())
            {
                await silent.ConnectAsync(ep);
                await Task.Delay(1200);
            }
            await CaptureHarness.SendRawAsync(ep, ClientHelloBuilder.BuildRecord(FoxIoExample()));
        });
        Assert.Equal(4, r.Captures.Length);
        Assert.Contains("plain HTTP", r.Captures[0].Error);
        Assert.Contains("malformed ClientHello", r.Captures[1].Error);
        Assert.Equal("decode_error alert", r.Captures[1].Response);
        Assert.Contains("no complete ClientHello within 0.5 s", r.Captures[2].Error);
        Assert.Null(r.Captures[3].Error);
        Assert.Equal(1, r.Captured);
        Assert.Equal(ListenStop.Count, r.Stop);
    }

    [Fact]
    public async Task Timeout_with_nobody_connecting_stops_with_no_captures()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var r = await CaptureHarness.RunAsync(CaptureHarness.Options(count: null, timeoutSeconds: 0.4), _ => Task.CompletedTask);
        Assert.Empty(r.Captures);
        Assert.Equal(ListenStop.Timeout, r.Stop);
        Assert.InRange(sw.Elapsed.TotalSeconds, 0.3, 10);
    }

    [Fact]
    public async Task Cancellation_stops_cleanly_and_keeps_what_was_captured()
    {
        using var cts = new CancellationTokenSource();
        var r = await CaptureHarness.RunAsync(CaptureHarness.Options(count: null, timeoutSeconds: null), async ep =>
        {
            await CaptureHarness.SendRawAsync(ep, ClientHelloBuilder.BuildRecord(FoxIoExample()));
            cts.CancelAfter(200);
        }, cts.Token);
        Assert.Equal(ListenStop.Cancelled, r.Stop);
        Assert.Single(r.Captures);
    }

    [Fact]
    public void Port_in_use_fails_at_start()
    {
        using var first = ClientHelloListener.Start(CaptureHarness.Options());
        Assert.Throws<SocketException>(() => ClientHelloListener.Start(CaptureHarness.Options() with { Endpoint = first.LocalEndPoint }));
    }

    internal static ClientHello Parse(ClientHelloSpec spec)
    {
        var hs = ClientHelloBuilder.BuildHandshake(spec);
        Assert.Equal(WireStatus.Done, ClientHelloReader.TryRead(hs.AsSpan(4), out var hello, out var e));
        return hello;
    }
}
