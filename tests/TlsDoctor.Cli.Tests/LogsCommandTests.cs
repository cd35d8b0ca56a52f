using System.Runtime.CompilerServices;
using System.Text.Json;

namespace TlsDoctor.Cli.Tests;

/// <summary>`tlsdoctor logs` end to end with the sample logs of the Diagnosis tests.</summary>
public sealed class LogsCommandTests
{
    private static string Sample(string name, [CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "TlsDoctor.Diagnosis.Tests", "Logs", "Samples", name));

    [Fact]
    public async Task Json_groups_by_device_and_exits_1()
    {
        var r = await CliHarness.RunAsync("logs", Sample("terminalserver.log"), Sample("schannel-events.txt"), "--json");
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var devices = doc.RootElement.GetProperty("devices").EnumerateArray().ToList();
        var weak = devices.Single(d => d.GetProperty("device").GetString() == "10.20.30.41:443");
        Assert.Equal(3, weak.GetProperty("count").GetInt32());
        Assert.Equal("2024-03-05T14:22:03.456", weak.GetProperty("firstSeen").GetString());
        Assert.Equal("TD001", weak.GetProperty("findings")[0].GetProperty("id").GetString());
        Assert.Equal("tlsdoctor diagnose --device 10.20.30.41:443", weak.GetProperty("diagnoseCommand").GetString());
    }

    [Fact]
    public async Task Table_prints_the_next_command_per_device()
    {
        var r = await CliHarness.RunAsync("logs", Sample("terminalserver-de.log"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("192.168.10.23:443", r.Out);
        Assert.Contains("tlsdoctor diagnose --device 192.168.10.23:443", r.Out);
        Assert.Contains("secure-channel", r.Out);
    }

    [Fact]
    public async Task Clean_log_says_no_failures_and_exits_0()
    {
        var r = await CliHarness.RunAsync("logs", Sample("clean.log"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("no failures found", r.Out);
    }

    [Fact]
    public async Task Missing_or_binary_file_exits_2()
    {
        var missing = await CliHarness.RunAsync("logs", "/nonexistent/terminalserver.log");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("file not found", missing.Error);
        var bin = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(bin, [0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]);
            var r = await CliHarness.RunAsync("logs", bin, "--json");
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("binary", r.Error);
            CliHarness.AssertJsonError(r, "input");
        }
        finally
        {
            File.Delete(bin);
        }
    }
}
