using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TlsDoctor.Probe.Tests;

public sealed class ConnectionPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1", 443, "127.0.0.1", 443)]
    [InlineData("127.0.0.1:8443", 443, "127.0.0.1", 8443)]
    [InlineData("[::1]:5012", 443, "::1", 5012)]
    [InlineData("::1", 443, "::1", 443)]
    [InlineData("printer17.example.net:443", 80, "printer17.example.net", 443)]
    public void Targets_parse(string text, int defaultPort, string host, int port)
    {
        Assert.True(ProbeTarget.TryParse(text, defaultPort, out var t, out var error), error);
        Assert.Equal(host, t.Host);
        Assert.Equal(port, t.Port);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[::1")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:https")]
    [InlineData("[::1]x")]
    public void Bad_targets_are_rejected_with_a_reason(string text)
    {
        Assert.False(ProbeTarget.TryParse(text, 443, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Ipv6_targets_print_with_brackets() => Assert.Equal("[::1]:443", new ProbeTarget("::1", 443).ToString());

    [Fact]
    public async Task Gate_allows_one_connection_per_host_and_others_in_parallel()
    {
        var gate = new HostGate(maxPerHost: 1);
        var a1 = await gate.EnterAsync("a", CancellationToken.None);
        var b1 = gate.EnterAsync("b", CancellationToken.None);
        Assert.True(b1.IsCompleted, "another host must not wait");
        var a2 = gate.EnterAsync("a", CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(a2.IsCompleted, "second connection to the same host must wait");
        a1.Dispose();
        (await a2.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        (await b1).Dispose();
    }

    [Fact]
    public async Task Gate_waits_the_delay_between_connections_to_one_host()
    {
        var gate = new HostGate(1, TimeSpan.FromMilliseconds(200));
        (await gate.EnterAsync("a", CancellationToken.None)).Dispose();
        var clock = Stopwatch.StartNew();
        (await gate.EnterAsync("a", CancellationToken.None)).Dispose();
        Assert.True(clock.ElapsedMilliseconds >= 150, $"waited only {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Gate_honours_cancellation()
    {
        var gate = new HostGate(1);
        using var held = await gate.EnterAsync("a", CancellationToken.None);
        using var cts = new CancellationTokenSource(100);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.EnterAsync("a", cts.Token).AsTask());
    }

    [Fact]
    public async Task Scan_of_a_silent_listener_is_bounded_by_the_deadline()
    {
        // A listener that accepts and never answers, and a deadline shorter than the sum of the timeouts.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(100);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var options = new ProbeOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3));
        var clock = Stopwatch.StartNew();
        var r = await new TlsScanner(options).ScanAsync(new ProbeTarget("127.0.0.1", port));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
        Assert.Contains("deadline", r.Error);
        Assert.True(r.Reachable);
    }

    [Fact]
    public async Task Cancellation_stops_a_scan()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(100);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var cts = new CancellationTokenSource(500);
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new TlsScanner(ProbeOptions.Default).ScanAsync(new ProbeTarget("127.0.0.1", port), null, cts.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }
}
