using System.CommandLine;

namespace TlsDoctor.Cli.Commands;

/// <summary>Options spelled and described the same way in every command.</summary>
public static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Write one JSON document to stdout (logs and progress go to stderr)" };

    public static Option<double> ConnectTimeout() => new("--connect-timeout")
    {
        Description = "Seconds to wait for a TCP connection",
        DefaultValueFactory = _ => 5,
        HelpName = "SECONDS",
    };

    public static Option<double> ReadTimeout() => new("--timeout")
    {
        Description = "Seconds to wait for each answer from the peer",
        DefaultValueFactory = _ => 5,
        HelpName = "SECONDS",
    };

    public static Option<double> Deadline() => new("--deadline")
    {
        Description = "Seconds allowed for one target in total",
        DefaultValueFactory = _ => 120,
        HelpName = "SECONDS",
    };

    public static Option<int> PerHost() => new("--per-host")
    {
        Description = "Connections open at once to one host (fragile devices: keep 1)",
        DefaultValueFactory = _ => 1,
        HelpName = "N",
    };

    public static Option<int> Delay() => new("--delay")
    {
        Description = "Milliseconds to wait between connections to the same host",
        DefaultValueFactory = _ => 0,
        HelpName = "MS",
    };

    /// <summary>Checks a timeout value and converts it.</summary>
    public static TimeSpan Seconds(double value, string option) =>
        value is > 0 and <= 3600 ? TimeSpan.FromSeconds(value) : throw new UsageException($"{option} must be between 0 and 3600 seconds");
}
