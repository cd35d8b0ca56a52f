using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using System.Text.Json.Serialization;
using TlsDoctor.Diagnosis.Logs;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor logs`: secure-channel failures in terminalserver.log, per device, with the command to run next.</summary>
public static class LogsCommand
{
    public static readonly Argument<string[]> Files = new("files")
    {
        Description = "terminalserver.log files (and SCHANNEL event text exports); several allowed",
        Arity = ArgumentArity.OneOrMore,
    };
    public static readonly Option<double> Window = new Option<double>("--window")
    {
        Description = "Minutes between failures that still count as the same burst (1-10080, a week)",
        DefaultValueFactory = _ => 10,
        HelpName = "MINUTES",
    }.Within(1, 10080, " minutes");
    public static readonly Option<bool> Json = CommonOptions.Json();

    public static Command Create(CliConsole console)
    {
        var cmd = new Command("logs", "Find SSL/TLS secure-channel failures in terminalserver.log, group them by device and time, and name the findings they can mean")
        {
            Files, Window, Json,
        };
        cmd.SetAction((parse, ct) => Task.FromResult(Run(parse, console)));
        return cmd;
    }

    private static int Run(ParseResult parse, CliConsole console)
    {
        var window = parse.GetValue(Window);
        var report = LogAnalyzer.AnalyzeFiles(parse.GetValue(Files) ?? [], TimeSpan.FromMinutes(window));
        foreach (var w in report.Warnings) console.Error.MarkupLineInterpolated($"[yellow]warning:[/] {w}");
        if (parse.GetValue(Json))
            console.RawOut.WriteLine(JsonSerializer.Serialize(ToJson(report), Relaxed.LogsDocument));
        else
            LogsRenderer.Render(console.Out, report);
        return report.Failures > 0 ? ExitCodes.Findings : ExitCodes.Ok;
    }

    // Log lines carry quotes and non-ASCII text: readable JSON beats \u0027 escapes (stdout is not HTML).
    private static readonly LogsJsonContext Relaxed = new(new JsonSerializerOptions(LogsJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    internal static LogsDocument ToJson(LogReport r) => new(
        r.Files, r.Lines, r.Entries, r.Failures,
        [.. r.Devices.Select(d => new LogDeviceJson(
            d.Device, d.Host, d.Port, d.Count, Time(d.FirstSeen), Time(d.LastSeen),
            [.. d.Messages.Select(m => new LogMessageJson(m.Pattern, m.Meaning, m.Count))],
            [.. d.Findings.Select(f => new LogFindingJson(f.Id, f.Slug, f.Title, f.Failures))],
            [.. d.Windows.Select(w => new LogWindowJson(Time(w.Start), Time(w.End), w.Count))],
            d.DiagnoseCommand, d.ListenCommand, d.Examples))],
        r.Warnings);

    // Log times carry no zone: written as local date-time without an offset, like the log itself.
    private static string? Time(DateTime? t) => t?.ToString("yyyy-MM-dd'T'HH:mm:ss.FFF", CultureInfo.InvariantCulture);
}

/// <summary>The `logs --json` document.</summary>
public sealed record LogsDocument(ImmutableArray<string> Files, int Lines, int Entries, int Failures, ImmutableArray<LogDeviceJson> Devices, ImmutableArray<string> Warnings);

/// <summary>One device's failures as JSON.</summary>
public sealed record LogDeviceJson(
    string Device, string? Host, int? Port, int Count, string? FirstSeen, string? LastSeen,
    ImmutableArray<LogMessageJson> Messages, ImmutableArray<LogFindingJson> Findings, ImmutableArray<LogWindowJson> Windows,
    string? DiagnoseCommand, string? ListenCommand, ImmutableArray<string> Examples);

/// <summary>A message kind and its count.</summary>
public sealed record LogMessageJson(string Pattern, string Meaning, int Count);

/// <summary>A candidate finding and how many failures point to it.</summary>
public sealed record LogFindingJson(string Id, string Slug, string Title, int Failures);

/// <summary>A burst of failures.</summary>
public sealed record LogWindowJson(string? Start, string? End, int Count);

/// <summary>Source-generated serializer settings for `logs --json`.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(LogsDocument))]
public sealed partial class LogsJsonContext : JsonSerializerContext;
