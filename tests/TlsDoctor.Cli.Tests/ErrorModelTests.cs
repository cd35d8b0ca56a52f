using System.Reflection;
using System.Text.Json;
using TlsDoctor.Core;

namespace TlsDoctor.Cli.Tests;

/// <summary>One error model: every input error of every layer is an InputException, mapped once to exit 2, and `--json` still prints one document.</summary>
public sealed class ErrorModelTests
{
    private static readonly Assembly[] Layers =
    [
        typeof(InputException).Assembly, typeof(Probe.ProbeTarget).Assembly, typeof(Schannel.Policy.PolicyOptions).Assembly,
        typeof(Diagnosis.Findings).Assembly, typeof(Fleet.FleetStore).Assembly, typeof(CliApp).Assembly,
    ];

    [Fact]
    public void Every_exception_type_of_ours_is_an_input_error_except_the_network_one()
    {
        var ours = Layers.SelectMany(a => a.GetTypes()).Where(t => typeof(Exception).IsAssignableFrom(t)).ToList();
        Assert.Contains(typeof(UsageException), ours);
        // A network failure is not bad input: it becomes "unreachable" (exit 3) or evidence, never exit 2.
        Assert.All(ours.Where(t => t != typeof(Probe.ProbeException)), t => Assert.True(typeof(InputException).IsAssignableFrom(t), $"{t.FullName} is not an InputException"));
    }

    [Theory]
    [InlineData("scan", "127.0.0.1:1", "--deadlin", "5")]
    [InlineData("scan", "--json", "127.0.0.1:1", "-x")]
    [InlineData("logs", "--window", "5", "--jsn", "some.log")]
    [InlineData("lab", "start", "--base-prot", "4000")]
    [InlineData("fleet", "scan", "--concurency", "4")]
    [InlineData("diagnose", "--device", "127.0.0.1:1", "--timout", "1")]
    [InlineData("simulate", "--client", "windows:2016", "--server", "windows:2016", "--jsn")]
    [InlineData("policy", "show", "--os", "2016", "--verbose")]
    [InlineData("cert", "new", "--cn", "x", "--out", "y", "-k")]
    [InlineData("listen", "--port", "1", "--bogus")]
    public async Task A_mistyped_option_is_a_usage_error_in_every_command_never_a_target(params string[] args)
    {
        var run = await CliHarness.RunAsync(args);
        Assert.Equal(2, run.ExitCode);
        var stray = args.First(a => a.StartsWith('-') && a is not ("--json" or "--window" or "--device" or "--client" or "--server" or "--os" or "--cn" or "--out" or "--port"));
        Assert.Contains(stray, run.Error);
        Assert.DoesNotContain("scanning", run.Error);
    }

    [Fact]
    public async Task A_usage_error_with_json_prints_one_error_document()
    {
        var run = await CliHarness.RunAsync("scan", "127.0.0.1:1", "--json", "--deadlin", "5");
        Assert.Equal(2, run.ExitCode);
        var error = CliHarness.AssertJsonError(run);
        Assert.Contains("--deadlin", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_input_error_with_json_prints_one_error_document_of_kind_input()
    {
        var dir = Directory.CreateTempSubdirectory("tlsdoctor-errors-").FullName;
        try
        {
            var file = Path.Combine(dir, "profile.json");
            await File.WriteAllTextAsync(file, """{ "versions": ["TLSv1.2"], "cipherSuites": ["TLS_NOT_A_SUITE"] }""");
            var run = await CliHarness.RunAsync("diagnose", "--client-hello", file, "--os", "2016", "--json", "--out", Path.Combine(dir, "fix"));
            Assert.Equal(2, run.ExitCode);
            var error = CliHarness.AssertJsonError(run, "input");
            Assert.Contains("TLS_NOT_A_SUITE", error.GetProperty("message").GetString());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Cancelled_with_json_prints_one_error_document()
    {
        var outWriter = new StringWriter();
        var console = TestConsoles.Create(outWriter, new StringWriter());
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var code = await CliApp.RunAsync(["diagnose", "--device", "127.0.0.1:1", "--os", "2016", "--json", "--out", Path.GetTempPath()], console, cts.Token);
        Assert.Equal(ExitCodes.Cancelled, code);
        using var doc = JsonDocument.Parse(outWriter.ToString());
        Assert.Equal("cancelled", doc.RootElement.GetProperty("error").GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData("--port must be 1-65535", "scan", "127.0.0.1", "--port", "0")]
    [InlineData("--timeout must be between 0 and 3600 seconds", "scan", "127.0.0.1", "--timeout", "0")]
    [InlineData("--per-host must be 1-64", "scan", "127.0.0.1", "--per-host", "65")]
    [InlineData("--dh-stress must be 0-100000", "diagnose", "--device", "127.0.0.1", "--dh-stress", "-1")]
    [InlineData("--window must be 1-10080 minutes", "logs", "x.log", "--window", "0")]
    [InlineData("--base-port must be 0-65535", "lab", "start", "--base-port", "70000")]
    [InlineData("--duration must be between 0 and 604800 seconds", "lab", "start", "--duration", "-1")]
    [InlineData("--duration must be between 0 and 604800 seconds", "lab", "start", "--duration", "1e300")]
    [InlineData("--duration must be between 0 and 604800 seconds", "lab", "start", "--duration", "NaN")]
    [InlineData("--days must be 1-36500", "cert", "new", "--cn", "x", "--out", "y", "--days", "0")]
    [InlineData("--count must be 1-100000", "listen", "--port", "1", "--count", "0")]
    public void Option_ranges_are_checked_when_the_command_line_is_parsed(string message, params string[] args)
    {
        // Parsing alone, no command runs: the range is part of the option.
        var parse = CliApp.BuildRoot(TestConsoles.Create(new StringWriter(), new StringWriter())).Parse(args);
        Assert.Contains(parse.Errors, e => e.Message == message);
    }
}
