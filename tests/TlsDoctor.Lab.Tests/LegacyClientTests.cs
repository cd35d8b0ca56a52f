using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using TlsDoctor.Core;
using TlsDoctor.TestPeers;
using static TlsDoctor.Lab.LabProfiles;

namespace TlsDoctor.Lab.Tests;

/// <summary>mfd-legacy-client against lab servers and OpenSSL servers.</summary>
[Collection("lab")]
public sealed class LegacyClientTests(LabFixture lab)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static LegacyClientOptions Trusting(params string[] sha256) => new(sha256, Timeout);

    [Fact]
    public async Task Completes_against_an_rsa1024_sha1_server_it_trusts()
    {
        var device = lab.Device(MfdWeakDh);
        var r = await LabClients.RunLegacyClientAsync(device.Endpoint, Trusting(device.CertificateSha256!), default);
        Assert.True(r.Completed, r.Reason);
        Assert.Equal(LabClientStage.Completed, r.Stage);
        Assert.Equal(TlsVersion.TLSv1_0, r.Version);
        Assert.Null(r.Alert);
    }

    [Fact]
    public async Task Aborts_with_unknown_ca_when_the_certificate_is_not_in_its_list()
    {
        var r = await LabClients.RunLegacyClientAsync(lab.Endpoint(MfdWeakDh), Trusting(new string('a', 64)), default);
        Assert.False(r.Completed);
        Assert.Equal(AlertDescription.UnknownCa, r.Alert);
        Assert.True(r.AlertSentByClient);
        Assert.Equal(LabClientStage.Certificate, r.Stage);
        Assert.Equal(lab.Device(MfdWeakDh).CertificateSha256, r.ServerCertificateSha256);
    }

    [Fact]
    public async Task Aborts_with_unsupported_certificate_on_rsa2048_even_when_trusted()
    {
        var device = lab.Device(MfdFakeTls12); // speaks TLS 1.0 with an RSA-2048 / SHA-256 certificate
        var r = await LabClients.RunLegacyClientAsync(device.Endpoint, Trusting(device.CertificateSha256!), default);
        Assert.False(r.Completed);
        Assert.Equal(AlertDescription.UnsupportedCertificate, r.Alert);
        Assert.True(r.AlertSentByClient);
        Assert.Contains("2048", r.Reason);
    }

    [Fact]
    public async Task Gets_protocol_version_from_a_tls12_only_server()
    {
        var r = await LabClients.RunLegacyClientAsync(lab.Endpoint(MfdTls12Only), Trusting(), default);
        Assert.False(r.Completed);
        Assert.Equal(AlertDescription.ProtocolVersion, r.Alert);
        Assert.False(r.AlertSentByClient);
    }

    [Fact]
    public async Task Against_openssl_servers_it_completes_with_a_trusted_old_certificate_and_rejects_rsa2048()
    {
        var env = lab.Peers;
        await using var old = await TestPeers.Peers.StartAsync(PeerTarget.OldMfdWeakDh);
        using var oldCert = X509Certificate2.CreateFromPem(File.ReadAllText(env.Certificates.OldMfd.CertificatePath));
        var ok = await LabClients.RunLegacyClientAsync(old.EndPoint, new LegacyClientOptions([], Timeout) { TrustedDer = [oldCert.RawData] }, default);
        Assert.True(ok.Completed, ok.Reason + "\n" + old.StandardError);

        // OpenSSL 3.0 serves TLS 1.0 only at @SECLEVEL=0 (its MD5+SHA-1 default sigalg fails tls_choose_sigalg
        // otherwise, even for RSA key exchange), so this server is started by hand.
        var rsa2048 = env.Certificates.Rsa2048;
        await using var modern = await TlsServerProcess.StartAsync(port =>
        {
            var psi = new System.Diagnostics.ProcessStartInfo(env.Tools.OpenSsl) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "s_server", "-accept", $"127.0.0.1:{port}", "-cert", rsa2048.CertificatePath, "-key", rsa2048.KeyPath,
                         "-no_tls1_2", "-no_tls1_3", "-cipher", "AES128-SHA:AES256-SHA:@SECLEVEL=0" })
                psi.ArgumentList.Add(a);
            return psi;
        });
        using var modernCert = X509Certificate2.CreateFromPem(File.ReadAllText(rsa2048.CertificatePath));
        var bad = await LabClients.RunLegacyClientAsync(modern.EndPoint, new LegacyClientOptions([], Timeout) { TrustedDer = [modernCert.RawData] }, default);
        Assert.Equal((false, AlertDescription.UnsupportedCertificate, true), (bad.Completed, bad.Alert, bad.AlertSentByClient));
    }

    [Fact]
    public async Task Offers_tls10_only_and_no_signature_algorithms_extension()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var run = LabClients.RunLegacyClientAsync((IPEndPoint)listener.LocalEndPoint!, new LegacyClientOptions([], TimeSpan.FromSeconds(3)), default);
        using var peer = await listener.AcceptAsync();
        var (hello, _) = await RawTls.ReadAllAsync(peer, TimeSpan.FromMilliseconds(800));
        peer.Close();
        var r = await run;
        Assert.False(r.Completed);

        Assert.Equal(22, hello[0]);
        Assert.Equal(1, hello[5]);
        var body = hello.AsSpan(9);
        Assert.Equal(0x0301, BinaryPrimitives.ReadUInt16BigEndian(body));
        var p = 34;
        p += 1 + body[p];
        p += 2 + BinaryPrimitives.ReadUInt16BigEndian(body[p..]);
        p += 1 + body[p];
        var extensions = new List<ushort>();
        var end = p + 2 + BinaryPrimitives.ReadUInt16BigEndian(body[p..]);
        for (p += 2; p < end; p += 4 + BinaryPrimitives.ReadUInt16BigEndian(body[(p + 2)..]))
            extensions.Add(BinaryPrimitives.ReadUInt16BigEndian(body[p..]));
        Assert.DoesNotContain((ushort)13, extensions); // signature_algorithms
        Assert.DoesNotContain((ushort)43, extensions); // supported_versions
    }

    [Fact]
    public async Task Reports_connect_failure_without_throwing()
    {
        var r = await LabClients.RunLegacyClientAsync(new IPEndPoint(IPAddress.Loopback, 1), Trusting(), default);
        Assert.False(r.Completed);
        Assert.Equal(LabClientStage.Connect, r.Stage);
    }
}
