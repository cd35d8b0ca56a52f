using System.Collections.Immutable;
using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using TlsDoctor.Core;
using TlsDoctor.Diagnosis;
using TlsDoctor.Diagnosis.Json;
using TlsDoctor.Probe;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor simulate`: the handshake a client profile and a server profile would have, without the network.</summary>
public static class SimulateCommand
{
    // The output is a file or a terminal, not HTML: keep quotes, ≈ and § readable (as the scan document does).
    private static readonly SimulateJsonContext Relaxed = new(new JsonSerializerOptions(SimulateJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static readonly Option<string> Client = new("--client")
    {
        Description = "The client: windows:<os> (outbound policy of a release, e.g. windows:2012r2) or a JSON file (ClientProfile JSON, policy snapshot)",
        HelpName = "windows:OS|FILE",
        Required = true,
    };

    public static readonly Option<string> Server = new("--server")
    {
        Description = "The server: windows:<os> (inbound policy of a release) or a JSON file (scan --json output, one scan entry, policy snapshot)",
        HelpName = "windows:OS|FILE",
        Required = true,
    };

    public static readonly Option<string[]> ClientUpdates = new("--client-updates")
    {
        Description = "Updates installed on a windows: client: KB ids, comma-separated, repeatable; \"none\" = no updates. Omitted = every known update assumed",
        HelpName = "KB,...",
    };

    public static readonly Option<string[]> ServerUpdates = new("--server-updates")
    {
        Description = "Updates installed on a windows: server (as --client-updates)",
        HelpName = "KB,...",
    };

    public static readonly Option<string[]> ClientReg = new("--client-reg")
    {
        Description = "Registry export(s) applied to a windows: client's policy (e.g. a remedy's dh.reg)",
        HelpName = "FILE",
        AllowMultipleArgumentsPerToken = true,
    };

    public static readonly Option<string[]> ServerReg = new("--server-reg")
    {
        Description = "Registry export(s) applied to a windows: server's policy",
        HelpName = "FILE",
        AllowMultipleArgumentsPerToken = true,
    };

    public static readonly Option<string?> DotNet = new("--dotnet")
    {
        Description = "The Terminal Server's .NET Framework for a windows: client: 4.5, 4.6 or 4.7+",
        HelpName = "VERSION",
    };

    public static readonly Option<string?> ProductSetting = new("--product-setting")
    {
        Description = "securityProtocolTypesForOutboundCommunication for a windows: client, e.g. \"Tls, Tls11, Tls12\"",
        HelpName = "VALUE",
    };

    public static readonly Option<string?> ServerCert = new("--server-cert")
    {
        Description = "Certificate (PEM or DER) a windows: server presents (default: an assumed RSA 2048 / SHA-256 certificate)",
        HelpName = "FILE",
    };

    public static readonly Option<string?> Target = new("--target")
    {
        Description = "Which scan of a scan --json file to use (HOST:PORT); default the first",
        HelpName = "HOST:PORT",
    };

    public static readonly Option<string?> Confirm = new("--confirm")
    {
        Description = "On Windows: also make one real handshake with this live target through SslStream (SCHANNEL) with the client's versions, and say whether it confirms the simulation",
        HelpName = "HOST:PORT",
    };

    public static readonly Option<bool> Json = CommonOptions.Json();

    public static Command Create(CliConsole console)
    {
        var cmd = new Command("simulate", "Simulate the handshake between a client and a server profile: version, suite, key exchange, or why and where it fails")
        {
            Client, Server, ClientUpdates, ServerUpdates, ClientReg, ServerReg, DotNet, ProductSetting, ServerCert, Target, Confirm, Json,
        };
        cmd.SetAction((parse, ct) => RunAsync(parse, console, ct));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var dotnet = parse.GetValue(DotNet);
        var productSetting = parse.GetValue(ProductSetting);
        PolicyLoader.CheckValues(dotnet, "--dotnet", productSetting, "--product-setting");
        var clientSide = new SideOptions([.. parse.GetValue(ClientUpdates) ?? []], [.. parse.GetValue(ClientReg) ?? []], dotnet, productSetting,
            "--client-updates", "--client-reg");
        var serverSide = new SideOptions([.. parse.GetValue(ServerUpdates) ?? []], [.. parse.GetValue(ServerReg) ?? []], null, null,
            "--server-updates", "--server-reg");

        var client = ProfileLoader.LoadClient(parse.GetValue(Client)!, clientSide);
        var server = ProfileLoader.LoadServer(parse.GetValue(Server)!, serverSide, parse.GetValue(Target), parse.GetValue(ServerCert));
        var outcome = Negotiator.Simulate(client.Profile, server.Profile);
        var check = parse.GetValue(Confirm) is { } confirm ? await ConfirmAsync(confirm, client.Profile, outcome, ct).ConfigureAwait(false) : null;

        if (parse.GetValue(Json))
        {
            var doc = new SimulateDocument(SimulateJson.Outcome(outcome), SimulateJson.Side(client), SimulateJson.Side(server),
                check is null ? null : new ModelCheckJson(check.DirectionName, check.Target, check.Status, check.Model, check.Schannel, check.Protocols));
            await console.RawOut.WriteLineAsync(JsonSerializer.Serialize(doc, Relaxed.SimulateDocument)).ConfigureAwait(false);
        }
        else
        {
            if (check is { IsMismatch: true }) console.Out.MarkupLineInterpolated($"[red]model-mismatch[/] {check.Target}: the simulation says {check.Model}, SCHANNEL did {check.Schannel}");
            else if (check is not null) console.Out.MarkupLineInterpolated($"[green]confirmed[/] {check.Target}: SCHANNEL did what the simulation says ({check.Schannel})");
            SimulateRenderer.Render(console.Out, client, server, outcome);
        }
        return outcome.Healthy ? ExitCodes.Ok : ExitCodes.Findings;
    }

    /// <summary>One SslStream handshake (SCHANNEL) with the live target, with the simulated client's versions, compared with the simulation.</summary>
    private static async Task<ModelCheck> ConfirmAsync(string spec, ClientProfile client, HandshakeOutcome outcome, CancellationToken ct)
    {
        if (!OperatingSystem.IsWindows())
            throw new UsageException("--confirm makes a real SCHANNEL handshake, so it runs only on Windows; run simulate there (or diagnose, which checks itself on Windows)");
        if (!ProbeTarget.TryParse(spec, 443, out var target, out var error)) throw new UsageException($"--confirm {spec}: {error}");
        var live = await SystemTlsHandshake.RunAsync(target, SystemTlsHandshake.ProtocolsFor(client.Versions), TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        return ModelChecks.Compare(null, target.ToString(), outcome, live, string.Join(", ", client.Versions.Select(v => v.Name())));
    }
}

/// <summary>The `simulate --json` document.</summary>
/// <param name="ModelCheck">With --confirm on Windows: the real SCHANNEL handshake compared with the simulation; else null.</param>
public sealed record SimulateDocument(OutcomeJson Outcome, SideJson Client, SideJson Server, ModelCheckJson? ModelCheck);

/// <summary>A handshake outcome as JSON; reasons are the stable codes of <see cref="FailureReasons"/>.</summary>
public sealed record OutcomeJson(
    bool Completed,
    bool Healthy,
    string? Version,
    string? CipherSuite,
    string? KeyExchange,
    int? KeyExchangeBits,
    string? Group,
    string? Reason,
    string? AbortingSide,
    string? Alert,
    double? FailureRate,
    string Explanation,
    ImmutableArray<string> AdditionalReasons);

/// <summary>One side of a simulation as JSON: what was given, how it was read, and the assumptions behind it.</summary>
/// <param name="Kind">windows, snapshot, client-profile, scan or server-profile.</param>
public sealed record SideJson(string Spec, string Kind, string Name, ImmutableArray<PolicyReportAssumption> Assumptions);

/// <summary>Maps outcomes and sides to their JSON form.</summary>
public static class SimulateJson
{
    public static OutcomeJson Outcome(HandshakeOutcome o) => new(
        o.Completed, o.Healthy, o.Version?.Name(), o.CipherSuite?.Name, o.KeyExchange?.Name(), o.KeyExchangeBits, o.Group?.Name,
        o.Reason?.Name(), o.AbortingSide?.Name(), o.Alert?.Name(), o.FailureRate, o.Explanation, o.AdditionalReasons.IsDefault ? [] : [.. o.AdditionalReasons.Select(r => r.Name())]);

    public static SideJson Side<T>(LoadedProfile<T> p) => new(p.Spec, p.Kind, p.Name, p.Assumptions);
}

/// <summary>Source-generated serializer settings of the simulate document: camelCase, indented, nulls kept.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(SimulateDocument))]
public sealed partial class SimulateJsonContext : JsonSerializerContext;
