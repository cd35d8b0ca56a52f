using System.Text.Json;

namespace TlsDoctor.Cli.Tests;

public sealed class DemoCommandTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "tlsdoctor-demo-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_out)) Directory.Delete(_out, recursive: true);
    }

    [Fact]
    public async Task Demo_diagnoses_every_guide_case_of_the_lab()
    {
        var run = await CliHarness.RunAsync("demo", "--out", _out, "--json");
        Assert.True(run.ExitCode == 0, run.Error);
        using var doc = JsonDocument.Parse(run.Out);
        Assert.Equal("Windows Server 2012 R2", doc.RootElement.GetProperty("windows").GetString());
        var devices = doc.RootElement.GetProperty("devices").EnumerateArray()
            .ToDictionary(d => d.GetProperty("profile").GetString()!, d => d.GetProperty("diagnosis"));

        string[] Errors(string profile) => [.. devices[profile].GetProperty("findings").EnumerateArray()
            .Where(f => f.GetProperty("severity").GetString() == "error").Select(f => f.GetProperty("id").GetString()!)];

        Assert.Equal(["TD001"], Errors("mfd-weak-dh"));
        Assert.Equal(["TD003"], Errors("mfd-fake-tls12"));
        Assert.Equal(["TD004"], Errors("payment-sha512"));
        Assert.Contains("TD007", Errors("mfd-legacy-client"));
        Assert.Empty(Errors("mfd-modern"));
        // The inbound direction learned: the SHA-1-only device client's hash limit is observed, so TD007 is an error
        // whose remedy is a SHA-1 certificate.
        Assert.Contains("TD007", Errors("mfd-sha1-client"));
        var td007 = devices["mfd-sha1-client"].GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("id").GetString() == "TD007");
        Assert.Contains(td007.GetProperty("evidence").EnumerateArray(), e => e.GetProperty("text").GetString()!.Contains("observed", StringComparison.Ordinal));
        Assert.Contains(devices["mfd-broken-dh"].GetProperty("findings").EnumerateArray(), f => f.GetProperty("id").GetString() == "TD002");

        // The weak-DH remedy file is on disk, and its re-simulation completes.
        var dh = Directory.GetFiles(_out, "dh.reg", SearchOption.AllDirectories);
        Assert.Single(dh);
        var td001 = devices["mfd-weak-dh"].GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("id").GetString() == "TD001");
        Assert.Contains(td001.GetProperty("remedies").EnumerateArray(), r => r.GetProperty("resimulated").GetProperty("completed").GetBoolean());
    }
}
