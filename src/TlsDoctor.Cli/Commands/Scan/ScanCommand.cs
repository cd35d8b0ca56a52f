using System.CommandLine;
using System.Reflection;
using Spectre.Console;
using TlsDoctor.Core;
using TlsDoctor.Probe;
using TlsDoctor.Probe.Json;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor scan`: what a TLS server accepts, version by version.</summary>
public static class ScanCommand
{
    public static readonly Argument<string[]> Targets = new("targets")
    {
        Description = "HOST[:PORT] to scan (IPv6 as [::1]:443); several allowed",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static readonly Option<int> Port = CommonOptions.Port("Port for targets given without one", 443);
    public static readonly Option<bool> NoHandshake = new("--no-handshake") { Description = "Skip the full handshake per version (fewer connections; misses failures after ServerHello)" };
    public static readonly Option<string?> Sni = new("--sni") { Description = "Server name to send (default: the host name; none for IP addresses)" };
    public static readonly Option<int> Concurrency = new Option<int>("--concurrency") { Description = "Targets scanned at once", DefaultValueFactory = _ => 4 }.Within(1, 256);
    public static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Show every connection the scan made" };
    public static readonly Option<bool> Json = CommonOptions.Json();
    public static readonly Option<double> ConnectTimeout = CommonOptions.ConnectTimeout();
    public static readonly Option<double> ReadTimeout = CommonOptions.ReadTimeout();
    public static readonly Option<double> Deadline = CommonOptions.Deadline();
    public static readonly Option<int> PerHost = CommonOptions.PerHost("--per-device");
    public static readonly Option<int> Delay = CommonOptions.Delay();
    public static readonly Option<string?> InputList = new("--input-list", "-iL") { Description = "File with targets, one HOST[:PORT] per line (# comments and blank lines skipped), as nmap -iL", HelpName = "FILE" };
    public static readonly Option<string?> Output = new("--output", "-o") { Description = "Write the result (text, or the JSON document with --json) to FILE instead of stdout", HelpName = "FILE" };
    public static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "No progress on stderr (errors only)" };

    /// <summary>The version written into scan documents and remedy files.</summary>
    public static string ToolVersion { get; } =
        typeof(ScanCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static Command Create(CliConsole console)
    {
        var cmd = new Command("scan", "Find the protocol versions, cipher suites (in the server's order), DH sizes, groups and certificates a TLS server accepts, and grade them")
        {
            Targets, Port, Json, NoHandshake, Sni, Concurrency, Verbose, ConnectTimeout, ReadTimeout, Deadline, PerHost, Delay, InputList, Output, Quiet,
        };
        cmd.SetAction((parse, ct) => RunAsync(parse, console, ct));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        var targets = ReadTargets(parse);
        var concurrency = parse.GetValue(Concurrency);
        var options = new ProbeOptions(
            CommonOptions.Seconds(parse.GetValue(ConnectTimeout)),
            CommonOptions.Seconds(parse.GetValue(ReadTimeout)),
            CommonOptions.Seconds(parse.GetValue(Deadline)),
            parse.GetValue(PerHost),
            TimeSpan.FromMilliseconds(parse.GetValue(Delay)),
            FullHandshakes: !parse.GetValue(NoHandshake),
            ServerName: parse.GetValue(Sni));
        var json = parse.GetValue(Json);
        var quiet = parse.GetValue(Quiet);
        var output = parse.GetValue(Output);

        var scanner = new TlsScanner(options);
        var results = new ScanResult?[targets.Count];
        var progress = new Progress<ScanProgress>(p => { if (!json && !quiet) console.Error.MarkupLineInterpolated($"[grey]{p.Target}: {p.Step} ({p.Handshakes} connections so far)[/]"); });
        var cancelled = false;
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, targets.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct },
                async (i, token) =>
                {
                    if (!quiet) console.Error.MarkupLineInterpolated($"[grey]scanning {targets[i]}…[/]");
                    results[i] = await scanner.ScanAsync(targets[i], progress, token).ConfigureAwait(false);
                    if (!quiet) console.Error.MarkupLineInterpolated($"[grey]{targets[i]}: done, {results[i]!.Handshakes} connections, {results[i]!.Elapsed.TotalMilliseconds:0} ms[/]");
                }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl+C: what finished is written; the other targets are marked cancelled, never left out or shown as clean.
            cancelled = true;
            console.Error.MarkupLineInterpolated($"[yellow]cancelled: {results.Count(r => r is not null)} of {targets.Count} targets finished[/]");
        }

        await WriteAsync(console, output, json, targets, results, parse.GetValue(Verbose)).ConfigureAwait(false);
        if (cancelled) return ExitCodes.Cancelled;
        return results.Any(r => !r!.Reachable) ? ExitCodes.Unreachable : ExitCodes.Ok;
    }

    private static async Task WriteAsync(CliConsole console, string? output, bool json, List<ProbeTarget> targets, ScanResult?[] results, bool verbose)
    {
        if (json)
        {
            var doc = new ScanDocument([.. results.Select((r, i) => r is null ? CancelledJson(targets[i]) : ScanJsonMapper.ToJson(r, verbose) with { Rating = SecurityRating.Rate(r.Profile) })])
            {
                SchemaVersion = ScanDocument.CurrentSchemaVersion,
                Tool = "tlsdoctor",
                ToolVersion = ToolVersion,
                Generated = DateTimeOffset.UtcNow,
            };
            var text = ScanJsonMapper.Serialize(doc);
            if (output is null) await console.RawOut.WriteLineAsync(text).ConfigureAwait(false);
            else await WriteFileAsync(console, output, text + Environment.NewLine).ConfigureAwait(false);
            return;
        }
        if (output is null)
        {
            Render(console.Out, targets, results, verbose);
            return;
        }
        var writer = new StringWriter();
        Render(CliConsole.Create(writer, TextWriter.Null, true, true, null).Out, targets, results, verbose);
        await WriteFileAsync(console, output, writer.ToString()).ConfigureAwait(false);
    }

    private static void Render(IAnsiConsole console, List<ProbeTarget> targets, ScanResult?[] results, bool verbose)
    {
        for (var i = 0; i < targets.Count; i++)
        {
            if (results[i] is { } r) ScanRenderer.Render(console, r, verbose);
            else ScanRenderer.RenderCancelled(console, targets[i]);
        }
    }

    private static ScanJson CancelledJson(ProbeTarget t) =>
        new(t.ToString(), t.Host, t.Port, false, "cancelled (Ctrl+C) before this target's scan finished; nothing about it is known", [], [], [], [], 0, 0) { Cancelled = true };

    private static async Task WriteFileAsync(CliConsole console, string path, string text)
    {
        try
        {
            await File.WriteAllTextAsync(path, text).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot write ({e.Message})");
        }
        console.Error.MarkupLineInterpolated($"[grey]wrote {path}[/]");
    }

    // Targets from the command line, then from -iL FILE; at least one is needed.
    private static List<ProbeTarget> ReadTargets(ParseResult parse)
    {
        var port = parse.GetValue(Port);
        var texts = new List<(string Text, string Where)>();
        texts.AddRange((parse.GetValue(Targets) ?? []).Select(t => (t, "")));
        if (parse.GetValue(InputList) is { } list)
        {
            string[] lines;
            try { lines = File.ReadAllLines(list); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UsageException($"{list}: cannot read ({e.Message})"); }
            for (var n = 0; n < lines.Length; n++)
            {
                var line = lines[n].Split('#')[0].Trim();
                if (line.Length > 0) texts.Add((line, $"{list}:{n + 1}: "));
            }
        }
        if (texts.Count == 0) throw new UsageException("give at least one target (HOST[:PORT]) or -iL FILE");
        var targets = new List<ProbeTarget>();
        foreach (var (text, where) in texts)
        {
            if (!ProbeTarget.TryParse(text, port, out var target, out var error)) throw new UsageException(where + error);
            targets.Add(target);
        }
        return targets;
    }
}
