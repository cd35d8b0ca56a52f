using System.Collections.Immutable;
using System.CommandLine;
using Spectre.Console;
using TlsDoctor.Core;
using TlsDoctor.Diagnosis;
using TlsDoctor.Fleet;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor fleet`: scan an inventory of devices into a database, report, predict (what-if), compare and merge.</summary>
public static class FleetCommand
{
    public static Command Create(CliConsole console)
    {
        var cmd = new Command("fleet", "Scan thousands of devices gently, keep every scan in a database (SQLite, or PostgreSQL for several sites), report, and predict which devices a policy change breaks");
        cmd.Subcommands.Add(FleetScanCommand.Create(console));
        cmd.Subcommands.Add(FleetReportCommand.Create(console));
        cmd.Subcommands.Add(FleetWhatIfCommand.Create(console));
        cmd.Subcommands.Add(FleetDiffCommand.Create(console));
        cmd.Subcommands.Add(FleetMergeCommand.Create(console));
        cmd.Subcommands.Add(FleetEnqueueCommand.Create(console));
        cmd.Subcommands.Add(FleetWorkerCommand.Create(console));
        cmd.Subcommands.Add(FleetStatusCommand.Create(console));
        cmd.Subcommands.Add(FleetDbCommand.Create(console));
        return cmd;
    }
}

/// <summary>Options and helpers the fleet subcommands share (each command gets its own option instances).</summary>
public static class FleetOptions
{
    public static Option<string> Db() => new("--db")
    {
        Description = "Fleet database: a SQLite file, or PostgreSQL as postgres://user@host[:port]/db or an Npgsql connection string (password from PGPASSWORD or ~/.pgpass)",
        DefaultValueFactory = _ => "fleet.db",
        HelpName = "FILE|URI",
    };

    /// <summary>The --db of the queue commands: PostgreSQL only, no default.</summary>
    public static Option<string> PostgresDb() => new("--db")
    {
        Description = "The shared PostgreSQL database: postgres://user@host[:port]/db or an Npgsql connection string (password from PGPASSWORD or ~/.pgpass)",
        Required = true,
        HelpName = "URI",
    };

    /// <summary>Runs a fleet command (a database that cannot be used is an input error: CliApp maps it, exit 3 when its server is unreachable).</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Action(CliConsole console, Func<ParseResult, CliConsole, CancellationToken, Task<int>> run) =>
        (parse, ct) => run(parse, console, ct);

    /// <summary>Opens the PostgreSQL store a queue command needs; a SQLite path is a usage error.</summary>
    public static PostgresFleetStore OpenPostgres(string db, string command, bool create)
    {
        if (!FleetStore.IsPostgres(db))
            throw new UsageException($"fleet {command} needs a PostgreSQL --db (postgres://user@host/db), not the SQLite file {db}; a single machine scans with `fleet scan`");
        return (PostgresFleetStore)FleetStore.Open(db, create);
    }

    public static int CheckConcurrency(int n) => n is >= 1 and <= 1024 ? n : throw new UsageException("--concurrency must be 1-1024");

    public static double CheckRate(double r) => r is >= 1 and <= 100_000 ? r : throw new UsageException("--rate must be 1-100000 connections per second");

    public static Option<long?> Scan() => new("--scan") { Description = "Scan id (default: the newest scan of each source)", HelpName = "ID" };

    public static Option<string?> Os(string name = "--os", string? description = null) =>
        new(name) { Description = description ?? "Windows release of the Terminal Server (2012r2, 2016, 2019, 2022, a build number, …)", HelpName = "RELEASE" };

    public static Option<string[]> Updates(string name = "--updates") =>
        new(name) { Description = "Installed updates (KB ids, comma-separated, repeatable; \"none\")", HelpName = "KB", AllowMultipleArgumentsPerToken = true };

    public static Option<string[]> Reg(string name, string description) =>
        new(name) { Description = description, HelpName = "FILE.reg", AllowMultipleArgumentsPerToken = true };

    public static Option<string?> ProductSetting(string name = "--product-setting") =>
        new(name) { Description = "securityProtocolTypesForOutboundCommunication (e.g. \"Tls11, Tls12\")", HelpName = "VALUE" };

    /// <summary>Opens an existing database (store errors reach <see cref="Action"/>).</summary>
    public static FleetStore OpenExisting(string path) => FleetStore.Open(path, create: false);

    /// <summary>The scans to read (store errors name what exists).</summary>
    public static ImmutableArray<ScanRecord> Select(FleetStore store, long? scan) => FleetSelection.Resolve(store, scan);

    /// <summary>The Windows outbound client profile for the options; input errors become usage errors.</summary>
    public static ClientProfile Policy(string? os, string[]? updates, string[]? regs, string? productSetting, string what) =>
        Side(os, updates, regs, productSetting, what).Client;

    /// <summary>The Windows side (for the Diagnosis catalogue) and its outbound client profile, labelled with the inputs.</summary>
    public static FleetPolicy Side(string? os, string[]? updates, string[]? regs, string? productSetting, string what)
    {
        foreach (var f in regs ?? [])
            if (!File.Exists(f)) throw new UsageException($"{what}: {f}: no such .reg file");
        try
        {
            var options = new PolicyOptions
            {
                Os = os,
                Updates = [.. updates ?? []],
                RegFiles = [.. regs ?? []],
                ProductSetting = productSetting,
            };
            // A fleet is judged against the release given, never against the machine the report happens to run on.
            var side = WindowsSide.Build(options, allowLocal: false);
            var p = side.Policy.ToClientProfile();
            var parts = new List<string>();
            if (regs is { Length: > 0 }) parts.Add("reg " + string.Join(" + ", regs.Select(Path.GetFileName)));
            if (updates is { Length: > 0 }) parts.Add("updates " + string.Join(",", updates));
            if (productSetting is not null) parts.Add($"product setting \"{productSetting}\"");
            return new FleetPolicy(side, parts.Count == 0 ? p : p with { Origin = $"{p.Origin}; {string.Join("; ", parts)}" });
        }
        catch (InputException e)
        {
            throw new UsageException($"{what}: {e.Message}");
        }
    }

    /// <summary>Writes a file for the user; failures become usage errors instead of stack traces.</summary>
    public static void WriteFile(string path, string content)
    {
        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            File.WriteAllText(path, content, new System.Text.UTF8Encoding(false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot write ({e.Message})");
        }
    }
}

/// <summary>An IProgress that calls back on the reporting thread (no synchronisation context hop).</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
