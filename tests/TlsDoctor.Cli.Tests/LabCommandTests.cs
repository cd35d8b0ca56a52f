using System.Net.Sockets;
using System.Text.Json;

namespace TlsDoctor.Cli.Tests;

public sealed class LabCommandTests
{
    [Fact]
    public async Task Base_port_in_use_is_a_clear_usage_error()
    {
        using var busy = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        busy.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        busy.Listen(1);
        var port = ((System.Net.IPEndPoint)busy.LocalEndPoint!).Port;
        var run = await CliHarness.RunAsync("lab", "start", "mfd-modern", "--base-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--duration", "1");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("already in use", run.Error);
    }

    [Theory]
    [InlineData("65535", "3")]
    [InlineData("70000", "1")]
    public async Task Base_port_past_65535_is_a_clear_usage_error(string basePort, string count)
    {
        var run = await CliHarness.RunAsync("lab", "start", "mfd-modern", "--base-port", basePort, "--count-per-profile", count, "--duration", "1");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--base-port", run.Error);
    }

    [Fact]
    public async Task List_json_names_every_contract_profile()
    {
        var run = await CliHarness.RunAsync("lab", "list", "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        var names = doc.RootElement.GetProperty("profiles").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        foreach (var n in new[] { "mfd-weak-dh", "mfd-broken-dh", "mfd-fake-tls12", "mfd-tls12-only", "payment-sha512", "mfd-legacy-client", "mfd-modern", "mfd-ssl-only" })
            Assert.Contains(n, names);
        Assert.Contains(names, n => n!.StartsWith("hostile-", StringComparison.Ordinal));
        // Devices beyond the guide are listed but not started by `demo` or a bare `lab start`.
        Assert.DoesNotContain("mfd-ssl-only", TlsDoctor.Cli.Commands.LabCommand.GuideServers);
        Assert.DoesNotContain(TlsDoctor.Cli.Commands.LabCommand.GuideServers, n => n.StartsWith("hostile-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_serves_devices_until_the_duration_ends()
    {
        var task = CliHarness.RunAsync("lab", "start", "mfd-weak-dh", "mfd-modern", "--count-per-profile", "2", "--duration", "4", "--json");
        var run = await task;
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        var devices = doc.RootElement.GetProperty("devices").EnumerateArray().ToList();
        Assert.Equal(4, devices.Count);
        Assert.Equal(2, devices.Count(d => d.GetProperty("profile").GetString() == "mfd-weak-dh"));
        Assert.All(devices, d => Assert.Equal("127.0.0.1", d.GetProperty("address").GetString()));
        // After the duration the devices are gone.
        using var c = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => c.ConnectAsync("127.0.0.1", devices[0].GetProperty("port").GetInt32()));
    }

    [Fact]
    public async Task Unknown_profile_is_a_usage_error()
    {
        var run = await CliHarness.RunAsync("lab", "start", "mfd-nonexistent", "--duration", "1");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("unknown lab profile", run.Error);
    }

    [Fact]
    public async Task Client_profile_without_connect_is_a_usage_error()
    {
        var run = await CliHarness.RunAsync("lab", "start", "mfd-legacy-client");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--connect", run.Error);
    }

    [Fact]
    public async Task Legacy_client_fails_against_a_modern_device()
    {
        await using var host = await TlsDoctor.Lab.LabHost.StartAsync(["mfd-modern"], new TlsDoctor.Lab.LabOptions(), CancellationToken.None);
        var ep = host.Devices[0].Endpoint;
        var run = await CliHarness.RunAsync("lab", "start", "mfd-legacy-client", "--connect", $"127.0.0.1:{ep.Port}", "--json");
        Assert.Equal(1, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        var r = doc.RootElement.GetProperty("runs")[0];
        Assert.False(r.GetProperty("completed").GetBoolean());
        // The TLS 1.0-only device meets a TLS 1.2/1.3 server: the server refuses the version.
        Assert.Equal("protocol_version", r.GetProperty("alert").GetString());
    }
}
