using System.Globalization;
using Spectre.Console;
using TlsDoctor.Fleet;

namespace TlsDoctor.Cli.Commands;

/// <summary>Draws fleet results as tables; device and inventory text is escaped before it enters markup.</summary>
public static class FleetRenderer
{
    public static void RenderScan(IAnsiConsole console, FleetScanSummary s, string db, int badRows)
    {
        var t = new Table().Border(TableBorder.Rounded).Title($"Fleet scan {s.ScanId}{(s.Resumed ? " (resumed)" : "")}").AddColumns("Status", "Devices");
        foreach (var (status, n) in s.Statuses) t.AddRow(new Markup(StatusMarkup(status)), new Text(N(n)));
        t.AddRow(new Markup("[bold]total[/]"), new Text(N(s.Total)));
        console.Write(t);
        console.MarkupLineInterpolated($"{s.Scanned} devices scanned in this run ({s.AlreadyDone} before), {s.Connections} connections, {s.Elapsed.TotalSeconds:0.0} s; stored in {db}");
        if (badRows > 0) console.MarkupLineInterpolated($"[yellow]{badRows} inventory rows skipped (see the messages above)[/]");
        console.MarkupLineInterpolated($"[grey]next: tlsdoctor fleet report --db {db} --os <release> --html fleet.html[/]");
    }

    public static void RenderReport(IAnsiConsole console, FleetReportJson r)
    {
        console.Heading($"[bold]Fleet report[/] · {r.Devices} devices · scans {string.Join(", ", r.Scans.Select(s => s.Id))}");
        console.MarkupLineInterpolated($"Windows policy: {r.Policy ?? "none (give --os to simulate handshakes and list findings)"}");
        var unfinished = r.Scans.Where(s => s.Finished is null).ToList();
        foreach (var s in unfinished) console.MarkupLineInterpolated($"[yellow]scan {s.Id} is unfinished: {s.Results} of {s.Devices} devices (fleet scan --resume finishes it)[/]");

        var grid = new Grid().AddColumns(3);
        grid.AddRow(Counts("Status", [.. r.Statuses.Select(kv => new CountJson(kv.Key, kv.Value))]), Counts("Versions", r.Versions), Counts("Smallest DH group", r.DhSizes));
        grid.AddRow(Counts("Certificate keys", r.CertificateKeys), Counts("Certificate signatures", r.CertificateSignatures),
            r.Policy is null ? new Text("") : Counts("Findings", r.Findings));
        console.Write(grid);

        foreach (var (title, groups) in new[] { ("By model", r.ByModel), ("By site", r.BySite) })
        {
            var g = new Table().Border(TableBorder.Simple).Title(title).AddColumns("Name", "Devices", "Statuses", "Versions");
            if (r.Policy is not null) g.AddColumns("Works", "Fails", "Findings");
            foreach (var x in groups)
            {
                var cells = new List<Spectre.Console.Rendering.IRenderable>
                {
                    new Text(x.Name), new Text(N(x.Devices)), new Text(string.Join(", ", x.Statuses.Select(kv => $"{kv.Key} {kv.Value}"))),
                    new Text(string.Join(", ", x.Versions.Select(c => $"{c.Name} {c.Devices}"))),
                };
                if (r.Policy is not null)
                {
                    cells.Add(new Text(N(x.Works)));
                    cells.Add(new Markup(x.Broken > 0 ? $"[red]{x.Broken}[/]" : "0"));
                    cells.Add(new Text(string.Join(", ", x.Findings.Select(c => $"{c.Name} {c.Devices}"))));
                }
                g.AddRow(cells);
            }
            console.Write(g);
        }

        var t = new Table().Border(TableBorder.Rounded).Title("Devices").AddColumns("Device", "Endpoint", "Model", "Site", "Status", "Versions", "DH", "Certificate", "Outcome", "Findings");
        foreach (var d in r.DeviceRows)
        {
            var outcome = d.Outcome is { } o ? o.Healthy ? $"[green]works {Markup.Escape(o.Version ?? "")}[/]" : $"[red]{Markup.Escape(o.Reason ?? "fails")}[/]" : "";
            t.AddRow(
                new Text(d.Key), new Text($"{d.Host}:{d.Port}"), new Text(d.Model ?? ""), new Text(d.Site ?? ""),
                new Markup(StatusMarkup(d.Status)),
                new Text(string.Join(" ", d.Versions)),
                new Markup(d.DhBits is { } b ? b < 1024 ? $"[red]{b}[/]" : b < 2048 ? $"[yellow]{b}[/]" : N(b) : ""),
                new Text(d.CertificateKey is null ? "" : $"{d.CertificateKey} {d.CertificateSignature}"),
                new Markup(outcome),
                new Text(string.Join(" ", d.Findings.Select(f => f.Id).Concat((d.NotChecked.IsDefault ? [] : d.NotChecked).Select(n => $"{n.Split(' ')[0]}: not checked")))));
        }
        console.Write(t);
    }

    public static void RenderWhatIf(IAnsiConsole console, WhatIfJson w, bool all)
    {
        console.MarkupLineInterpolated($"[bold]today:[/]    {w.Baseline}");
        console.MarkupLineInterpolated($"[bold]proposed:[/] {w.Proposed}");
        var counts = new Table().Border(TableBorder.Rounded).AddColumns("Change", "Devices");
        foreach (var c in WhatIfChanges.All) counts.AddRow(new Markup(ChangeMarkup(c)), new Text(N(w.Counts[c])));
        console.Write(counts);
        foreach (var change in WhatIfChanges.All)
        {
            var devices = w.Devices.Where(d => d.Change == change).ToList();
            if (devices.Count == 0) continue;
            if (!all && change is WhatIfChanges.StaysOk or WhatIfChanges.NotScanned)
            {
                console.MarkupLineInterpolated($"[grey]{devices.Count} devices {change} (--all lists them)[/]");
                continue;
            }
            var t = new Table().Border(TableBorder.Simple).Title($"{change} ({devices.Count})").AddColumns("Device", "Model", "Site", "Today", "Proposed", "Why");
            foreach (var d in devices)
                t.AddRow(new Text(d.Key), new Text(d.Model ?? ""), new Text(d.Site ?? ""), new Markup(Outcome(d.Before, d.Status)), new Markup(Outcome(d.After, d.Status)),
                    new Text((d.Change is WhatIfChanges.Breaks or WhatIfChanges.StaysBroken ? d.After?.Explanation : d.Before?.Explanation) ?? ""));
            console.Write(t);
        }
    }

    public static void RenderDiff(IAnsiConsole console, FleetDiffJson d)
    {
        console.MarkupLineInterpolated($"scan {d.From.Id} ({d.From.Started:yyyy-MM-dd HH:mm}) → scan {d.To.Id} ({d.To.Started:yyyy-MM-dd HH:mm}): {d.Changed} changed, {d.Added} added, {d.Removed} removed, {d.Unchanged} unchanged");
        if (d.Devices.IsEmpty) return;
        var t = new Table().Border(TableBorder.Rounded).AddColumns("Device", "Change", "Field", "Before", "After");
        foreach (var dev in d.Devices)
        {
            if (dev.Changes.IsEmpty) { t.AddRow(new Text(dev.Name), new Text(dev.Change), new Text(""), new Text(""), new Text("")); continue; }
            var first = true;
            foreach (var c in dev.Changes)
            {
                var before = c.Removed.IsEmpty && c.Added.IsEmpty ? c.Before ?? "" : string.Join(", ", c.Removed.Select(x => "-" + x));
                var after = c.Removed.IsEmpty && c.Added.IsEmpty ? c.After ?? "" : string.Join(", ", c.Added.Select(x => "+" + x));
                t.AddRow(new Text(first ? dev.Name : ""), new Text(first ? dev.Change : ""), new Text(c.Field), new Text(before), new Text(after));
                first = false;
            }
        }
        console.Write(t);
    }

    private static Table Counts(string title, IEnumerable<CountJson> counts)
    {
        var t = new Table().Border(TableBorder.Simple).Title(title).AddColumns("", "Devices");
        foreach (var c in counts) t.AddRow(new Text(c.Name), new Text(N(c.Devices)));
        return t;
    }

    private static string Outcome(FleetOutcomeJson? o, string status) => o is null
        ? $"[grey]{Markup.Escape(status)}[/]"
        : o.Healthy ? $"[green]works {Markup.Escape(o.Version ?? "")}[/]" : $"[red]{Markup.Escape(o.Reason ?? "fails")}[/]";

    private static string StatusMarkup(string s) => s == "ok" ? "[green]ok[/]" : s == "pending" ? "[grey]pending[/]" : $"[red]{Markup.Escape(s)}[/]";

    private static string ChangeMarkup(string c) => c switch
    {
        WhatIfChanges.Breaks => "[red]breaks[/]",
        WhatIfChanges.Fixed => "[green]fixed[/]",
        WhatIfChanges.StaysBroken => "[yellow]stays-broken[/]",
        WhatIfChanges.NotChecked => "[yellow]not-checked[/]",
        _ => Markup.Escape(c),
    };

    private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
}
