using System.Collections.Immutable;
using System.CommandLine;
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
        var cmd = new Command("fleet", "Scan thousands of devices gently, keep every scan in a SQLite database, report, and predict which devices a policy change breaks");
        cmd.Subcommands.Add(FleetScanCommand.Create(console));
        cmd.Subcommands.Add(FleetReportCommand.Create(console));
        cmd.Subcommands.Add(FleetWhatIfCommand.Create(console));
        cmd.Subcommands.Add(FleetDiffCommand.Create(console));
        cmd.Subcommands.Add(FleetMergeCommand.Create(console));
        return cmd;
    }
}

/// <summary>Options and helpers the fleet subcommands share (each command gets its own option instances).</summary>
public static class FleetOptions
{
    public static Option<string> Db() => new("--db") { Description = "Fleet database (SQLite)", DefaultValueFactory = _ => "fleet.db", HelpName = "FILE" };

    public static Option<long?> Scan() => new("--scan") { Description = "Scan id (default: the newest scan of each source)", HelpName = "ID" };

    public static Option<string?> Os(string name = "--os", string? description = null) =>
        new(name) { Description = description ?? "Windows release of the Terminal Server (2012r2, 2016, 2019, 2022, a build number, …)", HelpName = "RELEASE" };

    public static Option<string[]> Updates(string name = "--updates") =>
        new(name) { Description = "Installed updates (KB ids, comma-separated, repeatable; \"none\")", HelpName = "KB", AllowMultipleArgumentsPerToken = true };

    public static Option<string[]> Reg(string name, string description) =>
        new(name) { Description = description, HelpName = "FILE.reg", AllowMultipleArgumentsPerToken = true };

    public static Option<string?> ProductSetting(string name = "--product-setting") =>
        new(name) { Description = "securityProtocolTypesForOutboundCommunication (e.g. \"Tls11, Tls12\")", HelpName = "VALUE" };

    /// <summary>Opens an existing database, turning store errors into usage errors.</summary>
    public static FleetStore OpenExisting(string path)
    {
        try
        {
            return FleetStore.Open(path, create: false);
        }
        catch (FleetStoreException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>The scans to read, or a usage error naming what exists.</summary>
    public static ImmutableArray<ScanRecord> Select(FleetStore store, long? scan)
    {
        try
        {
            return FleetSelection.Resolve(store, scan);
        }
        catch (FleetStoreException e)
        {
            throw new UsageException(e.Message);
        }
    }

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
