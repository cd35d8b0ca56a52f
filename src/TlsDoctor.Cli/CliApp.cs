using System.CommandLine;
using System.CommandLine.Parsing;
using Spectre.Console;
using TlsDoctor.Cli.Commands;
using TlsDoctor.Core;

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
        var json = WantsJson(parse, args);
        var errors = parse.Errors.Select(e => e.Message).Concat(StrayOptions(parse)).ToList();
        if (errors.Count > 0)
            return await FailAsync(console, json, ErrorKind.Usage, ExitCodes.Usage, errors[0], errors).ConfigureAwait(false);
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return await FailAsync(console, json, ErrorKind.Cancelled, ExitCodes.Cancelled, "cancelled", []).ConfigureAwait(false);
        }
        // The one mapping of input errors, whatever layer threw them (files, option values, documents, stored data).
        catch (InputException e)
        {
            return await FailAsync(console, json, e is UsageException ? ErrorKind.Usage : ErrorKind.Input,
                e.Unreachable ? ExitCodes.Unreachable : ExitCodes.Usage, e.Message, [e.Message],
                e.Field, e.Offset).ConfigureAwait(false);
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

    /// <summary>
    /// Arguments that look like options but are none (a mistyped `--deadlin`): System.CommandLine hands them to a
    /// command's arguments, where they would become targets or files. Every command rejects them the same way.
    /// </summary>
    private static IEnumerable<string> StrayOptions(ParseResult parse)
    {
        for (SymbolResult? r = parse.CommandResult; r is not null; r = r.Parent)
            foreach (var a in r is CommandResult c ? c.Children.OfType<ArgumentResult>() : [])
                foreach (var t in a.Tokens.Where(t => t.Value.Length > 1 && t.Value.StartsWith('-')))
                    yield return $"unknown option '{t.Value}' (see --help for the options of this command)";
    }

    // --json asks for one JSON document even when the command fails, parse errors included.
    private static bool WantsJson(ParseResult parse, string[] args)
    {
        var option = parse.CommandResult.Command.Options.OfType<Option<bool>>().FirstOrDefault(o => o.Name == "--json");
        if (option is not null && parse.Errors.Count == 0) return parse.GetValue(option);
        return args.Contains("--json", StringComparer.Ordinal);
    }

    private static async Task<int> FailAsync(CliConsole console, bool json, ErrorKind kind, int exitCode, string message, IReadOnlyList<string> lines,
        string? field = null, long? offset = null)
    {
        if (kind == ErrorKind.Cancelled) console.Error.MarkupLine("[yellow]cancelled[/]");
        else
        {
            foreach (var l in lines) console.Error.MarkupLineInterpolated($"[red]error:[/] {l}");
            if (kind == ErrorKind.Usage) console.Error.MarkupLine("run [bold]tlsdoctor --help[/] for usage");
        }
        if (json)
            await console.RawOut.WriteLineAsync(ErrorDocument.Serialize(new ErrorDocument(new ErrorJson(kind.Name(), message, field, offset), exitCode))).ConfigureAwait(false);
        return exitCode;
    }
}

/// <summary>Exit codes shared by every command (DESIGN.md §7).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Findings = 1;
    public const int Usage = 2;
    public const int Unreachable = 3;
    /// <summary>Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}

/// <summary>Bad input from the user: reported as one line, exit code 2.</summary>
public sealed class UsageException(string message) : InputException(message);

/// <summary>Where a command writes: Out gets results (tables or the one JSON document), Error gets logs and progress.</summary>
public sealed record CliConsole(IAnsiConsole Out, IAnsiConsole Error, TextWriter RawOut)
{
    /// <summary>The width of output that goes to a file or a pipe without COLUMNS: wide enough that nothing wraps.</summary>
    public const int UnboundedWidth = 4096;

    public static CliConsole CreateDefault()
    {
        // JSON and tables are UTF-8 whatever the Windows console code page is (else "§" and "≥" arrive as CP-437 bytes);
        // set before Console.Out is taken, since setting it replaces the writer.
        if (OperatingSystem.IsWindows()) Console.OutputEncoding = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        return Create(Console.Out, Console.Error, Console.IsOutputRedirected, Console.IsErrorRedirected, Environment.GetEnvironmentVariable("COLUMNS"));
    }

    /// <summary>Consoles over two writers, at the width <see cref="Width"/> chooses for each.</summary>
    public static CliConsole Create(TextWriter output, TextWriter error, bool outputRedirected, bool errorRedirected, string? columns)
    {
        var o = AnsiConsole.Create(Settings(output, outputRedirected));
        var e = AnsiConsole.Create(Settings(error, errorRedirected));
        if (Width(outputRedirected, columns) is { } ow) o.Profile.Width = ow;
        if (Width(errorRedirected, columns) is { } ew) e.Profile.Width = ew;
        return new CliConsole(o, e, output);
    }

    // A file or pipe gets plain text: no escape sequences, no live progress.
    private static AnsiConsoleSettings Settings(TextWriter writer, bool redirected) => redirected
        ? new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No }
        : new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) };

    /// <summary>
    /// The width to render at: COLUMNS when it is set, else no limit for a file or pipe (a suite name, a command or an
    /// evidence line is never split at column 80 for a script to read); null = ask the terminal.
    /// </summary>
    public static int? Width(bool redirected, string? columns) =>
        int.TryParse(columns, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var c) && c is >= 20 and <= UnboundedWidth
            ? c
            : redirected ? UnboundedWidth : null;
}

/// <summary>Rendering helpers every command shares.</summary>
public static class CliRendering
{
    // A rule spans the whole width: beyond a screen's width (a file or pipe) a plain heading line says the same.
    private const int MaxRuleWidth = 200;

    /// <summary>A section heading: a rule on a terminal, "── heading" in a file or pipe.</summary>
    public static void Heading(this IAnsiConsole console, string markup)
    {
        if (console.Profile.Width <= MaxRuleWidth) console.Write(new Rule(markup).LeftJustified());
        else console.MarkupLine($"── {markup}");
    }
}
