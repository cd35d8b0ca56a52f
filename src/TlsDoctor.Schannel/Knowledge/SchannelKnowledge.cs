using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace TlsDoctor.Schannel.Knowledge;

/// <summary>The embedded knowledge base (Data/*.json): releases, updates, .NET defaults and named assumptions.</summary>
public sealed partial class SchannelKnowledge
{
    private static readonly Lazy<SchannelKnowledge> Instance = new(Load);

    /// <summary>The knowledge compiled into this assembly (loaded once, immutable).</summary>
    public static SchannelKnowledge Default => Instance.Value;

    public ImmutableArray<WindowsRelease> Releases { get; }
    public ImmutableArray<UpdateInfo> Updates { get; }
    public DotNetKnowledge DotNet { get; }
    public ImmutableArray<Assumption> Assumptions { get; }
    public ImmutableArray<Rollup> Rollups { get; }
    /// <summary>Source tag of the rollup table.</summary>
    public string RollupsSource { get; }

    /// <summary>Rollups from this date on are taken to contain every earlier fix of their release (assumption rollups-contain-earlier-fixes).</summary>
    public DateOnly RollupsCumulativeFrom { get; }

    private SchannelKnowledge(ImmutableArray<WindowsRelease> releases, ImmutableArray<UpdateInfo> updates, DotNetKnowledge dotnet, ImmutableArray<Assumption> assumptions, RollupsFile rollups)
    {
        Releases = releases;
        Updates = updates;
        DotNet = dotnet;
        Assumptions = assumptions;
        Rollups = rollups.Rollups;
        RollupsSource = rollups.Source;
        RollupsCumulativeFrom = DateOnly.Parse(rollups.CumulativeFrom, CultureInfo.InvariantCulture);
    }

    /// <summary>The rollup or cumulative update with that KB id for the release, or null.</summary>
    public Rollup? Rollup(WindowsRelease release, string kb) =>
        Rollups.FirstOrDefault(r => r.Release == release.Id && r.Kb.Equals(kb, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The changes a rollup contains: those of the release's updates released before it, when the rollup is cumulative
    /// and dated from <see cref="RollupsCumulativeFrom"/> on (earlier rollups were cumulative only since October 2016).
    /// </summary>
    public ImmutableArray<UpdateChange> ContainedIn(Rollup rollup, WindowsRelease release, Func<UpdateEffect, bool> match)
    {
        var date = DateOnly.Parse(rollup.Date, CultureInfo.InvariantCulture);
        if (!rollup.Cumulative || rollup.Release != release.Id || date < RollupsCumulativeFrom) return [];
        return [.. Changes(release, match).Where(c => LatestDay(c.Update.Date) <= date)];
    }

    /// <summary>The last day a partial date can mean ("2016-06" → 2016-06-30, "2017" → 2017-12-31).</summary>
    public static DateOnly LatestDay(string date)
    {
        var parts = date.Split('-');
        var year = int.Parse(parts[0], CultureInfo.InvariantCulture);
        if (parts.Length == 1) return new DateOnly(year, 12, 31);
        var month = int.Parse(parts[1], CultureInfo.InvariantCulture);
        return parts.Length == 2 ? new DateOnly(year, month, DateTime.DaysInMonth(year, month)) : new DateOnly(year, month, int.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    /// <summary>The release with that id (2008, 2008r2, 2012, 2012r2, 2016, 2019, 2022, 2025).</summary>
    public WindowsRelease Release(string id) => Releases.First(r => r.Id == id);

    /// <summary>The assumption with that id (throws for an unknown id: data and code must agree).</summary>
    public Assumption Assumption(string id) => Assumptions.FirstOrDefault(a => a.Id == id) ?? throw new KeyNotFoundException($"assumption {id} is not in assumptions.json");

    /// <summary>The update with that KB id, or null.</summary>
    public UpdateInfo? Update(string kb) => Updates.FirstOrDefault(u => u.Id.Equals(kb, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The changes of the release's updates that match, in the order they are named: preferred ones first, then as
    /// updates.json lists them.
    /// </summary>
    public ImmutableArray<UpdateChange> Changes(WindowsRelease release, Func<UpdateEffect, bool> match) => ChangesOf(Updates, release, match);

    private static ImmutableArray<UpdateChange> ChangesOf(ImmutableArray<UpdateInfo> updates, WindowsRelease release, Func<UpdateEffect, bool> match) =>
    [
        .. updates.Where(u => u.AppliesTo(release))
            .SelectMany(u => (u.Effects.IsDefault ? [] : u.Effects).Where(e => e.AppliesTo(release) && match(e)).Select(e => new UpdateChange(u, e)))
            .OrderBy(c => c.Effect.Preferred ? 0 : 1),
    ];

    /// <summary>
    /// Resolves an --os value: release id or alias ("2012r2", "Windows Server 2012 R2", "Windows 8.1"), a build number
    /// ("9600", "14393.3542", "10.0.14393"), or a ProductName. Unknown builds map to the newest release below them.
    /// </summary>
    public bool TryResolveOs(string? text, out WindowsRelease release, out OsMatch match)
    {
        release = null!;
        match = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = Normalize(text);
        foreach (var r in Releases)
            if (Normalize(r.Id) == t || Normalize(r.Name) == t || r.Aliases.Any(a => Normalize(a) == t))
            {
                release = r;
                match = new OsMatch(null, null, false);
                return true;
            }
        var bm = BuildPattern().Match(text.Trim());
        if (bm.Success && int.TryParse(bm.Groups["build"].Value, out var build) && build >= 6000)
        {
            int? ubr = bm.Groups["ubr"].Success && int.TryParse(bm.Groups["ubr"].Value, out var u) ? u : null;
            var exact = Releases.FirstOrDefault(r => r.Builds.Contains(build));
            var nearest = exact ?? Releases.Where(r => r.Builds.Min() <= build).OrderByDescending(r => r.Builds.Min()).FirstOrDefault();
            if (nearest is null) return false;
            release = nearest;
            match = new OsMatch(build, ubr, exact is null);
            return true;
        }
        // ProductName such as "Windows Server 2012 R2 Standard": the longest release name or alias it contains.
        var best = Releases
            .SelectMany(r => r.Aliases.Append(r.Name).Select(a => (r, a: Normalize(a))))
            .Where(p => p.a.Length >= 4 && t.Contains(p.a, StringComparison.Ordinal))
            .OrderByDescending(p => p.a.Length).FirstOrDefault();
        if (best.r is null) return false;
        release = best.r;
        match = new OsMatch(null, null, false);
        return true;
    }

    private static string Normalize(string s) => new string(s.ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray())
        .Replace("microsoft", "").Replace("windowsserver", "ws").Replace("server", "ws").Replace("windows", "win");

    [GeneratedRegex(@"^(?:10\.0\.|6\.\d\.)?(?<build>\d{4,5})(?:\.(?<ubr>\d+))?$")]
    private static partial Regex BuildPattern();

    private static SchannelKnowledge Load()
    {
        var updates = Read("updates.json", KnowledgeJson.Default.UpdatesFile).Updates;
        var releases = Read("releases.json", KnowledgeJson.Default.ReleasesFile).Releases.Select(r => WithFixes(r, updates)).ToImmutableArray();
        var dotnet = Read("dotnet.json", KnowledgeJson.Default.DotNetKnowledge);
        var assumptions = Read("assumptions.json", KnowledgeJson.Default.AssumptionsFile).Assumptions;
        var rollups = Read("rollups.json", KnowledgeJson.Default.RollupsFile);
        return new SchannelKnowledge(releases, updates, dotnet, assumptions, rollups);
    }

    /// <summary>Fills the release's FixedBy / FixedInBuild from the updates that bring each fix (updates.json is the one place that says).</summary>
    private static WindowsRelease WithFixes(WindowsRelease r, ImmutableArray<UpdateInfo> updates)
    {
        static FixData Fill(FixData fix, ImmutableArray<UpdateChange> changes) => fix with
        {
            FixedBy = [.. changes.Select(c => c.Update.Id)],
            FixedInBuild = changes.Select(c => c.Update.Build).OfType<string>().MinBy(OsBuilds.Key),
        };
        return r with
        {
            Sha512InTls12 = Fill(r.Sha512InTls12, ChangesOf(updates, r, e => e.Sha512InTls12 == true)),
            DhLeadingZeroFixed = Fill(r.DhLeadingZeroFixed, ChangesOf(updates, r, e => e.DhLeadingZeroFixed == true)),
        };
    }

    private static T Read<T>(string name, JsonTypeInfo<T> type)
    {
        var resource = "TlsDoctor.Schannel.Data." + name;
        using var stream = typeof(SchannelKnowledge).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidDataException($"embedded resource {resource} is missing");
        return JsonSerializer.Deserialize(stream, type) ?? throw new InvalidDataException($"{resource} is empty");
    }

    internal sealed record ReleasesFile(ImmutableArray<WindowsRelease> Releases);
    internal sealed record UpdatesFile(ImmutableArray<UpdateInfo> Updates);
    internal sealed record AssumptionsFile(ImmutableArray<Assumption> Assumptions);
    internal sealed record RollupsFile(string Source, string CumulativeFrom, ImmutableArray<Rollup> Rollups);

    // Source-generated so the knowledge loads without reflection (the published tool is compiled ahead of time).
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web, ReadCommentHandling = JsonCommentHandling.Skip)]
    [JsonSerializable(typeof(ReleasesFile))]
    [JsonSerializable(typeof(UpdatesFile))]
    [JsonSerializable(typeof(DotNetKnowledge))]
    [JsonSerializable(typeof(AssumptionsFile))]
    [JsonSerializable(typeof(RollupsFile))]
    internal sealed partial class KnowledgeJson : JsonSerializerContext;
}

/// <summary>OS build.revision strings ("14393.3542").</summary>
public static class OsBuilds
{
    /// <summary>Build and revision of "14393.3542"; null when the text is not in that form.</summary>
    public static (int Build, int Revision)? Parse(string? text)
    {
        var parts = (text ?? "").Split('.');
        return parts.Length == 2 && int.TryParse(parts[0], out var b) && int.TryParse(parts[1], out var u) ? (b, u) : null;
    }

    /// <summary>Sort key: build, then revision (unparsable strings first).</summary>
    public static long Key(string text) => Parse(text) is { } p ? (long)p.Build << 32 | (uint)p.Revision : -1;

    /// <summary>True when build.revision is at least <paramref name="fixedIn"/>.</summary>
    public static bool AtLeast(int build, int revision, string fixedIn) =>
        Parse(fixedIn) is { } f && (build > f.Build || build == f.Build && revision >= f.Revision);
}

/// <summary>How an --os value matched: the build and revision it named, and whether the build was mapped to the nearest release.</summary>
public readonly record struct OsMatch(int? Build, int? Ubr, bool Nearest);
