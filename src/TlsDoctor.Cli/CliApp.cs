using System.CommandLine;
using Spectre.Console;
using TlsDoctor.Cli.Commands;

namespace TlsDoctor.Cli;

/// <summary>Builds the command tree and runs it; output goes through the given consoles so tests can capture it.</summary>
public static class CliApp
{
    /// <summary>Runs with the process's stdout and stderr.</summary>
    public static Task<int> RunAsync(string[] args) => RunAsync(args, CliConsole.CreateDefault());

    /// <summary>Runs with explicit consoles (tests).</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken ct = default)
    {
        var root = BuildRoot(console);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) console.Error.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            console.Error.MarkupLine("run [bold]tlsdoctor --help[/] for usage");
            return ExitCodes.Usage;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            console.Error.MarkupLine("[yellow]cancelled[/]");
            return 130;
        }
        catch (UsageException e)
        {
            console.Error.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return ExitCodes.Usage;
        }
    }

    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand BuildRoot(CliConsole console)
    {
        var root = new RootCommand("TlsDoctor: finds why TLS between a Windows server and an embedded device fails, proves it, and writes the fix.");
        root.Subcommands.Add(ScanCommand.Create(console));
        root.Subcommands.Add(LabCommand.Create(console));
        root.Subcommands.Add(DemoCommand.Create(console));
        root.Subcommands.Add(ListenCommand.Create(console));
        root.Subcommands.Add(CertCommand.Create(console));
        root.Subcommands.Add(LogsCommand.Create(console));
        root.Subcommands.Add(PolicyCommand.Create(console));
        root.Subcommands.Add(SimulateCommand.Create(console));
        root.Subcommands.Add(FleetCommand.Create(console));
        root.Subcommands.Add(DiagnoseCommand.Create(console));
        return root;
    }
}

/// <summary>Exit codes shared by every command (DESIGN.md §7).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Findings = 1;
    public const int Usage = 2;
    public const int Unreachable = 3;
}

/// <summary>Bad input from the user: reported as one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Where a command writes: Out gets results (tables or the one JSON document), Error gets logs and progress.</summary>
public sealed record CliConsole(IAnsiConsole Out, IAnsiConsole Error, TextWriter RawOut)
{
    public static CliConsole CreateDefault()
    {
        // JSON and tables are UTF-8 whatever the Windows console code page is (else "§" and "≥" arrive as CP-437 bytes).
        if (OperatingSystem.IsWindows()) Console.OutputEncoding = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        var err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return new CliConsole(AnsiConsole.Console, err, Console.Out);
    }
}
