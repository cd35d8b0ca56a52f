using System.Collections.Immutable;

namespace TlsDoctor.Diagnosis.Logs;

/// <summary>One log entry that reports a secure-channel failure.</summary>
/// <param name="Patterns">Ids of the matched <see cref="LogPattern"/>s.</param>
/// <param name="Findings">Finding ids this entry can mean (the most specific messages narrow the generic ones).</param>
/// <param name="AlertCode">TLS alert code quoted by an SCHANNEL event text, if any.</param>
public sealed record LogFailure(LogEntry Entry, LogAddresses.Endpoint? Device, ImmutableArray<string> Patterns, ImmutableArray<string> Findings, int? AlertCode)
{
    /// <summary>The entry's first line, trimmed to 300 characters.</summary>
    public string Summary => Entry.Text.Split('\n')[0].Trim() is var s && s.Length > 300 ? s[..300] + "…" : Entry.Text.Split('\n')[0].Trim();
}

/// <summary>How often one message kind was seen for a device.</summary>
public sealed record MessageCount(string Pattern, string Meaning, int Count);

/// <summary>A finding a device's failures can stand for, with how many failures point to it.</summary>
public sealed record CandidateFinding(string Id, string Slug, string Title, int Failures);

/// <summary>A burst of failures: consecutive ones closer together than the window.</summary>
public sealed record FailureWindow(DateTime? Start, DateTime? End, int Count);

/// <summary>All failures of one device address.</summary>
/// <param name="Device">Address (or host from a URL) with the port when the log gives one; "(no address)" for the rest.</param>
/// <param name="DiagnoseCommand">The command to run next for this device.</param>
/// <param name="ListenCommand">For failures that point at the device rejecting our certificate or version: how to capture its ClientHello.</param>
public sealed record DeviceFailures(
    string Device,
    string? Host,
    int? Port,
    int Count,
    DateTime? FirstSeen,
    DateTime? LastSeen,
    ImmutableArray<MessageCount> Messages,
    ImmutableArray<CandidateFinding> Findings,
    ImmutableArray<FailureWindow> Windows,
    string? DiagnoseCommand,
    string? ListenCommand,
    ImmutableArray<string> Examples);

/// <summary>What a set of log files says.</summary>
public sealed record LogReport(
    ImmutableArray<string> Files,
    int Lines,
    int Entries,
    int Failures,
    ImmutableArray<DeviceFailures> Devices,
    ImmutableArray<string> Warnings);

/// <summary>Finds secure-channel failures in terminalserver.log (and SCHANNEL event text exports) and groups them by device.</summary>
public static partial class LogAnalyzer
{
    /// <summary>Device port assumed when the log names only an address: the device's HTTPS port.</summary>
    public const int DefaultDevicePort = 443;

    /// <summary>Reads and analyses files; missing or binary files throw <see cref="LogFileException"/>.</summary>
    public static LogReport AnalyzeFiles(IReadOnlyList<string> paths, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var entries = new List<LogEntry>();
        var warnings = new List<string>();
        var lines = 0;
        foreach (var p in paths)
        {
            var e = LogReader.ReadFile(p, out var n);
            lines += n;
            if (n == 0) warnings.Add($"{p}: empty file");
            else if (e.All(x => x.Time is null)) warnings.Add($"{p}: no timestamps recognised; first/last seen and time windows are unavailable");
            entries.AddRange(e);
        }
        return Analyze(paths, entries, lines, window, warnings);
    }

    /// <summary>Analyses entries already read.</summary>
    public static LogReport Analyze(IReadOnlyList<string> files, IReadOnlyList<LogEntry> entries, int lines, TimeSpan window, IEnumerable<string>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var failures = entries.Select(Classify).OfType<LogFailure>().ToList();
        var devices = failures
            .GroupBy(f => f.Device is { } d ? Key(d) : "")
            .Select(g => Summarise([.. g], window))
            .OrderBy(d => d.Host is null)
            .ThenByDescending(d => d.Count)
            .ThenBy(d => d.Device, StringComparer.Ordinal)
            .ToImmutableArray();
        return new LogReport([.. files], lines, entries.Count, failures.Count, devices, [.. warnings ?? []]);
    }

    /// <summary>The failure an entry reports, or null when it reports none.</summary>
    public static LogFailure? Classify(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var matched = LogPatterns.All.Where(p => p.Regex.IsMatch(entry.Text)).ToList();
        if (matched.Count == 0) return null;
        var alert = LogPatterns.AlertCode(entry.Text);
        var sets = matched.Where(p => p.Specific).Select(p => p.Findings).ToList();
        if (alert is { } code && LogPatterns.ForAlert(code) is { IsEmpty: false } byAlert) sets.Add(byAlert);
        if (sets.Count == 0) sets = [.. matched.Select(p => p.Findings)];
        // Each specific message narrows the candidates; when they contradict, keep everything they name.
        var narrowed = sets.Skip(1).Aggregate((IEnumerable<string>)sets[0], (acc, s) => acc.Intersect(s)).ToList();
        var findings = narrowed.Count > 0 ? narrowed : sets.SelectMany(s => s).Distinct().ToList();
        return new LogFailure(entry, LogAddresses.Find(entry.Text), [.. matched.Select(p => p.Id)],
            [.. findings.OrderBy(f => f, StringComparer.Ordinal)], alert);
    }

    private static string Key(LogAddresses.Endpoint e) => e.Host.ToLowerInvariant();

    private static DeviceFailures Summarise(List<LogFailure> failures, TimeSpan window)
    {
        // One device may appear with and without a port; a service port (not an ephemeral client port) wins.
        var ports = failures.Select(f => f.Device?.Port).OfType<int>().Where(p => p < 49152).ToList();
        int? port = ports.Count > 0 ? ports.GroupBy(p => p).OrderByDescending(g => g.Count()).First().Key : null;
        var host = failures.FirstOrDefault(f => f.Device is not null)?.Device?.Host;
        var device = host is null ? "(no address)" : new LogAddresses.Endpoint(host, port).ToString();
        var times = failures.Select(f => f.Entry.Time).OfType<DateTime>().Order().ToList();
        var messages = failures.SelectMany(f => f.Patterns).GroupBy(p => p)
            .Select(g => new MessageCount(g.Key, LogPatterns.All.First(p => p.Id == g.Key).Meaning, g.Count()))
            .OrderByDescending(m => m.Count).ThenBy(m => m.Pattern, StringComparer.Ordinal).ToImmutableArray();
        var findings = failures.SelectMany(f => f.Findings).GroupBy(f => f)
            .Select(g => Candidate(g.Key, g.Count()))
            .OrderByDescending(c => c.Failures).ThenBy(c => c.Id, StringComparer.Ordinal).ToImmutableArray();

        var windows = new List<FailureWindow>();
        foreach (var t in times)
        {
            if (windows.Count > 0 && windows[^1].End is { } end && t - end <= window)
                windows[^1] = windows[^1] with { End = t, Count = windows[^1].Count + 1 };
            else windows.Add(new FailureWindow(t, t, 1));
        }
        var undated = failures.Count - times.Count;
        if (undated > 0) windows.Add(new FailureWindow(null, null, undated));

        // The payment service is reached outbound only: it is diagnosed with --payment, and findings about the device
        // side of the inbound connection (TD006, TD007) cannot apply to it.
        var payment = failures.All(f => PaymentRegex().IsMatch(f.Entry.Text));
        if (payment) findings = [.. findings.Where(f => Findings.All.FirstOrDefault(d => d.Id == f.Id) is not { } d || d.Directions.Contains(Direction.OutboundPayment))];
        string? diagnose = null, listen = null;
        if (host is not null)
        {
            var target = new LogAddresses.Endpoint(host, port ?? DefaultDevicePort).ToString();
            diagnose = $"tlsdoctor diagnose --{(payment ? "payment" : "device")} {target}";
            // The device-as-client direction: its own ClientHello and certificate support are what matter.
            if (!payment && findings.Any(f => f.Id is "TD006" or "TD007"))
                listen = $"tlsdoctor listen --address 0.0.0.0 --port 5012 --probe-certs -o {Safe(host)}.json   then: tlsdoctor diagnose --client-hello {Safe(host)}.json";
        }
        var examples = failures.Select(f => $"{Path.GetFileName(f.Entry.File)}:{f.Entry.Line}: {f.Summary}").Distinct().Take(3).ToImmutableArray();
        return new DeviceFailures(device, host, port, failures.Count, times.Count > 0 ? times[0] : null, times.Count > 0 ? times[^1] : null,
            messages, findings, [.. windows], diagnose, listen, examples);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\bpayment", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex PaymentRegex();

    private static string Safe(string host) => string.Concat(host.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_'));

    private static CandidateFinding Candidate(string id, int count)
    {
        var d = Findings.All.FirstOrDefault(f => f.Id == id);
        return new CandidateFinding(id, d?.Slug ?? "", d?.Title ?? "", count);
    }
}
