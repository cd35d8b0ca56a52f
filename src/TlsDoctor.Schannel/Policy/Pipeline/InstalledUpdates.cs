using System.Collections.Immutable;
using TlsDoctor.Schannel.Knowledge;

namespace TlsDoctor.Schannel.Policy.Pipeline;

/// <summary>Who brings a change on this machine: the update itself, or a later cumulative rollup that contains it.</summary>
internal sealed record Provider(UpdateChange Change, Rollup? Via);

/// <summary>
/// The installed set as Windows reports it: the KBs listed (Get-HotFix lists only the latest rollups on a patched
/// server), the rollups among them, and the OS revision a cumulative update brings.
/// </summary>
internal static class InstalledUpdates
{
    /// <summary>The given update list, or, when none is given or none of it is known, every known update of the release (an assumption).</summary>
    public static PolicyDraft Resolve(PolicyDraft d)
    {
        var k = d.Knowledge;
        if (d.Inputs.Updates is not { } given)
            return AssumeCurrent(d).Assume(AssumptionSlot.Updates, "updates-unknown-assume-current");
        var ids = given.Select(u => u.ToUpperInvariant()).ToImmutableArray();
        var rollups = ids.Select(kb => k.Rollup(d.Release, kb)).OfType<Rollup>().ToImmutableArray();
        var unknown = ids.Where(kb => k.Update(kb)?.AppliesTo(d.Release) != true && k.Rollup(d.Release, kb) is null).ToList();
        d = d with { Updates = ids, UpdatesKnown = true, InstalledRollups = rollups };
        if (unknown.Count == 0) return d;
        var names = string.Join(", ", unknown.Select(kb => Elsewhere(k, kb) is { } r ? $"{kb} ({r.Describe()} of {k.Release(r.Release).Name})" : kb));
        if (unknown.Count == ids.Length && d.Ubr is null)
            return AssumeCurrent(d)
                .Assume(AssumptionSlot.Updates, "updates-unrecognised-assume-current")
                .Warn($"the update list names no fix or rollup the knowledge base knows for {d.Release.Name} ({names}); it is not read as \"nothing installed\": every known update is assumed installed.");
        return d.Warn($"{names}: not a fix or rollup the knowledge base knows for {d.Release.Name}; not read as SCHANNEL fixes.");
    }

    /// <summary>Every known update of the release, except those a known OS revision (--build, a snapshot's UBR) has not reached.</summary>
    private static PolicyDraft AssumeCurrent(PolicyDraft d) =>
        d with { Updates = [.. d.Knowledge.Updates.Where(u => u.AppliesTo(d.Release) && u.FromBuild is null && !AfterThisRevision(d, u)).Select(u => u.Id)], UpdatesKnown = false };

    private static bool AfterThisRevision(PolicyDraft d, UpdateInfo u) =>
        d.Ubr is { } ubr && OsBuilds.Parse(u.Build) is { } b && b.Build == d.Build && b.Revision > ubr;

    private static Rollup? Elsewhere(SchannelKnowledge k, string kb) => k.Rollups.FirstOrDefault(r => r.Kb.Equals(kb, StringComparison.OrdinalIgnoreCase));

    /// <summary>The first change installed directly, else one a listed cumulative rollup contains (the latest rollup first).</summary>
    public static Provider? Installed(PolicyDraft d, ImmutableArray<UpdateChange> changes)
    {
        if (changes.FirstOrDefault(c => d.Installed(c.Update.Id)) is { } direct) return new(direct, null);
        foreach (var r in d.InstalledRollups.OrderByDescending(r => r.Date, StringComparer.Ordinal))
        {
            var contained = d.Knowledge.ContainedIn(r, d.Release, _ => true);
            if (changes.FirstOrDefault(contained.Contains) is { } c) return new(c, r);
        }
        return null;
    }

    /// <summary>The source naming the update (or the rollup that contains it); also names their assumptions in the slot of the value.</summary>
    public static (PolicyDraft Draft, Source Source) Credit(PolicyDraft d, Provider p, AssumptionSlot slot)
    {
        if (p.Via is not { } r) return d.CreditUpdate(p.Change.Update.Id, slot);
        var u = p.Change.Update;
        var source = new Source(Source.Update, $"{r.Kb} — {r.Describe()}, which contains {u.Id} — {u.Title}", $"{d.Knowledge.RollupsSource} {u.Source}");
        return (d.Assume(slot, u.Assumption).Assume(slot, "rollups-contain-earlier-fixes"), source);
    }

    /// <summary>The OS revision of this build a listed cumulative update brings (2016 and later), with that update.</summary>
    public static (int Revision, Rollup Rollup)? RevisionFromUpdates(PolicyDraft d) =>
        d.InstalledRollups.Select(r => (B: OsBuilds.Parse(r.Build), R: r)).Where(t => t.B is { } b && b.Build == d.Build)
            .Select(t => (t.B!.Value.Revision, t.R)).OrderByDescending(t => t.Revision).Cast<(int, Rollup)?>().FirstOrDefault();
}
