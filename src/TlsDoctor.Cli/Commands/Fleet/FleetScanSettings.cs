using System.CommandLine;
using Spectre.Console;
using TlsDoctor.Fleet;
using TlsDoctor.Probe;

namespace TlsDoctor.Cli.Commands;

/// <summary>How devices are scanned: the options `fleet scan` and `fleet enqueue` share (each command gets its own instances).</summary>
public sealed class FleetScanSettings
{
    public Option<int> PerDevice { get; } = new Option<int>("--per-device") { Description = "Connections open at once to one device (fragile devices: keep 1)", DefaultValueFactory = _ => 1, HelpName = "N" }.Within(1, 16);
    public Option<int> Port { get; } = new Option<int>("--port", "-p") { Description = "Port for rows without one", DefaultValueFactory = _ => 443 }.Within(1, 65535);
    public Option<int> MaxFailures { get; } = new Option<int>("--max-failures") { Description = "Connections in a row that may reset, time out or fail before a device is left alone", DefaultValueFactory = _ => 3, HelpName = "K" }.Within(1, 100);
    public Option<double> RetryBackoff { get; } = new Option<double>("--retry-backoff") { Description = "Seconds before retrying a device that could not be reached (doubles per retry)", DefaultValueFactory = _ => 5, HelpName = "SECONDS" }.Within(0, 3600, " seconds");
    public Option<string> DeviceKeyOption { get; } = MakeDeviceKey();
    public Option<bool> NoHandshake { get; } = new("--no-handshake") { Description = "Skip the full handshake per version (fewer connections; misses failures after ServerHello)" };
    public Option<double> ConnectTimeout { get; } = CommonOptions.ConnectTimeout();
    public Option<double> ReadTimeout { get; } = CommonOptions.ReadTimeout();
    public Option<double> Deadline { get; } = CommonOptions.Deadline();
    public Option<int> Delay { get; } = CommonOptions.Delay();

    /// <summary>Adds every option to <paramref name="cmd"/>.</summary>
    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { PerDevice, Port, MaxFailures, RetryBackoff, DeviceKeyOption, NoHandshake, ConnectTimeout, ReadTimeout, Deadline, Delay })
            cmd.Options.Add(o);
    }

    /// <summary>
    /// The options a resumed scan runs with: those it was started with, except what this command line gives explicitly
    /// (a resume after Ctrl+C keeps the scan's --rate, --delay, --concurrency and the rest).
    /// </summary>
    public FleetScanOptions Resume(ParseResult parse, FleetOptionsJson stored, Option<int> concurrency, Option<double> rate)
    {
        bool Given(Option o) => parse.GetResult(o) is { Implicit: false };
        var mine = Build(parse, parse.GetValue(concurrency), parse.GetValue(rate));
        var was = FleetScanOptions.FromJson(stored, stored.Concurrency, stored.Rate);
        return new FleetScanOptions(
            new ProbeOptions(
                Given(ConnectTimeout) ? mine.Probe.ConnectTimeout : was.Probe.ConnectTimeout,
                Given(ReadTimeout) ? mine.Probe.ReadTimeout : was.Probe.ReadTimeout,
                Given(Deadline) ? mine.Probe.TargetDeadline : was.Probe.TargetDeadline,
                Given(PerDevice) ? mine.Probe.MaxConnectionsPerHost : was.Probe.MaxConnectionsPerHost,
                Given(Delay) ? mine.Probe.DelayBetweenConnections : was.Probe.DelayBetweenConnections,
                Given(NoHandshake) ? mine.Probe.FullHandshakes : was.Probe.FullHandshakes),
            Given(concurrency) ? mine.Concurrency : was.Concurrency,
            Given(rate) ? mine.ConnectionsPerSecond : was.ConnectionsPerSecond,
            Given(DeviceKeyOption) ? mine.Key : was.Key,
            Given(MaxFailures) ? mine.MaxConsecutiveFailures : was.MaxConsecutiveFailures,
            Given(RetryBackoff) ? mine.RetryBackoff : was.RetryBackoff);
    }

    /// <summary>The scan options for the parsed command line (ranges were checked at parse time).</summary>
    public FleetScanOptions Build(ParseResult parse, int concurrency, double rate)
    {
        var perDevice = parse.GetValue(PerDevice);
        var backoff = parse.GetValue(RetryBackoff);
        var delay = parse.GetValue(Delay);
        var probe = new ProbeOptions(
            CommonOptions.Seconds(parse.GetValue(ConnectTimeout)),
            CommonOptions.Seconds(parse.GetValue(ReadTimeout)),
            CommonOptions.Seconds(parse.GetValue(Deadline)),
            perDevice,
            TimeSpan.FromMilliseconds(delay),
            FullHandshakes: !parse.GetValue(NoHandshake));
        return new FleetScanOptions(probe, concurrency, rate,
            Enum.Parse<DeviceKey>(parse.GetValue(DeviceKeyOption) ?? "auto", ignoreCase: true),
            parse.GetValue(MaxFailures), backoff == 0 ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromSeconds(backoff));
    }

    /// <summary>Reads the inventory; fatal problems are usage errors, bad rows are printed on stderr with their line.</summary>
    public Inventory ReadInventory(ParseResult parse, CliConsole console, string path)
    {
        Inventory inventory;
        try
        {
            inventory = InventoryCsv.ReadFile(path, parse.GetValue(Port));
        }
        catch (InventoryException e)
        {
            throw new UsageException($"{path}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot read ({e.Message})");
        }
        foreach (var bad in inventory.Errors)
            console.Error.MarkupLineInterpolated($"[yellow]{path}:{bad.Line}:[/] {bad.Message} (row skipped)");
        return inventory;
    }

    private static Option<string> MakeDeviceKey()
    {
        var o = new Option<string>("--device-key")
        {
            Description = "What --per-device counts as one device: host, endpoint (host:port), or auto (host; loopback: endpoint)",
            DefaultValueFactory = _ => "auto",
        };
        o.AcceptOnlyFromAmong("auto", "host", "endpoint");
        return o;
    }
}
