using System.Net;
using System.Net.Sockets;
using TlsDoctor.Core;
using TlsDoctor.Lab;
using TlsDoctor.Probe.Capture;
using TlsDoctor.Schannel.Policy;
using TlsDoctor.Wire;
using static TlsDoctor.Diagnosis.Tests.Inbound.LearningHarness;

namespace TlsDoctor.Diagnosis.Tests.Inbound;

/// <summary>`listen --learn` against the lab's device clients and hostile clients; client families from a single hello.</summary>
public sealed class LabClientLearningTests
{
    private static Func<IPEndPoint, Task> Lab(string profile) => ep =>
        LabClients.RunClientAsync(profile, ep, new LegacyClientOptions([], TimeSpan.FromSeconds(10)), CancellationToken.None);

    [Fact]
    public async Task Lab_tls12_client_is_learned_as_tls12_only_and_gets_td005_against_2008r2()
    {
        var r = await LearnAsync(Lab(LabProfiles.MfdTls12Client), Server("2008r2"));
        var learned = Learned(r);
        Assert.True(learned.Limit(ClientLimits.MinVersion) is { Basis: LimitBasis.Observed, Value: "TLSv1.2" }, Dump(r));
        Assert.Equal(Severity.Warning, Assert.Single((await DiagnoseAsync(SingleHello(r), "2008r2")).Findings, f => f.Id == "TD005").Severity);
        Assert.Equal(Severity.Error, Assert.Single((await DiagnoseAsync(learned, "2008r2")).Findings, f => f.Id == "TD005").Severity);
        // On 2012 R2 (TLS 1.2 enabled for the server) the same device is fine.
        Assert.DoesNotContain((await DiagnoseAsync(learned, "2012r2")).Findings, f => f.Id == "TD005");
    }

    [Fact]
    public async Task Lab_sha1_client_is_learned_as_sha1_only_and_td007_becomes_an_error_with_a_sha1_certificate()
    {
        var r = await LearnAsync(Lab(LabProfiles.MfdSha1Client), Server("2016"));
        var learned = Learned(r);
        Assert.True(learned.Limit(ClientLimits.CertificateHashes) is { Basis: LimitBasis.Observed, Value: "sha1" }, Dump(r));
        Assert.Equal(["sha1"], learned.AcceptedCertificateHashes.ToArray());
        Assert.Equal(Severity.Warning, Assert.Single((await DiagnoseAsync(SingleHello(r), "2016")).Findings, f => f.Id == "TD007").Severity);
        var error = Assert.Single((await DiagnoseAsync(learned, "2016")).Findings, f => f.Id == "TD007");
        Assert.Equal(Severity.Error, error.Severity);
        var remedy = error.Remedies.First();
        Assert.True(remedy.Fixes);
        Assert.Contains("--key rsa:2048 --hash sha1", remedy.Files.Single().Content);
        // Every exchange is kept as evidence, including the ladder's rejection of RSA-2048/SHA-256 with bad_certificate.
        Assert.Contains(r.Captures, c => c.Exchange is { Result.Certificate: "RSA-2048/SHA-256", Result.Alert: AlertDescription.BadCertificate });
    }

    [Fact]
    public async Task Hostile_clients_are_recorded_and_the_learning_listener_keeps_going()
    {
        var hello = ClientHelloBuilder.BuildRecord(new ClientHelloSpec { LegacyVersion = 0x0303, CipherSuites = [0xC02F, 0x002F] });
        var step = 0;
        var r = await LearnAsync(async ep =>
        {
            switch (step++)
            {
                case 0: await Raw(ep, "\x01\x02garbage"u8.ToArray(), TimeSpan.Zero); break;
                case 1: await Raw(ep, hello[..20], TimeSpan.FromSeconds(1.5)); break;             // partial hello, then silence
                case 2: await Raw(ep, [], TimeSpan.FromSeconds(1.5)); break;                       // silence
                case 3: await Drip(ep, hello, TimeSpan.FromMilliseconds(250), 16); break;           // slow drip: each read in time, never done
                default: await Lab(LabProfiles.MfdTls12Client)(ep); break;
            }
        }, Server("2016"), maxConnections: 14, readTimeout: 1);
        Assert.Contains("not TLS", r.Captures[0].Error);
        Assert.Contains("no complete ClientHello within 1 s", r.Captures[1].Error);
        Assert.Contains("no complete ClientHello within 1 s", r.Captures[2].Error);
        Assert.Contains("deadline", r.Captures[3].Error);
        Assert.Equal(ListenStop.Learned, r.Stop);
        Assert.True(Learned(r).Limit(ClientLimits.MinVersion) is { Basis: LimitBasis.Observed }, Dump(r));
    }

    private static async Task Raw(IPEndPoint ep, byte[] data, TimeSpan hold)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(ep);
        if (data.Length > 0) await s.SendAsync(data, SocketFlags.None);
        await Task.Delay(hold);
    }

    private static async Task Drip(IPEndPoint ep, byte[] data, TimeSpan every, int bytes)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(ep);
        try
        {
            for (var i = 0; i < bytes; i++)
            {
                await s.SendAsync(data.AsMemory(i, 1), SocketFlags.None);
                await Task.Delay(every);
            }
        }
        catch (SocketException) { /* the listener cut us off: that is the point */ }
    }

    [Fact]
    public async Task Java6_hello_is_recognised_and_td103_is_reported_against_a_server_choosing_dhe_2048()
    {
        // The JSSE 6 default hello (also Android 2.3, libressl/portable#122): TLS 1.0, these suites, no extensions.
        var facts = ClientHelloFacts.FromTls(Parse(new ClientHelloSpec
        {
            LegacyVersion = 0x0301,
            CipherSuites = [0x0004, 0x0005, 0x002F, 0x0033, 0x0032, 0x000A, 0x0016, 0x0013, 0x0009, 0x0015, 0x0012, 0x0003, 0x0008, 0x0014, 0x0011, 0x00FF],
            NoExtensions = true,
        }), 0x0301);
        var profile = CaptureProfiles.ToClientProfile(facts, "java6");
        Assert.Equal("Java 6/7 (JSSE) or Android ≤ 2.3", profile.Family);
        Assert.Equal(1024, profile.DhMaxBits);
        var limit = profile.Limit(ClientLimits.DhMaxBits)!;
        Assert.Equal(LimitBasis.Assumed, limit.Basis);
        Assert.Contains("JDK-6521495", limit.Source);

        // A Terminal Server whose suite order puts DHE first (a GPO) picks DHE with its 2048-bit group.
        var reg = Path.GetTempFileName();
        try
        {
            File.WriteAllText(reg, "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Cryptography\\Configuration\\SSL\\00010002]\r\n\"Functions\"=\"TLS_DHE_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_128_CBC_SHA\"\r\n");
            var report = await new DiagnosisRunner().RunAsync(new DiagnoseOptions
            {
                ClientHello = profile, ClientHelloOrigin = "java6.json", Policy = new PolicyOptions { Os = "2016", RegFiles = [reg] }, Now = Now,
            });
            var f = Assert.Single(report.Findings, x => x.Id == "TD103");
            Assert.Equal(Severity.Error, f.Severity);
            Assert.Contains(f.Evidence, e => e.Text.Contains("Java 6/7", StringComparison.Ordinal));
        }
        finally { File.Delete(reg); }

        // A hello of no known family says so instead of silently assuming no limit.
        var modern = CaptureProfiles.ToClientProfile(facts with { CipherSuites = [0xC02F, 0x002F] }, "other");
        Assert.Null(modern.Family);
        Assert.Contains("not recognised", modern.Limit(ClientLimits.DhMaxBits)!.Source);
    }

    private static ClientHello Parse(ClientHelloSpec spec)
    {
        var hs = ClientHelloBuilder.BuildHandshake(spec);
        Assert.Equal(WireStatus.Done, ClientHelloReader.TryRead(hs.AsSpan(4), out var hello, out _));
        return hello;
    }
}
