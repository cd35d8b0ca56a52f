using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TlsDoctor.Probe.Handshake.LeadingZero;
using TlsDoctor.Core;
using TlsDoctor.Probe;
using static TlsDoctor.Lab.LabProfiles;

namespace TlsDoctor.Lab.Tests;

/// <summary>The profile catalogue and the host's life cycle.</summary>
public sealed class LabHostTests
{
    [Fact]
    public void Catalogue_holds_the_contract_names_once_each()
    {
        string[] expected = [MfdWeakDh, MfdBrokenDh, MfdFakeTls12, MfdTls12Only, PaymentSha512, MfdLegacyClient, MfdTls12Client, MfdSha1Client, MfdModern,
            "mfd-ssl-only", "mfd-hello-limit", "mfd-no-ocsp", "mfd-ffdhe", "mfd-chacha-order", "mfd-chunked-order",
            "hostile-garbage", "hostile-http", "hostile-slow-drip", "hostile-reset-after-hello", "hostile-silent",
            "hostile-truncated", "hostile-absurd-length", "hostile-unoffered-suite", "hostile-unoffered-version", "hostile-alert-on-hello",
            "hostile-version-intolerant", "hostile-sslv2-version", "hostile-grease-suite", "hostile-deflate",
            "hostile-record-version-change", "hostile-fake-tls13", "hostile-invalid-dh"];
        Assert.Equal(expected, LabProfiles.All.Select(p => p.Name));
        Assert.Equal([MfdLegacyClient, MfdTls12Client, MfdSha1Client], LabProfiles.All.Where(p => p.Role == LabRole.Client).Select(p => p.Name));
        // Only the vendor guide's cases (and the control) are in the guide; the rest is beyond it.
        Assert.Equal([MfdWeakDh, MfdBrokenDh, MfdFakeTls12, MfdTls12Only, PaymentSha512, MfdLegacyClient, MfdTls12Client, MfdSha1Client, MfdModern],
            LabProfiles.All.Where(p => p.InGuide).Select(p => p.Name));
        Assert.True(LabProfiles.TryGet("MFD-WEAK-DH", out var p));
        Assert.Equal(MfdWeakDh, p.Name);
        Assert.False(LabProfiles.TryGet("mfd-nope", out _));
    }

    [Fact]
    public async Task Start_rejects_unknown_and_client_profiles()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => LabHost.StartAsync(["mfd-nope"], new LabOptions(), default));
        await Assert.ThrowsAsync<ArgumentException>(() => LabHost.StartAsync([MfdLegacyClient], new LabOptions(), default));
    }

    [Fact]
    public async Task Base_port_and_count_give_consecutive_ports_in_profile_order()
    {
        var basePort = FreePortRange(6);
        await using var host = await LabHost.StartAsync([MfdModern, HostileSilent], new LabOptions(basePort, 3), default);
        Assert.Equal(Enumerable.Range(basePort, 6), host.Devices.Select(d => d.Endpoint.Port));
        Assert.Equal([MfdModern, MfdModern, MfdModern, HostileSilent, HostileSilent, HostileSilent], host.Devices.Select(d => d.Profile));
        Assert.All(host.Devices, d => Assert.Equal(IPAddress.Loopback, d.Endpoint.Address));
        Assert.Equal(host.Devices[0].CertificateSha256, host.Devices[2].CertificateSha256); // one key and certificate per profile
        Assert.Null(host.Devices[3].CertificateSha256);
    }

    [Fact]
    public async Task Silent_clients_do_not_pin_a_device_and_dispose_closes_everything_quickly()
    {
        var host = await LabHost.StartAsync([MfdWeakDh], new LabOptions(), default);
        var ep = host.Devices[0].Endpoint;
        var silent = new List<Socket>();
        for (var i = 0; i < 20; i++)
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await s.ConnectAsync(ep);
            silent.Add(s);
        }
        // Twenty idle connections later the device still completes a handshake concurrently.
        var five = TimeSpan.FromSeconds(5);
        var (r, _) = await DhLeadingZeroProbe.RunAsync(new ProbeTarget(ep.Address.ToString(), ep.Port), TlsVersion.TLSv1_0, LeadingZeroMode.Random,
            new ProbeOptions(five, five, five), default);
        Assert.True(r.Completed, r.Reason);

        var sw = Stopwatch.StartNew();
        await host.DisposeAsync();
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), $"dispose took {sw.Elapsed}");
        foreach (var s in silent)
        {
            var (_, eof) = await RawTls.ReadAllAsync(s, TimeSpan.FromSeconds(1)).ContinueWith(t => t.IsFaulted ? ([], true) : t.Result);
            Assert.True(eof);
            s.Dispose();
        }
        using var after = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAnyAsync<SocketException>(async () => await after.ConnectAsync(ep));
    }

    [Fact]
    public async Task Cancelled_start_throws_and_leaves_nothing_listening()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LabHost.StartAsync([MfdModern], new LabOptions(), cts.Token));
    }

    private static int FreePortRange(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var start = Random.Shared.Next(20000, 60000);
            var sockets = new List<Socket>();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    sockets.Add(s);
                    s.Bind(new IPEndPoint(IPAddress.Loopback, start + i));
                }
                return start;
            }
            catch (SocketException) { }
            finally { sockets.ForEach(s => s.Dispose()); }
        }
        throw new InvalidOperationException("no free port range");
    }
}
