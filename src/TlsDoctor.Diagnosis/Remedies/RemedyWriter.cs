using System.Collections.Immutable;

namespace TlsDoctor.Diagnosis;

/// <summary>Writes the remedy files of a report: one folder per finding id (TD001/dh.reg, TD001/undo-dh.reg, …).</summary>
public static class RemedyWriter
{
    /// <summary>Writes every file; .reg files as regedit writes them (UTF-16LE with BOM). Returns the paths written.</summary>
    public static ImmutableArray<string> Write(DiagnosisReport report, string directory)
    {
        var written = ImmutableArray.CreateBuilder<string>();
        foreach (var group in report.Findings.GroupBy(f => f.Id))
        {
            var multiple = group.Count() > 1;
            var i = 0;
            foreach (var f in group)
            {
                i++;
                var dir = Path.Combine(directory, multiple ? $"{f.Id}-{i}" : f.Id);
                foreach (var r in f.Remedies)
                    foreach (var file in r.Files)
                    {
                        Directory.CreateDirectory(dir);
                        var path = Path.Combine(dir, file.Name);
                        if (file.Name.EndsWith(".reg", StringComparison.OrdinalIgnoreCase))
                            File.WriteAllBytes(path, [0xFF, 0xFE, .. System.Text.Encoding.Unicode.GetBytes(file.Content)]);
                        else File.WriteAllText(path, file.Content);
                        written.Add(path);
                    }
            }
        }
        return written.ToImmutable();
    }
}
