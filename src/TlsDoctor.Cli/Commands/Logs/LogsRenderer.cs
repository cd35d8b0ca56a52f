using System.Globalization;
using Spectre.Console;
using TlsDoctor.Diagnosis.Logs;

namespace TlsDoctor.Cli.Commands;

/// <summary>Draws the per-device failure summary; log text is escaped before it enters markup.</summary>
public static class LogsRenderer
{
    public static void Render(IAnsiConsole console, LogReport r)
    {
        console.MarkupLineInterpolated($"{r.Files.Length} file(s), {r.Lines} line(s), {r.Entries} entries, [bold]{r.Failures} secure-channel failure(s)[/]");
        if (r.Failures == 0)
        {
            console.MarkupLine("[green]no failures found[/]: no SSL/TLS secure-channel errors in these files.");
            return;
        }
        foreach (var d in r.Devices)
        {
            var span = d.FirstSeen is { } f ? $"{f:yyyy-MM-dd HH:mm:ss} … {d.LastSeen:yyyy-MM-dd HH:mm:ss}" : "no timestamps";
            console.Heading($"[bold]{Markup.Escape(d.Device)}[/] {d.Count.ToString(CultureInfo.InvariantCulture)} failure(s), {Markup.Escape(span)}, {d.Windows.Length.ToString(CultureInfo.InvariantCulture)} burst(s)");
            var t = new Table().Border(TableBorder.Simple).AddColumns("Count", "Message", "Meaning");
            foreach (var m in d.Messages) t.AddRow(m.Count.ToString(CultureInfo.InvariantCulture), m.Pattern, m.Meaning);
            console.Write(t);
            var ft = new Table().Border(TableBorder.Simple).AddColumns("Finding", "Failures", "Can mean");
            foreach (var c in d.Findings) ft.AddRow($"{c.Id} {c.Slug}", c.Failures.ToString(CultureInfo.InvariantCulture), c.Title);
            console.Write(ft);
            foreach (var e in d.Examples) console.MarkupLineInterpolated($"  [grey]{e}[/]");
            if (d.DiagnoseCommand is { } cmd) console.MarkupLineInterpolated($"  next: [bold]{cmd}[/]");
            else console.MarkupLine("  next: the log names no device address; find it by time in the Terminal Server's device list, then run [bold]tlsdoctor diagnose --device ADDRESS:PORT[/]");
            if (d.ListenCommand is { } listen) console.MarkupLineInterpolated($"  device-to-server direction: [bold]{listen}[/]");
        }
    }
}
