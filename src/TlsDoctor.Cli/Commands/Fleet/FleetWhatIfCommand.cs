using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using TlsDoctor.Fleet;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor fleet what-if`: which devices a proposed Windows policy breaks, fixes, or leaves as they are.</summary>
public static class FleetWhatIfCommand
{
    public static readonly Option<string> Db = FleetOptions.Db();
    public static readonly Option<long?> Scan = FleetOptions.Scan();
    public static readonly Option<string?> Os = FleetOptions.Os(description: "Windows release of the Terminal Server after the change (required)");
    public static readonly Option<string[]> Updates = FleetOptions.Updates();
    public static readonly Option<string[]> Reg = FleetOptions.Reg("--reg", "Proposed .reg files, applied over the baseline registry");
    public static readonly Option<string?> ProductSetting = FleetOptions.ProductSetting();
    public static readonly Option<string?> BaselineOs = FleetOptions.Os("--baseline-os", "Windows release today (default: --os)");
    public static readonly Option<string[]> BaselineUpdates = FleetOptions.Updates("--baseline-updates");
    public static readonly Option<string[]> BaselineReg = FleetOptions.Reg("--baseline-reg", "The server's registry today as .reg exports (also the base of the proposal)");
    public static readonly Option<string?> BaselineProductSetting = FleetOptions.ProductSetting("--baseline-product-setting");
    public static readonly Option<bool> All = new("--all") { Description = "List the devices that stay ok too (the JSON always lists every device)" };
    public static readonly Option<bool> Json = CommonOptions.Json();

    public static Command Create(CliConsole console)
    {
        var cmd = new Command("what-if", "Re-simulate every scanned device against a proposed Windows policy: which break, which get fixed, which stay as they are")
        {
            Db, Scan, Os, Updates, Reg, ProductSetting, BaselineOs, BaselineUpdates, BaselineReg, BaselineProductSetting, All, Json,
        };
        cmd.SetAction(FleetOptions.Action(console, RunAsync));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        var os = parse.GetValue(Os) ?? throw new UsageException("--os is required: the Windows release of the Terminal Server (e.g. --os 2019)");
        var baseRegs = parse.GetValue(BaselineReg) ?? [];
        var regs = parse.GetValue(Reg) ?? [];
        var baseUpdates = parse.GetValue(BaselineUpdates) is { Length: > 0 } bu ? bu : parse.GetValue(Updates) ?? [];
        var updates = parse.GetValue(Updates) is { Length: > 0 } u ? u : baseUpdates;
        var baseProduct = parse.GetValue(BaselineProductSetting);
        var product = parse.GetValue(ProductSetting) ?? baseProduct;
        // The proposal is today's server plus the change: baseline .reg files first, then the proposed ones.
        var (baseSide, baseline) = FleetOptions.Side(parse.GetValue(BaselineOs) ?? os, baseUpdates, baseRegs, baseProduct, "baseline policy");
        var (proposedSide, proposed) = FleetOptions.Side(os, updates, [.. baseRegs, .. regs], product, "proposed policy");
        if (PolicyComparison.ChangesNothing(baseSide.Policy, proposedSide.Policy))
            console.Error.MarkupLineInterpolated(
                $"[yellow]what-if:[/] the proposed change changed nothing in the Terminal Server's policy (versions, suites, groups, key sizes): no device can change{(proposedSide.Policy.Warnings.Except(baseSide.Policy.Warnings).FirstOrDefault() is { } w ? $"; note: {w}" : "")}");
        using var store = FleetOptions.OpenExisting(parse.GetValue(Db)!);
        var scans = FleetOptions.Select(store, parse.GetValue(Scan));
        var result = FleetWhatIf.Run(store, scans, baseline, proposed);
        ct.ThrowIfCancellationRequested();
        if (parse.GetValue(Json))
            await console.RawOut.WriteLineAsync(JsonSerializer.Serialize(result, FleetJson.Output.WhatIfJson)).ConfigureAwait(false);
        else
            FleetRenderer.RenderWhatIf(console.Out, result, parse.GetValue(All));
        return result.Counts[WhatIfChanges.Breaks] > 0 ? ExitCodes.Findings : ExitCodes.Ok;
    }
}
