using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using TlsDoctor.Fleet;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor fleet merge A.db B.db -o ALL.db`: one database for several sites scanned by separate machines.</summary>
public static class FleetMergeCommand
{
    public static readonly Argument<string[]> Inputs = new("databases") { Description = "SQLite fleet databases to merge (each site's fleet.db)", Arity = ArgumentArity.OneOrMore };
    public static readonly Option<string> Output = new("--output", "-o") { Description = "Database to merge into: a SQLite file (created when missing) or PostgreSQL (postgres://user@host/db); existing scans are kept", Required = true, HelpName = "FILE|URI" };
    public static readonly Option<string[]> Labels = new("--label")
    {
        Description = "Source label per input, in order (default: the file name without .db)",
        HelpName = "LABEL",
        AllowMultipleArgumentsPerToken = true,
    };
    public static readonly Option<bool> Json = CommonOptions.Json();

    public static Command Create(CliConsole console)
    {
        var cmd = new Command("merge", "Merge fleet databases of several sites into one; scans keep their source label and get new ids, re-merging replaces the earlier copy")
        {
            Inputs, Output, Labels, Json,
        };
        cmd.SetAction(FleetOptions.Action(console, RunAsync));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        var inputs = parse.GetValue(Inputs) ?? [];
        var labels = parse.GetValue(Labels) ?? [];
        if (labels.Length > 0 && labels.Length != inputs.Length) throw new UsageException($"--label given {labels.Length} times for {inputs.Length} databases");
        var sources = inputs.Select((p, i) => (Path: p, Label: labels.Length > 0 ? labels[i] : Path.GetFileNameWithoutExtension(p))).ToList();
        var dup = sources.GroupBy(s => s.Label, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new UsageException($"two inputs have the label '{dup.Key}'; give --label per input");
        foreach (var s in sources)
            if (!File.Exists(s.Path)) throw new UsageException($"{s.Path}: no such fleet database");
        var output = parse.GetValue(Output)!;
        using var store = FleetStore.Open(output);
        {
            var merged = store.Merge(sources);
            ct.ThrowIfCancellationRequested();
            var doc = new FleetMergeJson(store.Path, [.. sources.Zip(merged, (s, m) => new MergedSourceJson(s.Path, m.Label, m.Scans))], store.Scans().Length);
            if (parse.GetValue(Json))
                await console.RawOut.WriteLineAsync(JsonSerializer.Serialize(doc, FleetJson.Output.FleetMergeJson)).ConfigureAwait(false);
            else
            {
                foreach (var s in doc.Sources) console.Out.MarkupLineInterpolated($"{s.Path}: {s.Scans} scan(s) as [bold]{s.Label}[/]");
                console.Out.MarkupLineInterpolated($"{doc.Output} now holds {doc.Scans} scan(s); `tlsdoctor fleet report --db {store.Path}` shows the newest of each source");
            }
            return ExitCodes.Ok;
        }
    }
}
