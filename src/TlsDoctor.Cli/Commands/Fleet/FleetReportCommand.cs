using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using TlsDoctor.Core;
using TlsDoctor.Diagnosis;
using TlsDoctor.Fleet;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor fleet report`: summary and one row per device, as tables, JSON, CSV or a self-contained HTML page.</summary>
public static class FleetReportCommand
{
    public static readonly Option<string> Db = FleetOptions.Db();
    public static readonly Option<long?> Scan = FleetOptions.Scan();
    public static readonly Option<string?> Html = new("--html") { Description = "Write a self-contained HTML report (charts, sortable and filterable tables)", HelpName = "FILE" };
    public static readonly Option<string?> Csv = new("--csv") { Description = "Write one CSV row per device", HelpName = "FILE" };
    public static readonly Option<bool> Json = CommonOptions.Json();
    public static readonly Option<string?> Os = FleetOptions.Os(description: "Windows release to simulate each device's handshake with (enables outcomes and findings)");
    public static readonly Option<string[]> Updates = FleetOptions.Updates();
    public static readonly Option<string[]> Reg = FleetOptions.Reg("--reg", "The server's SCHANNEL registry as .reg exports, applied in order");
    public static readonly Option<string?> ProductSetting = FleetOptions.ProductSetting();

    public static Command Create(CliConsole console)
    {
        var cmd = new Command("report", "Summarise a fleet scan: versions, suites, DH sizes, certificates and findings, by model and site, with one row per device")
        {
            Db, Scan, Html, Csv, Json, Os, Updates, Reg, ProductSetting,
        };
        cmd.SetAction(FleetOptions.Action(console, RunAsync));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        var os = parse.GetValue(Os);
        var regs = parse.GetValue(Reg) ?? [];
        var updates = parse.GetValue(Updates) ?? [];
        var product = parse.GetValue(ProductSetting);
        if (os is null && (regs.Length > 0 || updates.Length > 0 || product is not null))
            throw new UsageException("--reg, --updates and --product-setting describe a Windows policy: give --os too");
        var policy = os is null ? null : FleetOptions.Side(os, updates, regs, product, "policy");
        using var store = FleetOptions.OpenExisting(parse.GetValue(Db)!);
        var scans = FleetOptions.Select(store, parse.GetValue(Scan));
        var report = FleetReports.Build(store, scans, policy);
        ct.ThrowIfCancellationRequested();

        if (parse.GetValue(Html) is { } html)
        {
            FleetOptions.WriteFile(html, FleetHtml.Render(report));
            console.Error.MarkupLineInterpolated($"[grey]wrote {html}[/]");
        }
        if (parse.GetValue(Csv) is { } csv)
        {
            FleetOptions.WriteFile(csv, FleetCsv.Render(report));
            console.Error.MarkupLineInterpolated($"[grey]wrote {csv}[/]");
        }
        if (parse.GetValue(Json))
            await console.RawOut.WriteLineAsync(JsonSerializer.Serialize(report, FleetJson.Output.FleetReportJson)).ConfigureAwait(false);
        else
            FleetRenderer.RenderReport(console.Out, report);
        return report.DeviceRows.Any(d => d.Findings.Any(f => f.Severity == "error")) ? ExitCodes.Findings : ExitCodes.Ok;
    }
}
