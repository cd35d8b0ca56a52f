using System.Diagnostics;
using System.Text.Json;
using TlsDoctor.Core;
using TlsDoctor.Lab;
using TlsDoctor.Probe.Json;

namespace TlsDoctor.Probe.Tests;

/// <summary>
/// The lab's `mfd-ssl-only` device over a real socket: the only test peer that says yes to SSLv2 and SSL 3.0,
/// since the distribution's OpenSSL and GnuTLS can no longer serve either.
/// </summary>
public sealed class SslOnlyScanTests(SslOnlyScan scan) : IClassFixture<SslOnlyScan>
{
    private static readonly TlsVersion[] TlsOnly = [TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2, TlsVersion.TLSv1_3];

    [Fact]
    public async Task Supported_versions_are_exactly_sslv2_and_sslv3()
    {
        var r = await scan.ResultAsync;
        Assert.True(r.Reachable);
        Assert.Null(r.Error);
        Assert.Equal(TlsVersions.All, r.Profile.Protocols.Select(p => p.Version));
        Assert.Equal([TlsVersion.SSLv2, TlsVersion.SSLv3], r.Profile.SupportedVersions);
        foreach (var v in TlsOnly)
        {
            var p = r.Profile.For(v)!;
            Assert.False(p.Supported, $"{v.Name()} listed as supported");
            Assert.Empty(p.CipherSuites);
        }
        // SSL 3.0 is the device's answer to hellos that offered more, not a version it was tricked into.
        Assert.DoesNotContain(r.Profile.Behaviours, b => b.Kind == BehaviourKind.ProtocolViolation);
    }

    [Fact]
    public async Task Sslv2_lists_the_two_cipher_kinds_of_the_server_hello()
    {
        var r = await scan.ResultAsync;
        var sslv2 = r.Profile.For(TlsVersion.SSLv2)!;
        Assert.True(sslv2.Supported);
        Assert.Equal(["SSL_CK_DES_192_EDE3_CBC_WITH_MD5", "SSL_CK_RC4_128_WITH_MD5"], sslv2.CipherSuites.Select(s => s.Suite.Name).Order());
        Assert.Contains(r.Attempts, a => a.Purpose == "versions: SSLv2" && a.Outcome == "SSLv2 SERVER-HELLO with 2 cipher kinds");
    }

    [Fact]
    public async Task Sslv3_lists_3des_then_rc4_in_server_order()
    {
        var r = await scan.ResultAsync;
        var sslv3 = r.Profile.For(TlsVersion.SSLv3)!;
        Assert.True(sslv3.Supported);
        Assert.Equal(["TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_RC4_128_SHA"], sslv3.CipherSuites.Select(s => s.Suite.Name));
        Assert.True(sslv3.ServerOrder, "server order not detected");
    }

    [Fact]
    public async Task Certificate_is_the_devices_rsa1024_sha1_self_signed_one()
    {
        var r = await scan.ResultAsync;
        // SSLv2 and SSL 3.0 carry the same certificate: one entry.
        var leaf = Assert.Single(r.Profile.Certificates);
        Assert.Equal("RSA", leaf.KeyAlgorithm);
        Assert.Equal(1024, leaf.KeyBits);
        Assert.Equal("sha1WithRSAEncryption", leaf.SignatureAlgorithm);
        Assert.Contains("mfd-ssl-only", leaf.Subject);
        Assert.True(leaf.SelfSigned);
        Assert.Equal(scan.Device.CertificateSha256, leaf.Sha256);
    }

    [Fact]
    public async Task Connections_stay_within_the_budget()
    {
        var r = await scan.ResultAsync;
        Assert.Equal(r.Handshakes, r.Attempts.Length);
        // The issue's budget: accepted + 1 per version (SSLv2's accepted are its cipher kinds), + 3 for side checks.
        var budget = r.Profile.Protocols.Sum(p => p.CipherSuites.Length + 1) + 3;
        Assert.InRange(r.Handshakes, 1, budget);
        Assert.True(scan.Elapsed < TimeSpan.FromSeconds(30), $"scan took {scan.Elapsed}");
    }

    [Fact]
    public async Task Json_document_says_sslv2_and_sslv3_are_supported_with_their_suites()
    {
        var r = await scan.ResultAsync;
        var json = JsonSerializer.Serialize(new ScanDocument([ScanJsonMapper.ToJson(r)]), ScanJsonContext.Default.ScanDocument);
        using var doc = JsonDocument.Parse(json);
        var protocols = doc.RootElement.GetProperty("scans")[0].GetProperty("protocols").EnumerateArray()
            .ToDictionary(p => p.GetProperty("version").GetString()!);

        var sslv2 = protocols["SSLv2"];
        Assert.True(sslv2.GetProperty("supported").GetBoolean());
        Assert.Equal(["SSL_CK_DES_192_EDE3_CBC_WITH_MD5:0x0700c0", "SSL_CK_RC4_128_WITH_MD5:0x010080"],
            sslv2.GetProperty("cipherSuites").EnumerateArray().Select(s => $"{s.GetProperty("name").GetString()}:{s.GetProperty("code").GetString()}").Order());

        var sslv3 = protocols["SSLv3"];
        Assert.True(sslv3.GetProperty("supported").GetBoolean());
        Assert.True(sslv3.GetProperty("serverOrder").GetBoolean());
        Assert.Equal(["TLS_RSA_WITH_3DES_EDE_CBC_SHA:0x000a", "TLS_RSA_WITH_RC4_128_SHA:0x0005"],
            sslv3.GetProperty("cipherSuites").EnumerateArray().Select(s => $"{s.GetProperty("name").GetString()}:{s.GetProperty("code").GetString()}"));

        foreach (var v in TlsOnly) Assert.False(protocols[v.Name()].GetProperty("supported").GetBoolean(), v.Name());
    }

    [Fact]
    public async Task A_saved_scan_read_back_keeps_the_sslv2_cipher_kinds()
    {
        // `simulate` and the fleet store read scans back from JSON; SSLv2 kinds must survive the trip.
        var r = await scan.ResultAsync;
        var back = ScanJsonMapper.ToProfile(ScanJsonMapper.Read(ScanJsonMapper.Serialize(new ScanDocument([ScanJsonMapper.ToJson(r)]))).Scans[0]);
        var sslv2 = back.For(TlsVersion.SSLv2)!;
        Assert.True(sslv2.Supported);
        Assert.Equal(r.Profile.For(TlsVersion.SSLv2)!.CipherSuites.Select(s => (s.Suite.Name, s.Suite.Hex, s.Suite.CipherBits)),
            sslv2.CipherSuites.Select(s => (s.Suite.Name, s.Suite.Hex, s.Suite.CipherBits)));
        Assert.Contains(sslv2.CipherSuites, s => s.Suite.Hex == "0x010080");
    }
}

/// <summary>One `mfd-ssl-only` device and one scan of it, shared by the class.</summary>
public sealed class SslOnlyScan : IAsyncLifetime
{
    private static readonly ProbeOptions Options = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(40)) { FullHandshakes = true };

    private LabHost? _host;
    private Task<ScanResult>? _result;

    public LabDevice Device => _host?.Devices.Single() ?? throw new InvalidOperationException("not started");
    public Task<ScanResult> ResultAsync => _result ?? throw new InvalidOperationException("not started");
    public TimeSpan Elapsed { get; private set; }

    public async Task InitializeAsync()
    {
        _host = await LabHost.StartAsync([LabProfiles.MfdSslOnly], new LabOptions(), CancellationToken.None);
        var clock = Stopwatch.StartNew();
        var r = await new TlsScanner(Options).ScanAsync(new ProbeTarget("127.0.0.1", Device.Endpoint.Port));
        Elapsed = clock.Elapsed;
        _result = Task.FromResult(r);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }
}
