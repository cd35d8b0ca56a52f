using System.CommandLine;
using TlsDoctor.Core;
using Spectre.Console;
using TlsDoctor.Diagnosis;
using TlsDoctor.Diagnosis.Json;
using TlsDoctor.Probe;
using TlsDoctor.Schannel.Policy;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor diagnose`: probe, model the Windows side, simulate, name the cause, write and verify the remedy.</summary>
public static class DiagnoseCommand
{
    public static readonly Option<string?> Device = new("--device") { Description = "Device to diagnose outbound (the Terminal Server connects to it), HOST[:PORT], default port 443", HelpName = "HOST[:PORT]" };
    public static readonly Option<string?> Payment = new("--payment") { Description = "Payment service to diagnose outbound, HOST[:PORT], default port 443", HelpName = "HOST[:PORT]" };
    public static readonly Option<string?> ClientHello = new("--client-hello") { Description = "ClientProfile JSON of a device connecting to the Terminal Server (listen --json output), for the inbound direction", HelpName = "FILE" };
    public static readonly Option<string?> Server = new("--server") { Description = "The Terminal Server's inbound endpoint, scanned for its real certificate, HOST[:PORT], default port 5012", HelpName = "HOST[:PORT]" };
    public static readonly Option<string?> Os = new("--os") { Description = "Windows release of the Terminal Server: 2008r2, 2012, 2012r2, 2016, 2019, 2022, 2025, an OS name or a build number", HelpName = "RELEASE" };
    public static readonly Option<string[]> Updates = new("--updates") { Description = "Installed updates (KB2975719,KB3161606 or \"none\"); repeatable. Without it every known update is assumed installed", HelpName = "KB,…", AllowMultipleArgumentsPerToken = true };
    public static readonly Option<string?> Build = new("--build") { Description = "OS build and revision of the Terminal Server (CurrentBuild.UBR, e.g. 14393.3542)", HelpName = "BUILD.UBR" };
    public static readonly Option<string?> UpdatesFile = new("--updates-file") { Description = "Get-HotFix or systeminfo output listing the installed updates", HelpName = "FILE" };
    public static readonly Option<string[]> Reg = new("--reg") { Description = ".reg export(s) of the Terminal Server's SCHANNEL / .NET keys, applied in order", HelpName = "FILE", AllowMultipleArgumentsPerToken = true };
    public static readonly Option<string?> DotNet = new("--dotnet") { Description = "The Terminal Server's .NET Framework: 4.5, 4.6 or 4.7+ (default 4.7+)", HelpName = "VERSION" };
    public static readonly Option<string?> ProductSettingOption = new("--product-setting") { Description = "Value of securityProtocolTypesForOutboundCommunication, e.g. \"Tls11, Tls12\"", HelpName = "VALUE" };
    public static readonly Option<string> Out = new("--out") { Description = "Folder for the remedy files (one subfolder per finding id)", DefaultValueFactory = _ => "./tlsdoctor-fix/", HelpName = "DIR" };
    public static readonly Option<int> DhStress = new Option<int>("--dh-stress") { Description = "Also run N random DHE handshakes against the device and count failures (the slow, statistical DH leading-zero test)", HelpName = "N" }.Within(0, 100_000);
    public static readonly Option<bool> NoSelfCheck = new("--no-self-check") { Description = "On Windows, skip the one real SCHANNEL handshake that checks the model (made when the policy is read from this machine)" };
    public static readonly Option<bool> Json = CommonOptions.Json();
    public static readonly Option<double> ConnectTimeout = CommonOptions.ConnectTimeout();
    public static readonly Option<double> ReadTimeout = CommonOptions.ReadTimeout();
    public static readonly Option<double> Deadline = CommonOptions.Deadline();

    public static Command Create(CliConsole console)
    {
        var cmd = new Command("diagnose", "Find why TLS between the Terminal Server and a device or the payment service fails, prove it, write the remedy and verify it by re-simulation")
        {
            Device, Payment, ClientHello, Server, Os, Build, Updates, UpdatesFile, Reg, DotNet, ProductSettingOption, Out, DhStress, NoSelfCheck, Json, ConnectTimeout, ReadTimeout, Deadline,
        };
        cmd.SetAction((parse, ct) => RunAsync(parse, console, ct));
        return cmd;
    }

    private static ProbeTarget? Target(ParseResult parse, Option<string?> option, int port)
    {
        var text = parse.GetValue(option);
        if (text is null) return null;
        return ProbeTarget.TryParse(text, port, out var t, out var error) ? t : throw new UsageException($"{option.Name}: {error}");
    }

    private static async Task<int> RunAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        var device = Target(parse, Device, 443);
        var payment = Target(parse, Payment, 443);
        var server = Target(parse, Server, 5012);
        var capturePath = parse.GetValue(ClientHello);
        if (device is null && payment is null && capturePath is null)
            throw new UsageException("give at least one of --device, --payment, --client-hello");
        var stress = parse.GetValue(DhStress);
        var json = parse.GetValue(Json);

        string? updatesText = null;
        if (parse.GetValue(UpdatesFile) is { } uf)
        {
            updatesText = InputFiles.ReadAllText(uf, "--updates-file");
        }
        var regFiles = parse.GetValue(Reg) ?? [];
        foreach (var f in regFiles)
            if (!File.Exists(f)) throw new UsageException($"--reg {f}: file not found");

        var policyOptions = new PolicyOptions
        {
            Os = parse.GetValue(Os),
            Build = parse.GetValue(Build),
            Updates = [.. parse.GetValue(Updates) ?? []],
            UpdatesFileText = updatesText,
            RegFiles = [.. regFiles],
            DotNet = parse.GetValue(DotNet),
            ProductSetting = parse.GetValue(ProductSettingOption),
        };
        WindowsSide windows;
        try
        {
            windows = WindowsSide.Build(policyOptions);
        }
        catch (RegParseException e)
        {
            throw new UsageException($"--reg: cannot read the .reg file: {e.Message}");
        }

        var capture = capturePath is null ? null : ClientProfileJsonLoader.Instance.LoadFile(capturePath, "--client-hello");

        var probe = new ProbeOptions(
            CommonOptions.Seconds(parse.GetValue(ConnectTimeout)),
            CommonOptions.Seconds(parse.GetValue(ReadTimeout)),
            CommonOptions.Seconds(parse.GetValue(Deadline)));
        var options = new DiagnoseOptions
        {
            Device = device, Payment = payment, Server = server, ClientHello = capture, ClientHelloOrigin = capturePath,
            Windows = windows, Probe = probe, DhStress = stress, SelfCheck = !parse.GetValue(NoSelfCheck), OutDirectory = parse.GetValue(Out),
        };
        var progress = new Progress<DiagnosisProgress>(p => console.Error.MarkupLineInterpolated($"[grey]{p.Step}[/]"));
        var report = await new DiagnosisRunner().RunAsync(options, progress, ct).ConfigureAwait(false);

        var written = System.Collections.Immutable.ImmutableArray<string>.Empty;
        if (report.Findings.Any(f => f.Remedies.Any(r => r.Files.Length > 0)) && options.OutDirectory is { } dir)
        {
            try { written = RemedyWriter.Write(report, dir); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                console.Error.MarkupLineInterpolated($"[red]error:[/] cannot write the remedy files to {dir}: {e.Message}");
                return ExitCodes.Usage;
            }
        }

        if (json) await console.RawOut.WriteLineAsync(DiagnosisJson.Serialize(DiagnosisJson.ToJson(report, written))).ConfigureAwait(false);
        else DiagnoseRenderer.Render(console.Out, report, written, options.OutDirectory);

        foreach (var u in report.Unreachable) console.Error.MarkupLineInterpolated($"[red]unreachable:[/] {u}");
        if (!report.Unreachable.IsEmpty || report.Incomplete) return ExitCodes.Unreachable;
        return report.HasErrors ? ExitCodes.Findings : ExitCodes.Ok;
    }
}
