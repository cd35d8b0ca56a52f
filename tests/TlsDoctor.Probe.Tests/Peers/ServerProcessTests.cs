using System.Net.Sockets;
using TlsDoctor.Core;
using TlsDoctor.TestPeers;

namespace TlsDoctor.Probe.Tests.Peers;

/// <summary>Lifecycle of <see cref="TlsServerProcess"/>, the environment, and the one group-order fact.</summary>
public sealed class ServerProcessTests
{
    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    [Fact]
    public async Task Environment_files_have_the_stated_sizes_and_algorithms()
    {
        var env = await PeerEnvironment.GetAsync(Timeout());
        Assert.True(File.Exists(env.Tools.SeclevelShim));
        Assert.True(File.Exists(env.Tools.BindShim));
        foreach (var bits in PeerEnvironment.DhParamBits)
        {
            var r = await ProcessRunner.RunAsync(env.Tools.OpenSsl, ["dhparam", "-in", env.DhParamsPath(bits), "-noout", "-text"], cancellationToken: Timeout());
            Assert.Contains($"DH Parameters: ({bits} bit)", r.StandardOutput);
        }
        foreach (var kind in Enum.GetValues<PeerCertificate>())
        {
            var files = env.Certificates.Get(kind);
            var facts = CertificateFacts.For(kind);
            using var cert = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(files.CertificatePath, files.KeyPath);
            Assert.True(cert.HasPrivateKey);
            var got = ReceivedCertificate.From(cert);
            Assert.Equal((facts.SubjectCommonName, facts.KeyAlgorithm, facts.KeyBits, facts.SignatureAlgorithmOid),
                (got.Subject, got.KeyAlgorithm, got.KeyBits, got.SignatureAlgorithmOid));
            Assert.Equal(facts.ChainLength > 1, files.ChainPath is not null);
        }
    }

    [Fact]
    public async Task Dispose_kills_the_server_and_frees_the_port()
    {
        var server = await TestPeers.Peers.StartAsync(PeerTarget.Tls13Only, Timeout());
        Assert.Equal("127.0.0.1", server.Host);
        Assert.Contains($"-accept 127.0.0.1:{server.Port}", server.CommandLine);
        Assert.False(server.HasExited);
        var endPoint = server.EndPoint;
        await server.DisposeAsync();
        Assert.True(server.HasExited);
        using var client = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(async () => await client.ConnectAsync(endPoint, Timeout()));
    }

    [Fact]
    public async Task A_server_that_dies_at_start_raises_with_its_stderr()
    {
        var env = await PeerEnvironment.GetAsync(Timeout());
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => TlsServerProcess.StartAsync(port =>
        {
            var psi = new System.Diagnostics.ProcessStartInfo(env.Tools.OpenSsl);
            foreach (var a in new[] { "s_server", "-accept", $"127.0.0.1:{port}", "-no-such-option" }) psi.ArgumentList.Add(a);
            return psi;
        }, cancellationToken: Timeout()));
        Assert.Contains("no-such-option", ex.Message);
    }

    [Fact]
    public async Task The_weak_dh_server_needs_its_shim_to_start_at_all()
    {
        // Without the shim, OpenSSL 3.0 refuses DH-512 at SSL_CTX setup: the reason the shim exists.
        var env = await PeerEnvironment.GetAsync(Timeout());
        var spec = PeerCatalog.OldMfdWeakDh();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => TlsServerProcess.StartAsync(port =>
        {
            var psi = ServerCommand.For(spec, env, port);
            psi.Environment.Remove("LD_PRELOAD");
            return psi;
        }, spec, Timeout()));
        Assert.Contains("dh key too small", ex.Message);
    }

    [Fact]
    public async Task Modern_server_picks_its_own_group_first_and_serves_many_sequential_connections()
    {
        var env = await PeerEnvironment.GetAsync(Timeout());
        await using var server = await TestPeers.Peers.StartAsync(PeerTarget.ModernTls12ServerOrder, Timeout());
        var spec = server.Spec!;
        for (var i = 0; i < 3; i++)
        {
            var hs = await OpenSslClient.ConnectAsync(env, server.EndPoint, TlsVersion.TLSv1_2, spec.Suites.Select(s => s.OpenSslName),
                useSeclevelShim: false, groups: ["secp256r1", "x25519"], cancellationToken: Timeout());
            Assert.True(hs.Succeeded, hs.ToString());
            Assert.StartsWith("X25519,", hs.ServerTempKey);
        }
    }
}
