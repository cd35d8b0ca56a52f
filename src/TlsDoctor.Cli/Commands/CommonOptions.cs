using System.CommandLine;
using System.Numerics;

namespace TlsDoctor.Cli.Commands;

/// <summary>Options spelled and described the same way in every command, and the range checks every option gets at parse time.</summary>
public static class CommonOptions
{
    /// <summary>Longest wait any timeout option accepts.</summary>
    public const double MaxSeconds = 3600;

    public static Option<bool> Json() => new("--json") { Description = "Write one JSON document to stdout (logs and progress go to stderr)" };

    public static Option<double> ConnectTimeout() => new Option<double>("--connect-timeout")
    {
        Description = "Seconds to wait for a TCP connection",
        DefaultValueFactory = _ => 5,
        HelpName = "SECONDS",
    }.Seconds();

    public static Option<double> ReadTimeout() => new Option<double>("--timeout")
    {
        Description = "Seconds to wait for each answer from the peer",
        DefaultValueFactory = _ => 5,
        HelpName = "SECONDS",
    }.Seconds();

    public static Option<double> Deadline() => new Option<double>("--deadline")
    {
        Description = "Seconds allowed for one target in total",
        DefaultValueFactory = _ => 120,
        HelpName = "SECONDS",
    }.Seconds();

    /// <summary>--per-host; <paramref name="aliases"/> (scan: --per-device, the fleet's name) are accepted as well.</summary>
    public static Option<int> PerHost(params string[] aliases) => new Option<int>("--per-host", aliases)
    {
        Description = "Connections open at once to one host (fragile devices: keep 1)",
        DefaultValueFactory = _ => 1,
        HelpName = "N",
    }.Within(1, 64);

    public static Option<int> Delay() => new Option<int>("--delay")
    {
        Description = "Milliseconds to wait between connections to the same host",
        DefaultValueFactory = _ => 0,
        HelpName = "MS",
    }.Within(0, 60_000, " ms");

    /// <summary>A TCP port option (1-65535).</summary>
    public static Option<int> Port(string description, int? defaultPort = null)
    {
        var o = new Option<int>("--port", "-p") { Description = description, HelpName = "PORT" };
        if (defaultPort is { } p) o.DefaultValueFactory = _ => p;
        return o.Within(1, 65535);
    }

    /// <summary>Rejects values outside [min, max] when the command line is parsed: "--name must be min-max{unit}", exit 2.</summary>
    public static Option<T> Within<T>(this Option<T> option, T min, T max, string unit = "") where T : struct, INumber<T>
    {
        option.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<T>();
            if (!(v >= min && v <= max)) r.AddError($"{option.Name} must be {min}-{max}{unit}");
        });
        return option;
    }

    /// <summary>As <see cref="Within{T}(Option{T}, T, T, string)"/> for an optional value: absent is fine.</summary>
    public static Option<T?> Within<T>(this Option<T?> option, T min, T max, string unit = "") where T : struct, INumber<T>
    {
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<T?>() is { } v && !(v >= min && v <= max)) r.AddError($"{option.Name} must be {min}-{max}{unit}");
        });
        return option;
    }

    /// <summary>A wait in seconds: more than 0, at most <see cref="MaxSeconds"/>.</summary>
    public static Option<double> Seconds(this Option<double> option)
    {
        option.Validators.Add(r => { if (!IsSeconds(r.GetValueOrDefault<double>())) r.AddError(SecondsMessage(option.Name)); });
        return option;
    }

    /// <summary>An optional wait in seconds: absent, or more than 0 and at most <paramref name="max"/>.</summary>
    public static Option<double?> Seconds(this Option<double?> option, double max = MaxSeconds)
    {
        option.Validators.Add(r => { if (r.GetValueOrDefault<double?>() is { } v && !IsSeconds(v, max)) r.AddError(SecondsMessage(option.Name, max)); });
        return option;
    }

    /// <summary>A validated seconds value as a TimeSpan.</summary>
    public static TimeSpan Seconds(double value) => TimeSpan.FromSeconds(value);

    private static bool IsSeconds(double v, double max = MaxSeconds) => v > 0 && v <= max;

    private static string SecondsMessage(string name, double max = MaxSeconds) => $"{name} must be between 0 and {max} seconds";
}
