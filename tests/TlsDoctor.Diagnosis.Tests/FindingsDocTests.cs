using System.Runtime.CompilerServices;

namespace TlsDoctor.Diagnosis.Tests;

public sealed class FindingsDocTests
{
    private static string RepoFile(string relative, [CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", relative));

    [Fact]
    public void Every_finding_has_a_section_its_help_link_points_to()
    {
        var doc = File.ReadAllText(RepoFile("docs/findings.md"));
        foreach (var f in Findings.All)
        {
            Assert.Contains($"## {f.Id} {f.Slug}\n", doc);
            Assert.EndsWith($"#{f.Id.ToLowerInvariant()}-{f.Slug}", f.HelpLink);
        }
    }
}
