using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using TlsDoctor.Core;

namespace TlsDoctor.Diagnosis.Logs;

/// <summary>One log entry: its first line and the continuation lines (stack trace) that follow it.</summary>
/// <param name="Line">1-based line number of the first line.</param>
/// <param name="Time">Timestamp as written (server local time unless the log names a zone), null when the entry has none.</param>
public sealed record LogEntry(string File, int Line, DateTime? Time, string Text);

/// <summary>A file that cannot be read as a text log.</summary>
public sealed class LogFileException(string message) : InputException(message);

/// <summary>
/// Splits a text log into entries, tolerant of layout: a line that starts with a timestamp (ISO 8601, log4net's
/// "yyyy-MM-dd HH:mm:ss,fff", dd.MM.yyyy, dd/MM/yyyy or M/d/yyyy with AM/PM, dd-MMM-yyyy; optional milliseconds,
/// brackets, a level or thread id before it) begins an entry; any other line (stack frames "   at …",
/// "--- End of inner exception stack trace ---", inner exception lines) continues the previous one. A file without
/// any timestamp is split on lines that do not start with whitespace. BOMs (UTF-8/16) and CRLF are handled.
/// </summary>
public static partial class LogReader
{
    /// <summary>Reads the entries of a file; throws <see cref="LogFileException"/> when it is missing or binary.</summary>
    public static ImmutableArray<LogEntry> ReadFile(string path, out int lines)
    {
        string text;
        try
        {
            if (Directory.Exists(path)) throw new LogFileException($"{path}: is a directory, not a log file");
            if (!File.Exists(path)) throw new LogFileException($"{path}: file not found");
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            text = reader.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LogFileException($"{path}: cannot read ({e.Message})");
        }
        if (LooksBinary(text)) throw new LogFileException($"{path}: binary data, not a text log (a .zip or .evtx? export events as text: wevtutil qe System /q:\"*[System[Provider[@Name='Schannel']]]\" /f:text > schannel.txt)");
        return Read(text, path, out lines);
    }

    /// <summary>Splits text into entries.</summary>
    public static ImmutableArray<LogEntry> Read(string text, string file, out int lines)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var all = text.Split('\n');
        lines = all.Length > 0 && all[^1].Length == 0 ? all.Length - 1 : all.Length;
        var stamped = all.Take(2000).Any(l => TryParseTime(l.TrimEnd('\r'), out _));
        var entries = ImmutableArray.CreateBuilder<LogEntry>();
        StringBuilder? current = null;
        var startLine = 0;
        DateTime? startTime = null;
        void Flush()
        {
            if (current is not null && current.Length > 0) entries.Add(new LogEntry(file, startLine, startTime, current.ToString()));
            current = null;
        }
        for (var i = 0; i < lines; i++)
        {
            var line = all[i].TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            bool starts;
            DateTime? time = null;
            if (stamped)
            {
                starts = TryParseTime(line, out var t);
                if (starts) time = t;
            }
            else
            {
                starts = !char.IsWhiteSpace(line[0]) && !line.StartsWith("---", StringComparison.Ordinal);
            }
            if (starts || current is null)
            {
                Flush();
                current = new StringBuilder(line);
                startLine = i + 1;
                startTime = time;
            }
            else
            {
                current.Append('\n').Append(line);
            }
        }
        Flush();
        return entries.ToImmutable();
    }

    /// <summary>Finds a timestamp near the start of a line (within the first 40 characters).</summary>
    public static bool TryParseTime(string line, out DateTime time)
    {
        time = default;
        var head = line.Length > 64 ? line[..64] : line;
        foreach (var (regex, kind) in TimeRegexes)
        {
            var m = regex.Match(head);
            if (!m.Success || m.Index > 40) continue;
            if (Build(m, kind, out time)) return true;
        }
        return false;
    }

    private enum TimeKind { Iso, DayMonthYear, MonthNameDay, UsAmPm }

    private static readonly (Regex, TimeKind)[] TimeRegexes =
    [
        (IsoRegex(), TimeKind.Iso),
        (UsAmPmRegex(), TimeKind.UsAmPm),
        (DmyRegex(), TimeKind.DayMonthYear),
        (MonthNameRegex(), TimeKind.MonthNameDay),
    ];

    // 2024-03-05 14:22:01,123 / 2024-03-05T14:22:01.1234567+01:00 / 2024/03/05 14:22:01
    [GeneratedRegex(@"(\d{4})[-/](\d{2})[-/](\d{2})[T ](\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,7}))?")]
    private static partial Regex IsoRegex();

    // 05.03.2024 14:22:01(.123) / 05/03/2024 14:22:01 / 05-03-2024 14:22:01
    [GeneratedRegex(@"(\d{1,2})[./-](\d{1,2})[./-](\d{4})[ T](\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,7}))?")]
    private static partial Regex DmyRegex();

    // 3/5/2024 2:22:01 PM (Windows event log text export, en-US)
    [GeneratedRegex(@"(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,7}))? ?([AaPp][Mm])")]
    private static partial Regex UsAmPmRegex();

    // 05-Mar-2024 14:22:01 / 05 Mar 2024 14:22:01
    [GeneratedRegex(@"(\d{1,2})[- ]([A-Za-z]{3})[- ](\d{4})[ :](\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,7}))?")]
    private static partial Regex MonthNameRegex();

    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    private static bool Build(Match m, TimeKind kind, out DateTime time)
    {
        time = default;
        int G(int i) => int.Parse(m.Groups[i].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        int year, month, day;
        var hour = G(4);
        switch (kind)
        {
            case TimeKind.Iso: year = G(1); month = G(2); day = G(3); break;
            case TimeKind.DayMonthYear:
                day = G(1); month = G(2); year = G(3);
                // Day first (European layouts) unless that is impossible and month first is not.
                if (month > 12 && day <= 12) (day, month) = (month, day);
                break;
            case TimeKind.UsAmPm:
                month = G(1); day = G(2); year = G(3);
                var pm = m.Groups[8].Value.StartsWith('p') || m.Groups[8].Value.StartsWith('P');
                if (hour == 12) hour = 0;
                if (pm) hour += 12;
                break;
            default:
                day = G(1); year = G(3);
                month = Array.IndexOf(Months, m.Groups[2].Value.ToLowerInvariant()) + 1;
                break;
        }
        var fraction = m.Groups[7].Success ? m.Groups[7].Value.PadRight(7, '0') : "0";
        if (year is < 1990 or > 2200 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || G(5) > 59 || G(6) > 60)
            return false;
        time = new DateTime(year, month, day, hour, G(5), Math.Min(59, G(6)), DateTimeKind.Unspecified)
            .AddTicks(long.Parse(fraction, NumberStyles.None, CultureInfo.InvariantCulture));
        return true;
    }

    // NUL characters do not occur in text logs (UTF-16 ones were decoded by their BOM); nor do many control bytes.
    private static bool LooksBinary(string text)
    {
        var sample = text.AsSpan(0, Math.Min(text.Length, 8192));
        var control = 0;
        foreach (var c in sample)
        {
            if (c == '\0') return true;
            if (c < 0x20 && c is not '\r' and not '\n' and not '\t' and not '\f') control++;
            if (c == '\uFFFD') control++;
        }
        return sample.Length > 0 && control > sample.Length / 20;
    }
}

/// <summary>Finds the device address an entry talks about: URLs, [IPv6]:port, IPv4[:port], bare IPv6.</summary>
public static partial class LogAddresses
{
    /// <summary>A device endpoint seen in a log: host (address or name from a URL) and port when written.</summary>
    public sealed record Endpoint(string Host, int? Port)
    {
        public override string ToString() => Port is { } p ? (Host.Contains(':') ? $"[{Host}]:{p}" : $"{Host}:{p}") : Host;
    }

    /// <summary>The first plausible device endpoint in the text; null when none.</summary>
    public static Endpoint? Find(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (Match m in UrlRegex().Matches(text))
        {
            var host = m.Groups[1].Value.Trim('[', ']');
            if (host.Length == 0 || IsLocal(host)) continue;
            return new Endpoint(host, m.Groups[2].Success ? int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 443);
        }
        foreach (Match m in BracketV6Regex().Matches(text))
        {
            // Thread ids ("[12]") parse as addresses too: only a real IPv6 literal counts.
            if (!m.Groups[1].Value.Contains(':') || !IPAddress.TryParse(m.Groups[1].Value, out var a)
                || a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6 || IsLocal(a.ToString())) continue;
            return new Endpoint(a.ToString(), m.Groups[2].Success ? int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : null);
        }
        foreach (Match m in V4Regex().Matches(text))
        {
            // Assembly versions (Version=4.0.0.0) look like addresses.
            var before = text[Math.Max(0, m.Index - 9)..m.Index];
            if (before.Contains("ersion", StringComparison.OrdinalIgnoreCase) || before.EndsWith('v') || before.EndsWith('.')) continue;
            if (!IPAddress.TryParse(m.Groups[1].Value, out var a) || m.Groups[1].Value.Split('.').Any(o => o.Length > 1 && o[0] == '0') || IsLocal(a.ToString())) continue;
            int? port = m.Groups[2].Success && int.TryParse(m.Groups[2].Value, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536 ? p : null;
            return new Endpoint(a.ToString(), port);
        }
        foreach (Match m in BareV6Regex().Matches(text))
        {
            if (!IPAddress.TryParse(m.Value, out var a) || a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6 || IsLocal(a.ToString())) continue;
            return new Endpoint(a.ToString(), null);
        }
        return null;
    }

    private static bool IsLocal(string host) => host is "0.0.0.0" or "::" or "127.0.0.1" or "::1" or "localhost" || host.StartsWith("255.", StringComparison.Ordinal);

    [GeneratedRegex(@"\b(?:https?|wss?|ipps?)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-_]+)(?::(\d{1,5}))?", RegexOptions.IgnoreCase)]
    private static partial Regex UrlRegex();

    [GeneratedRegex(@"\[([0-9A-Fa-f:.]{2,45})\](?::(\d{1,5}))?")]
    private static partial Regex BracketV6Regex();

    [GeneratedRegex(@"(?<![\d.])((?:\d{1,3}\.){3}\d{1,3})(?![\d.]*\d)(?::(\d{1,5}))?")]
    private static partial Regex V4Regex();

    [GeneratedRegex(@"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{1,4})*(?![0-9A-Fa-f:])")]
    private static partial Regex BareV6Regex();
}
