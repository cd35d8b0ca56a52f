using System.CommandLine;
using System.Text.Json;
using TlsDoctor.Fleet;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor fleet diff`: what changed per device between two scans.</summary>
public static class FleetDiffCommand
{
    public static readonly Option<string> Db = FleetOptions.Db();
    public static readonly Option<long?> From = new("--from") { Description = "Older scan id (default: the scan before --to from the same source)", HelpName = "SCAN" };
    public static readonly Option<long?> To = new("--to") { Description = "Newer scan id (default: the newest scan)", HelpName = "SCAN" };
    public static readonly Option<bool> Json = CommonOptions.Json();

    public static Command Create(CliConsole console)
    {
        var cmd = new Command("diff", "Show what changed per device between two scans: reachability, versions, suites, DH sizes, certificates, behaviours")
        {
            Db, From, To, Json,
        };
        cmd.SetAction(FleetOptions.Action(console, RunAsync));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        using var store = FleetOptions.OpenExisting(parse.GetValue(Db)!);
        var scans = store.Scans();
        ScanRecord Find(long id) => scans.FirstOrDefault(s => s.Id == id)
            ?? throw new UsageException($"no scan with id {id} (scans: {string.Join(", ", scans.Select(s => s.Id))})");
        var to = parse.GetValue(To) is { } t ? Find(t) : scans.LastOrDefault() ?? throw new UsageException("the database has no scans");
        var from = parse.GetValue(From) is { } f ? Find(f)
            : scans.LastOrDefault(s => s.Id < to.Id && s.Source == to.Source)
              ?? throw new UsageException($"scan {to.Id} has no earlier scan to compare with; give --from");
        var diff = FleetDiff.Run(store, from, to);
        ct.ThrowIfCancellationRequested();
        if (parse.GetValue(Json))
            await console.RawOut.WriteLineAsync(JsonSerializer.Serialize(diff, FleetJson.Output.FleetDiffJson)).ConfigureAwait(false);
        else
            FleetRenderer.RenderDiff(console.Out, diff);
        return ExitCodes.Ok;
    }
}
