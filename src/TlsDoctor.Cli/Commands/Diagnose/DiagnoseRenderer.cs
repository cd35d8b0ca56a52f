using System.Collections.Immutable;
using System.Globalization;
using Spectre.Console;
using TlsDoctor.Core;
using TlsDoctor.Diagnosis;

namespace TlsDoctor.Cli.Commands;

/// <summary>Draws a diagnosis: assumptions, one panel per finding (evidence, remedies with risk and re-simulation), outcomes.</summary>
public static class DiagnoseRenderer
{
    public static void Render(IAnsiConsole console, DiagnosisReport report, ImmutableArray<string> written, string? outDirectory)
    {
        console.Heading($"[bold]Diagnosis[/] — Terminal Server: {Markup.Escape(report.Windows)}");
        // What could not be checked comes first: nothing below speaks for it.
        foreach (var n in report.NotScanned)
            console.MarkupLineInterpolated($"[red bold]NOT CHECKED[/] {n.Role.Name()} {n.Target}: {(n.Reason == NotScannedReason.NotTls ? "does not speak TLS" : "unreachable")} ({n.Error})");

        var outcomes = new Table().Border(TableBorder.Rounded).AddColumns("Direction", "Target", "Simulated handshake (policy as it is)");
        foreach (var o in report.Outcomes)
            outcomes.AddRow(new Text(o.Direction.Name()), new Text(o.Target), new Markup(Verdict(o.Outcome)));
        foreach (var u in report.Unreachable)
            outcomes.AddRow(new Text("-"), new Text(u), new Markup("[red]unreachable[/]"));
        console.Write(outcomes);
        foreach (var c in report.ModelChecks.IsDefault ? [] : report.ModelChecks)
        {
            if (c.IsMismatch) console.MarkupLineInterpolated($"[red]model-mismatch[/] {c.Target}: the model said {c.Model}, SCHANNEL did {c.Schannel} (versions {c.Protocols})");
            else console.MarkupLineInterpolated($"[green]confirmed[/] {c.Target}: SCHANNEL did what the model said ({c.Schannel}; versions {c.Protocols})");
        }

        foreach (var f in report.Findings) console.Write(Panel(f));

        if (report.Findings.IsEmpty && report.Incomplete)
            console.MarkupLineInterpolated($"[yellow]No findings for what was checked; {report.NotScanned.Length} target(s) could not be checked (see above).[/]");
        else if (report.Findings.IsEmpty) console.MarkupLine("[green]No findings.[/]");
        else
        {
            var errors = report.Findings.Count(f => f.Severity == Severity.Error);
            console.MarkupLineInterpolated($"{report.Findings.Length} finding(s), {errors} error(s).");
        }
        if (!written.IsDefaultOrEmpty)
            console.MarkupLineInterpolated($"Remedy files written to {outDirectory} ({written.Length} files; each registry change has its undo-*.reg).");

        if (!report.Assumptions.IsEmpty)
        {
            console.MarkupLine("[bold]Assumptions about the Windows side[/]");
            foreach (var a in report.Assumptions) console.MarkupLineInterpolated($"  [grey]{a.Id}:[/] {a.Text}");
        }
    }

    private static Panel Panel(Finding f)
    {
        var color = f.Severity switch { Severity.Error => "red", Severity.Warning => "yellow", _ => "blue" };
        var rows = new List<Spectre.Console.Rendering.IRenderable>
        {
            new Markup($"[bold]{Markup.Escape(f.Title)}[/]"),
            new Markup($"[grey]{f.Direction.Name()} · {Markup.Escape(f.Target)} · {f.Descriptor.Category}[/]"),
        };
        if (f.Descriptor.InGuide) rows.Add(new Markup($"[grey]vendor guide: {Markup.Escape(f.Descriptor.GuideReference)}[/]"));
        var ev = new Table().Border(TableBorder.Simple).AddColumns("Source", "Evidence", "Attempt");
        foreach (var e in f.Evidence)
            ev.AddRow(new Text(e.Source.Name()), new Text(e.Text), new Text(e.AttemptId?.ToString(CultureInfo.InvariantCulture) ?? ""));
        rows.Add(ev);
        var i = 1;
        foreach (var r in f.Remedies)
        {
            var files = r.Files.IsEmpty ? "" : $" [grey]({Markup.Escape(string.Join(", ", r.Files.Select(x => x.Name)))})[/]";
            rows.Add(new Markup($"[bold]Remedy {i++}[/] [[{r.Kind.Name()}]] {Markup.Escape(r.Title)}{files}"));
            rows.Add(new Markup($"   risk: {Markup.Escape(r.Risk)}"));
            rows.Add(new Markup($"   re-simulation: {(r.Resimulated is null ? "[grey]not modelled (a device-side change)[/]" : Verdict(r.Resimulated))}"));
            foreach (var s in r.SideEffects)
                rows.Add(new Markup($"   {(s.StartsWith("BREAKS", StringComparison.Ordinal) ? "[red]" : "[yellow]")}side effect:[/] {Markup.Escape(s)}"));
        }
        return new Panel(new Rows(rows))
            .Header($"[{color}]{f.Id} {f.Slug}[/] · [{color}]{f.Severity.Name()}[/]")
            .Border(BoxBorder.Rounded)
            .BorderColor(f.Severity switch { Severity.Error => Color.Red, Severity.Warning => Color.Yellow, _ => Color.Blue });
    }

    private static string Verdict(HandshakeOutcome o)
    {
        var what = $"{o.Version?.Name() ?? "?"}{(o.CipherSuite is { } s ? " " + s.Name : "")}";
        if (o.Healthy) return $"[green]completes[/] ({Markup.Escape(what)})";
        if (o.Completed) return $"[yellow]completes, but fails intermittently[/] ({Markup.Escape(o.Reason?.Name() ?? "")}, ≈{o.FailureRate:P1})";
        return $"[red]fails[/]: {Markup.Escape(o.Reason?.Name() ?? "")}{(o.Alert is { } a ? ", " + a.Name() : "")} — {Markup.Escape(o.Explanation)}";
    }
}
