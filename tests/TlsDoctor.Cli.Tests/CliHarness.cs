using Spectre.Console;
using TlsDoctor.Cli;

namespace TlsDoctor.Cli.Tests;

/// <summary>Runs the CLI in-process with captured stdout and stderr.</summary>
public static class CliHarness
{
    public sealed record Run(int ExitCode, string Out, string Error);

    /// <summary>A failed `--json` run printed exactly one document, the error one, whose exit code is the process's; returns its "error".</summary>
    public static System.Text.Json.JsonElement AssertJsonError(Run run, string kind = "usage")
    {
        using var doc = System.Text.Json.JsonDocument.Parse(run.Out);
        var root = doc.RootElement;
        Assert.Equal(["error", "exitCode"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(run.ExitCode, root.GetProperty("exitCode").GetInt32());
        var error = root.GetProperty("error");
        Assert.Equal(kind, error.GetProperty("kind").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        return error.Clone();
    }

    public static async Task<Run> RunAsync(params string[] args)
    {
        var outWriter = new StringWriter();
        var errWriter = new StringWriter();
        var console = TestConsoles.Create(outWriter, errWriter);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var code = await CliApp.RunAsync(args, console, cts.Token);
        return new Run(code, outWriter.ToString(), errWriter.ToString());
    }
}

/// <summary>Consoles that write plain text (no colours, no ANSI) to writers, 200 columns wide.</summary>
public static class TestConsoles
{
    public static CliConsole Create(TextWriter output, TextWriter error)
    {
        IAnsiConsole Make(TextWriter w)
        {
            var c = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(w),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            });
            c.Profile.Width = 200;
            return c;
        }
        return new CliConsole(Make(output), Make(error), output);
    }
}
