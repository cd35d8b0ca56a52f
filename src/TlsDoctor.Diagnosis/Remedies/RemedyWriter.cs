using System.Collections.Immutable;
using System.Text;

namespace TlsDoctor.Diagnosis;

/// <summary>Who wrote a remedy file and when: the `;` comment lines at the top of every .reg.</summary>
/// <param name="ToolVersion">The TlsDoctor version.</param>
/// <param name="Written">When the files were written (UTC).</param>
public sealed record RemedyStamp(string ToolVersion, DateTimeOffset Written);

/// <summary>
/// Writes the remedy files of a report: one folder per device and finding (127.0.0.1_4433/TD001/dh.reg, …/undo-dh.reg).
/// A file already there with other content is never overwritten: the new one gets the next free number (dh.2.reg).
/// </summary>
public static class RemedyWriter
{
    /// <summary>Writes every file; .reg files as regedit writes them (UTF-16LE with BOM), each with a comment header naming
    /// device, finding, tool version and date. Returns the paths written.</summary>
    public static ImmutableArray<string> Write(DiagnosisReport report, string directory, RemedyStamp stamp)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(stamp);
        var written = ImmutableArray.CreateBuilder<string>();
        foreach (var group in report.Findings.GroupBy(f => (f.Target, f.Id)))
        {
            var multiple = group.Count() > 1;
            var i = 0;
            foreach (var f in group)
            {
                i++;
                var dir = Path.Combine(directory, FolderName(f.Target), multiple ? $"{f.Id}-{i}" : f.Id);
                foreach (var r in f.Remedies)
                    foreach (var file in r.Files)
                    {
                        Directory.CreateDirectory(dir);
                        var isReg = file.Name.EndsWith(".reg", StringComparison.OrdinalIgnoreCase);
                        byte[] bytes = isReg
                            ? [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(Stamp(file.Content, f, r, stamp))]
                            : Encoding.UTF8.GetBytes(file.Content);
                        var path = FreePath(dir, file.Name, bytes);
                        File.WriteAllBytes(path, bytes);
                        written.Add(path);
                    }
            }
        }
        return written.ToImmutable();
    }

    /// <summary>A folder name for a device: "127.0.0.1:4433" → "127.0.0.1_4433", "[::1]:443" → "___1__443" (no characters Windows forbids).</summary>
    public static string FolderName(string target)
    {
        var chars = target.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '_').ToArray();
        return chars.Length == 0 ? "device" : new string(chars);
    }

    // regedit needs its signature on the first line; the comments follow it at once, before any key.
    private static string Stamp(string content, Finding f, Remedy r, RemedyStamp stamp)
    {
        var newline = content.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var end = content.IndexOf(newline, StringComparison.Ordinal);
        var (first, rest) = end < 0 ? (content, "") : (content[..(end + newline.Length)], content[(end + newline.Length)..]);
        var header = new StringBuilder()
            .Append("; TlsDoctor ").Append(stamp.ToolVersion).Append(" remedy").Append(newline)
            .Append("; device: ").Append(f.Target).Append(newline)
            .Append("; finding: ").Append(f.Id).Append(' ').Append(f.Slug).Append(" - ").Append(r.Title).Append(newline)
            .Append("; written: ").Append(stamp.Written.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture)).Append(newline);
        return first + header + rest;
    }

    // The file's own name when it is free or already holds these very bytes, else name.2.ext, name.3.ext, …
    private static string FreePath(string dir, string name, byte[] bytes)
    {
        var stem = Path.GetFileNameWithoutExtension(name);
        var ext = Path.GetExtension(name);
        for (var n = 1; ; n++)
        {
            var path = Path.Combine(dir, n == 1 ? name : $"{stem}.{n}{ext}");
            if (!File.Exists(path)) return path;
            if (File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes)) return path;
        }
    }
}
