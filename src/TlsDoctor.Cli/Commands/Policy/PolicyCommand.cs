using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor policy show|export`: the effective SCHANNEL policy of a Windows machine, with provenance.</summary>
public static class PolicyCommand
{
    // The output is a file or a terminal, not HTML: keep quotes, ≈ and § readable (as the scan document does).
    private static readonly PolicyJsonContext Relaxed = new(new JsonSerializerOptions(PolicyJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static readonly Option<string?> Os = new("--os")
    {
        Description = "Windows release: id or alias (2012r2, \"Windows Server 2019\", \"Windows 10\") or a build number (9600, 14393.3542)",
        HelpName = "NAME",
    };

    public static readonly Option<string?> Build = new("--build")
    {
        Description = "OS build and revision (CurrentBuild.UBR from the CurrentVersion key, e.g. 14393.3542): decides the fixes cumulative updates brought; names the release when --os is absent",
        HelpName = "BUILD.UBR",
    };

    public static readonly Option<string[]> Updates = new("--updates")
    {
        Description = "Installed updates: KB ids, comma-separated, repeatable; \"none\" = no updates. Omitted = every known update assumed",
        HelpName = "KB,...",
    };

    public static readonly Option<string?> UpdatesFile = new("--updates-file")
    {
        Description = "File with Get-HotFix, wmic qfe or systeminfo output listing the installed updates",
        HelpName = "FILE",
    };

    public static readonly Option<string[]> Reg = new("--reg")
    {
        Description = "Registry export(s) (.reg) applied in order over the release defaults",
        HelpName = "FILE",
        AllowMultipleArgumentsPerToken = true,
    };

    public static readonly Option<string?> DotNet = new("--dotnet")
    {
        Description = "The Terminal Server's .NET Framework: 4.5, 4.6 or 4.7+ (default: 4.7+, an assumption)",
        HelpName = "VERSION",
    };

    public static readonly Option<string?> ProductSetting = new("--product-setting")
    {
        Description = "securityProtocolTypesForOutboundCommunication, e.g. \"Tls, Tls11, Tls12\" (contiguous SecurityProtocolType names)",
        HelpName = "VALUE",
    };

    public static readonly Option<string?> Snapshot = new("--snapshot")
    {
        Description = "A snapshot written by `tlsdoctor policy export` on the server (--os, --updates and --reg apply over it)",
        HelpName = "FILE",
    };

    public static readonly Option<bool> ShowJson = CommonOptions.Json();

    public static readonly Option<string> Output = new("--output", "-o")
    {
        Description = "File to write the snapshot to",
        HelpName = "FILE",
        Required = true,
    };

    public static readonly Option<bool> ExportJson = CommonOptions.Json();

    public static Command Create(CliConsole console)
    {
        var show = new Command("show", "Show the effective SCHANNEL policy in both roles (outbound client, inbound server), each value with where it came from")
        {
            Os, Build, Updates, UpdatesFile, Reg, DotNet, ProductSetting, Snapshot, ShowJson,
        };
        show.SetAction((parse, ct) => ShowAsync(parse, console, ct));

        var export = new Command("export", "Write a JSON snapshot of this Windows machine's registry and updates, for `policy show --snapshot` elsewhere")
        {
            Output, ExportJson,
        };
        export.SetAction((parse, ct) => ExportAsync(parse, console, ct));

        return new Command("policy", "The Windows side: what SCHANNEL on a given machine offers and accepts") { show, export };
    }

    private static async Task<int> ShowAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        var os = parse.GetValue(Os);
        var build = parse.GetValue(Build);
        var updates = parse.GetValue(Updates) ?? [];
        var updatesFile = parse.GetValue(UpdatesFile);
        var regFiles = parse.GetValue(Reg) ?? [];
        var dotnet = parse.GetValue(DotNet);
        var productSetting = parse.GetValue(ProductSetting);
        var snapshotPath = parse.GetValue(Snapshot);

        PolicyLoader.ParseUpdates(updates, "--updates");
        PolicyLoader.CheckValues(dotnet, "--dotnet", productSetting, "--product-setting");
        var updatesText = updatesFile is null ? null : PolicyLoader.ReadText(updatesFile, "--updates-file");
        PolicyLoader.CheckRegFiles(regFiles, "--reg");
        var snapshot = snapshotPath is null ? null : PolicyLoader.LoadSnapshot(snapshotPath, "--snapshot");
        if (os is null && build is null && snapshot is null)
        {
            if (!OperatingSystem.IsWindows())
                throw new UsageException(
                    "this is not Windows, so there is no live registry to read: pass --os (e.g. --os 2012r2, --os \"Windows Server 2019\", --os 17763) " +
                    "or --snapshot FILE written by `tlsdoctor policy export` on the server");
            snapshot = await PolicyLoader.CaptureLiveAsync(console, ct).ConfigureAwait(false);
        }

        var policy = PolicyLoader.Build(new PolicyOptions
        {
            Os = os,
            Build = build,
            Updates = [.. updates],
            UpdatesFileText = updatesText,
            RegFiles = [.. regFiles],
            DotNet = dotnet,
            ProductSetting = productSetting,
            Snapshot = snapshot,
        });
        var report = policy.ToReport();
        if (parse.GetValue(ShowJson))
            await console.RawOut.WriteLineAsync(JsonSerializer.Serialize(report, Relaxed.PolicyReport)).ConfigureAwait(false);
        else
            PolicyRenderer.Render(console.Out, report);
        return ExitCodes.Ok;
    }

    private static async Task<int> ExportAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        var output = parse.GetValue(Output)!;
        if (!OperatingSystem.IsWindows())
            throw new UsageException(
                "policy export reads the live registry and installed updates, so it runs only on Windows: run it on the server, copy the file, " +
                "then use `tlsdoctor policy show --snapshot FILE` here (or `policy show --os NAME --updates … --reg FILE` without a snapshot)");
        var snapshot = await PolicyLoader.CaptureLiveAsync(console, ct).ConfigureAwait(false);
        try { snapshot.Save(output); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"--output {output}: {e.Message}");
        }
        var result = new PolicyExportResult(Path.GetFullPath(output), snapshot.ComputerName, snapshot.ProductName, snapshot.Build, snapshot.Ubr,
            snapshot.Updates.IsDefault ? null : snapshot.Updates.Length, snapshot.Registry.Length, snapshot.CapturedAt);
        if (parse.GetValue(ExportJson))
            await console.RawOut.WriteLineAsync(JsonSerializer.Serialize(result, Relaxed.PolicyExportResult)).ConfigureAwait(false);
        else
            console.Out.MarkupLineInterpolated(
                $"wrote [bold]{result.File}[/]: {result.ProductName ?? "Windows"} build {result.Build}, {result.RegistryKeys} registry keys, {(result.Updates is { } n ? $"{n} updates" : "updates unknown")}");
        return ExitCodes.Ok;
    }
}

/// <summary>What `policy export --json` prints after writing the snapshot.</summary>
/// <param name="Updates">Number of installed updates recorded; null when Get-HotFix failed.</param>
public sealed record PolicyExportResult(string File, string? ComputerName, string? ProductName, int? Build, int? Ubr, int? Updates, int RegistryKeys, DateTimeOffset CapturedAt);

/// <summary>Source-generated serializer settings of the policy documents: camelCase, indented, nulls kept.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(PolicyReport))]
[JsonSerializable(typeof(PolicyExportResult))]
public sealed partial class PolicyJsonContext : JsonSerializerContext;
