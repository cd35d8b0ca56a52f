using Spectre.Console;
using TlsDoctor.Cli;

namespace TlsDoctor.Cli.Tests;

/// <summary>Runs the CLI in-process with captured stdout and stderr.</summary>
public static class CliHarness
{
    public sealed record Run(int ExitCode, string Out, string Error);

    public static async Task<Run> RunAsync(params string[] args)
    {
        var outWriter = new StringWriter();
        var errWriter = new StringWriter();
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
        var console = new CliConsole(Make(outWriter), Make(errWriter), outWriter);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var code = await CliApp.RunAsync(args, console, cts.Token);
        return new Run(code, outWriter.ToString(), errWriter.ToString());
    }
}
