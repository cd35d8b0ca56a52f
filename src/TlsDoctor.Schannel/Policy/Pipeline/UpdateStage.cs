using System.Collections.Immutable;
using TlsDoctor.Schannel.Knowledge;

namespace TlsDoctor.Schannel.Policy.Pipeline;

/// <summary>
/// Stage 2: the installed updates change the release defaults. Every change comes from updates.json; a fact is
/// credited to the first installed update that brings it (preferred updates first, then in the file's order), else
/// to a listed cumulative rollup that contains it (rollups.json).
/// </summary>
internal static class UpdateStage
{
    public static PolicyDraft Apply(PolicyDraft d)
    {
        d = InstalledUpdates.Resolve(d);
        d = Protocols(d);
        d = Suites(d);
        d = DhMinimum(d);
        d = Sha512(d);
        return LeadingZero(d);
    }

    private static Provider? FirstInstalled(PolicyDraft d, ImmutableArray<UpdateChange> changes) => InstalledUpdates.Installed(d, changes);

    /// <summary>Versions an update implements (KB4019276 on 2008) get the state it gives them.</summary>
    private static PolicyDraft Protocols(PolicyDraft d)
    {
        var changes = d.Knowledge.Changes(d.Release, e => !e.Protocols.IsDefaultOrEmpty);
        if (changes.IsEmpty) return d;
        var roles = new[] { d.ClientProtocols, d.ServerProtocols };
        for (var r = 0; r < roles.Length; r++)
        {
            var result = ImmutableArray.CreateBuilder<ProtocolSetting>();
            foreach (var p in roles[r])
            {
                var provider = FirstInstalled(d, [.. changes.Where(c => c.Effect.Protocols.Any(x => x.TlsVersion == p.Version))]);
                if (provider is null) { result.Add(p); continue; }
                var given = provider.Change.Effect.Protocols.First(x => x.TlsVersion == p.Version);
                (d, var source) = InstalledUpdates.Credit(d, provider, AssumptionSlot.Protocols);
                result.Add(p with { State = ProtocolStates.Parse(r == 0 ? given.Client : given.Server), Source = source });
            }
            roles[r] = result.ToImmutable();
        }
        return d with { ClientProtocols = roles[0], ServerProtocols = roles[1] };
    }

    /// <summary>
    /// Microsoft's tables include the suites an update brought: without the update they are left out of the default
    /// list; a list the registry sets later replaces the default list anyway.
    /// </summary>
    private static PolicyDraft Suites(PolicyDraft d)
    {
        foreach (var c in d.Knowledge.Changes(d.Release, e => !e.AddsSuites.IsDefaultOrEmpty || !e.RemovesSuites.IsDefaultOrEmpty || !e.DefaultListWithout.IsDefaultOrEmpty))
        {
            var installed = FirstInstalled(d, [c]) is not null;
            if (!installed && !c.Effect.DefaultListWithout.IsDefaultOrEmpty)
            {
                // The list the release had before the update (captured hellos): its suites in that order, curve variants kept together.
                var order = c.Effect.DefaultListWithout;
                d = d with { SuiteList = [.. d.SuiteList.Where(s => order.Contains(s.Row.IanaName)).OrderBy(s => order.IndexOf(s.Row.IanaName))] };
            }
            var gone = installed ? ReleaseStage.Norm(c.Effect.RemovesSuites) : ReleaseStage.Norm(c.Effect.AddsSuites);
            if (gone.IsEmpty) continue;
            d = d with { SuiteList = [.. d.SuiteList.Where(s => !gone.Contains(s.Row.IanaName))] };
            if (!installed) d = d.Assume(AssumptionSlot.DefaultSuiteList, c.Effect.AssumptionWithout);
        }
        return d;
    }

    /// <summary>MS15-055 and the 2016 rollups raise the client DH minimum where the release accepted less.</summary>
    private static PolicyDraft DhMinimum(PolicyDraft d)
    {
        var changes = d.Knowledge.Changes(d.Release, e => e.DhClientMinBits > d.Release.Dh.ClientMinBits.Value);
        if (changes.IsEmpty) return d;
        if (FirstInstalled(d, changes) is not { } p)
            return d with { DhClientMinBits = d.DhClientMinBits with { Source = d.DhClientMinBits.Source with { Detail = d.ReleaseLabel + " (no DH update installed)" } } };
        (d, var source) = InstalledUpdates.Credit(d, p, AssumptionSlot.DhClientUpdate);
        return d with { DhClientMinBits = new(p.Change.Effect.DhClientMinBits!.Value, source) };
    }

    private static PolicyDraft Sha512(PolicyDraft d)
    {
        if (d.Sha512InTls12.Value) return d;
        var changes = d.Knowledge.Changes(d.Release, e => e.Sha512InTls12 == true);
        if (FirstInstalled(d, changes) is not { } p)
            return d with { Sha512InTls12 = d.Sha512InTls12 with { Source = d.Sha512InTls12.Source with { Detail = $"{d.ReleaseLabel}; none of {string.Join(", ", changes.Select(x => x.Update.Id))} installed" } } };
        (d, var source) = InstalledUpdates.Credit(d, p, AssumptionSlot.Sha512Update);
        d = d with { Sha512InTls12 = new(true, source) };
        return ReleaseStage.WithSignatureSchemes(d, "standard SCHANNEL signature_algorithms plus SHA-512 (update)");
    }

    /// <summary>The leading-zero fix: from the OS build and revision when known (cumulative updates), else from the update list.</summary>
    private static PolicyDraft LeadingZero(PolicyDraft d)
    {
        var lz = d.Release.DhLeadingZeroFixed;
        if (lz.Value) return d;
        var changes = d.Knowledge.Changes(d.Release, e => e.DhLeadingZeroFixed == true);
        // The machine's own revision first, then a listed fix, then the revision a listed cumulative update brings.
        var fromUpdates = InstalledUpdates.RevisionFromUpdates(d);
        var direct = changes.FirstOrDefault(c => d.Installed(c.Update.Id));
        if (lz.FixedInBuild is { } fb && d.Ubr is { } u && OsBuilds.AtLeast(d.Build, u, fb))
            d = d with { DhLeadingZeroFixed = new(true, new Source(Source.Input, $"OS build {d.Build}.{u} ≥ {fb}", lz.Source)) };
        else if (direct is null && lz.FixedInBuild is { } fb2 && d.Ubr is null && fromUpdates is { } rev && OsBuilds.AtLeast(d.Build, rev.Revision, fb2))
            d = d with { DhLeadingZeroFixed = new(true, new Source(Source.Update, $"{rev.Rollup.Kb} — {rev.Rollup.Describe()} ≥ {fb2}", $"{d.Knowledge.RollupsSource} {lz.Source}")) };
        else if (FirstInstalled(d, changes) is { } p)
        {
            (d, var source) = InstalledUpdates.Credit(d, p, AssumptionSlot.LeadingZeroUpdate);
            d = d with { DhLeadingZeroFixed = new(true, source) };
        }
        else if (!changes.IsEmpty)
            d = d with { DhLeadingZeroFixed = d.DhLeadingZeroFixed with { Source = d.DhLeadingZeroFixed.Source with { Detail = $"{d.ReleaseLabel}; none of {string.Join(", ", changes.Select(x => x.Update.Id))} installed" } } };
        return d.DhLeadingZeroFixed.Value ? d : d.Assume(AssumptionSlot.LeadingZeroModel, "dh-leading-zero-model");
    }
}
