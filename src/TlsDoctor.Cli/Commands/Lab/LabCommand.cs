using System.CommandLine;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using TlsDoctor.Lab;
using TlsDoctor.Probe;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor lab`: simulated devices that reproduce each case of the vendor guide on loopback.</summary>
public static class LabCommand
{
    public static readonly Argument<string[]> Profiles = new("profiles")
    {
        Description = "Profiles to start (default: every server profile of the guide); see `tlsdoctor lab list`",
        Arity = ArgumentArity.ZeroOrMore,
    };
    public static readonly Option<int> BasePort = new Option<int>("--base-port") { Description = "First port; devices take consecutive ports (0 = any free port)", DefaultValueFactory = _ => 0 }.Within(0, 65535);
    public static readonly Option<int> CountPerProfile = new Option<int>("--count-per-profile") { Description = "Devices per profile", DefaultValueFactory = _ => 1 }.Within(1, 10_000);
    public static readonly Option<string?> Connect = new("--connect") { Description = "HOST:PORT a client profile connects to", HelpName = "HOST:PORT" };
    public static readonly Option<string[]> Trust = new("--trust") { Description = "SHA-256 fingerprints the legacy client trusts", AllowMultipleArgumentsPerToken = true };
    /// <summary>Longest `lab start --duration`: a lab may outlive the hour other waits are capped at (benchmarks, a week-end soak).</summary>
    public const double MaxDurationSeconds = 7 * 24 * 3600;
    public static readonly Option<double?> Duration = new Option<double?>("--duration")
    {
        Description = "Stop after this many seconds (default: run until Ctrl+C)", HelpName = "SECONDS",
    }.Seconds(MaxDurationSeconds);
    public static readonly Option<bool> Json = CommonOptions.Json();
    public static readonly Option<bool> ListJson = CommonOptions.Json();

    public static Command Create(CliConsole console)
    {
        var lab = new Command("lab", "Simulated devices with the quirks of the vendor guide, on 127.0.0.1");
        var start = new Command("start", "Run lab devices until Ctrl+C and print where they listen") { Profiles, BasePort, CountPerProfile, Connect, Trust, Duration, Json };
        start.SetAction((parse, ct) => StartAsync(parse, console, ct));
        var list = new Command("list", "Describe the lab profiles") { ListJson };
        list.SetAction((parse, ct) => List(parse, console));
        lab.Subcommands.Add(start);
        lab.Subcommands.Add(list);
        return lab;
    }

    /// <summary>The server profiles that reproduce the guide's cases (hostile ones and the SSL-only device excluded).</summary>
    public static IReadOnlyList<string> GuideServers =>
        [.. LabProfiles.All.Where(p => p.Role == LabRole.Server && p.InGuide).Select(p => p.Name)];

    private static Task<int> List(ParseResult parse, CliConsole console)
    {
        if (parse.GetValue(ListJson))
        {
            var doc = new LabListJson([.. LabProfiles.All.Select(p => new LabProfileJson(p.Name, p.Role == LabRole.Server ? "server" : "client", p.Reproduces, p.GuideCase))]);
            console.RawOut.WriteLine(JsonSerializer.Serialize(doc, LabJsonContext.Default.LabListJson));
            return Task.FromResult(ExitCodes.Ok);
        }
        var t = new Table().Border(TableBorder.Rounded).AddColumns("Profile", "Role", "Reproduces", "Guide case");
        foreach (var p in LabProfiles.All)
            t.AddRow(Markup.Escape(p.Name), p.Role.ToString().ToLowerInvariant(), Markup.Escape(p.Reproduces), Markup.Escape(p.GuideCase));
        console.Out.Write(t);
        return Task.FromResult(ExitCodes.Ok);
    }

    private static async Task<int> StartAsync(ParseResult parse, CliConsole console, CancellationToken ct)
    {
        var names = parse.GetValue(Profiles) is { Length: > 0 } given ? given : [.. GuideServers];
        foreach (var n in names)
            if (!LabProfiles.TryGet(n, out _)) throw new UsageException($"unknown lab profile '{n}'; known: {string.Join(", ", LabProfiles.All.Select(p => p.Name))}");
        var count = parse.GetValue(CountPerProfile);
        var basePort = parse.GetValue(BasePort);
        var json = parse.GetValue(Json);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (parse.GetValue(Duration) is { } duration) stop.CancelAfter(CommonOptions.Seconds(duration));

        var clients = names.Where(n => LabProfiles.TryGet(n, out var p) && p.Role == LabRole.Client).ToList();
        var servers = names.Except(clients).ToList();
        if (clients.Count > 0 && servers.Count > 0) throw new UsageException("start server profiles and client profiles in separate commands");
        if (clients.Count > 0) return await RunClientsAsync(parse, console, clients, count, json, stop.Token).ConfigureAwait(false);

        var last = basePort + servers.Count * count - 1;
        if (basePort > 0 && last > 65535)
            throw new UsageException($"--base-port {basePort}: {servers.Count * count} devices need ports up to {last}, past 65535; choose a lower --base-port (or 0 for any free ports)");
        LabHost started;
        try
        {
            started = await LabHost.StartAsync(servers, new LabOptions(basePort, count), ct).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            throw new UsageException($"--base-port {basePort}: a port from {basePort} to {last} is {(e.SocketErrorCode == SocketError.AccessDenied ? "not allowed" : "already in use")} ({e.Message}); choose another --base-port (or 0 for any free ports)");
        }
        await using var host = started;
        if (json)
        {
            var doc = new LabDevicesJson([.. host.Devices.Select(d => new LabDeviceJson(d.Profile, d.Endpoint.Address.ToString(), d.Endpoint.Port, $"{d.Endpoint}", d.Reproduces, d.CertificateSha256))]);
            await console.RawOut.WriteLineAsync(JsonSerializer.Serialize(doc, LabJsonContext.Default.LabDevicesJson)).ConfigureAwait(false);
            await console.RawOut.FlushAsync(ct).ConfigureAwait(false);
        }
        else
        {
            var t = new Table().Border(TableBorder.Rounded).AddColumns("Profile", "Address", "Reproduces");
            foreach (var d in host.Devices.Take(200)) t.AddRow(Markup.Escape(d.Profile), d.Endpoint.ToString(), Markup.Escape(d.Reproduces));
            console.Out.Write(t);
            if (host.Devices.Count > 200) console.Out.MarkupLineInterpolated($"… and {host.Devices.Count - 200} more");
        }
        console.Error.MarkupLineInterpolated($"[grey]{host.Devices.Count} lab devices running on 127.0.0.1; press Ctrl+C to stop[/]");
        try { await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { /* Ctrl+C or --duration: stop cleanly */ }
        console.Error.MarkupLine("[grey]lab stopped[/]");
        return ExitCodes.Ok;
    }

    private static async Task<int> RunClientsAsync(ParseResult parse, CliConsole console, List<string> clients, int count, bool json, CancellationToken ct)
    {
        var connect = parse.GetValue(Connect) ?? throw new UsageException("client profiles need --connect HOST:PORT");
        if (!ProbeTarget.TryParse(connect, 5012, out var target, out var error)) throw new UsageException(error!);
        if (!System.Net.IPAddress.TryParse(target.Host, out var address)) throw new UsageException("--connect takes an IP address");
        var options = new LegacyClientOptions(parse.GetValue(Trust) ?? [], TimeSpan.FromSeconds(10));
        var results = new List<LabClientRunJson>();
        for (var i = 0; i < count * clients.Count; i++)
        {
            var r = await LabClients.RunClientAsync(clients[i % clients.Count], new System.Net.IPEndPoint(address, target.Port), options, ct).ConfigureAwait(false);
            results.Add(new LabClientRunJson(clients[i % clients.Count], target.ToString(), r.Completed, r.Stage.ToString().ToLowerInvariant(),
                r.Alert is { } a ? Core.AlertNames.Name(a) : null, r.AlertSentByClient, r.Reason, r.ServerCertificateSha256));
        }
        if (json) await console.RawOut.WriteLineAsync(JsonSerializer.Serialize(new LabClientRunsJson([.. results]), LabJsonContext.Default.LabClientRunsJson)).ConfigureAwait(false);
        else
        {
            var t = new Table().Border(TableBorder.Rounded).AddColumns("Client", "Server", "Result", "Alert", "Reason");
            foreach (var r in results)
                t.AddRow(Markup.Escape(r.Profile), r.Server, r.Completed ? "[green]completed[/]" : $"[red]failed at {r.Stage}[/]",
                    r.Alert is null ? "" : $"{(r.AlertSentByClient ? "sent" : "received")} {r.Alert}", Markup.Escape(r.Reason));
            console.Out.Write(t);
        }
        return results.All(r => r.Completed) ? ExitCodes.Ok : ExitCodes.Findings;
    }
}

/// <summary>`lab list --json`.</summary>
public sealed record LabListJson(IReadOnlyList<LabProfileJson> Profiles);
/// <summary>One lab profile.</summary>
public sealed record LabProfileJson(string Name, string Role, string Reproduces, string GuideCase);
/// <summary>`lab start --json`: the running devices.</summary>
public sealed record LabDevicesJson(IReadOnlyList<LabDeviceJson> Devices);
/// <summary>One running device.</summary>
public sealed record LabDeviceJson(string Profile, string Address, int Port, string Endpoint, string Reproduces, string? CertificateSha256);
/// <summary>`lab start CLIENT --connect … --json`.</summary>
public sealed record LabClientRunsJson(IReadOnlyList<LabClientRunJson> Runs);
/// <summary>One run of a lab client.</summary>
public sealed record LabClientRunJson(string Profile, string Server, bool Completed, string Stage, string? Alert, bool AlertSentByClient, string Reason, string? ServerCertificateSha256);

/// <summary>Serializer settings for the lab command's JSON.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(LabListJson))]
[JsonSerializable(typeof(LabDevicesJson))]
[JsonSerializable(typeof(LabClientRunsJson))]
public sealed partial class LabJsonContext : JsonSerializerContext;
