using System.Collections.Immutable;
using TlsDoctor.Schannel.Knowledge;

namespace TlsDoctor.Schannel.Policy.Pipeline;

/// <summary>
/// Stage 2: the installed updates change the release defaults. Every change comes from updates.json; a fact is
/// credited to the first installed update that brings it (preferred updates first, then in the file's order).
/// </summary>
internal static class UpdateStage
{
    public static PolicyDraft Apply(PolicyDraft d)
    {
        d = InstalledSet(d);
        d = Protocols(d);
        d = Suites(d);
        d = DhMinimum(d);
        d = Sha512(d);
        return LeadingZero(d);
    }

    /// <summary>The given update list, or, when none is given, every known update of the release (an assumption).</summary>
    private static PolicyDraft InstalledSet(PolicyDraft d)
    {
        if (d.Inputs.Updates is { } given) return d with { Updates = [.. given.Select(u => u.ToUpperInvariant())], UpdatesKnown = true };
        return (d with { Updates = [.. d.Knowledge.Updates.Where(u => u.AppliesTo(d.Release)).Select(u => u.Id)], UpdatesKnown = false })
            .Assume(AssumptionSlot.Updates, "updates-unknown-assume-current");
    }

    private static UpdateChange? FirstInstalled(PolicyDraft d, ImmutableArray<UpdateChange> changes) => changes.FirstOrDefault(c => d.Installed(c.Update.Id));

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
                var installed = changes.Where(c => d.Installed(c.Update.Id));
                var change = installed.FirstOrDefault(c => c.Effect.Protocols.Any(x => x.TlsVersion == p.Version));
                if (change is null) { result.Add(p); continue; }
                var given = change.Effect.Protocols.First(x => x.TlsVersion == p.Version);
                (d, var source) = d.CreditUpdate(change.Update.Id, AssumptionSlot.Protocols);
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
        foreach (var c in d.Knowledge.Changes(d.Release, e => !e.AddsSuites.IsDefaultOrEmpty || !e.RemovesSuites.IsDefaultOrEmpty))
        {
            var installed = d.Installed(c.Update.Id);
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
        if (FirstInstalled(d, changes) is not { } c)
            return d with { DhClientMinBits = d.DhClientMinBits with { Source = d.DhClientMinBits.Source with { Detail = d.ReleaseLabel + " (no DH update installed)" } } };
        (d, var source) = d.CreditUpdate(c.Update.Id, AssumptionSlot.DhClientUpdate);
        return d with { DhClientMinBits = new(c.Effect.DhClientMinBits!.Value, source) };
    }

    private static PolicyDraft Sha512(PolicyDraft d)
    {
        if (d.Sha512InTls12.Value) return d;
        var changes = d.Knowledge.Changes(d.Release, e => e.Sha512InTls12 == true);
        if (FirstInstalled(d, changes) is not { } c)
            return d with { Sha512InTls12 = d.Sha512InTls12 with { Source = d.Sha512InTls12.Source with { Detail = $"{d.ReleaseLabel}; none of {string.Join(", ", changes.Select(x => x.Update.Id))} installed" } } };
        (d, var source) = d.CreditUpdate(c.Update.Id, AssumptionSlot.Sha512Update);
        d = d with { Sha512InTls12 = new(true, source) };
        return ReleaseStage.WithSignatureSchemes(d, "standard SCHANNEL signature_algorithms plus SHA-512 (update)");
    }

    /// <summary>The leading-zero fix: from the OS build and revision when known (cumulative updates), else from the update list.</summary>
    private static PolicyDraft LeadingZero(PolicyDraft d)
    {
        var lz = d.Release.DhLeadingZeroFixed;
        if (lz.Value) return d;
        var changes = d.Knowledge.Changes(d.Release, e => e.DhLeadingZeroFixed == true);
        if (lz.FixedInBuild is { } fb && d.Ubr is { } u && OsBuilds.AtLeast(d.Build, u, fb))
            d = d with { DhLeadingZeroFixed = new(true, new Source(Source.Input, $"OS build {d.Build}.{u} ≥ {fb}", lz.Source)) };
        else if (FirstInstalled(d, changes) is { } c)
        {
            (d, var source) = d.CreditUpdate(c.Update.Id, AssumptionSlot.LeadingZeroUpdate);
            d = d with { DhLeadingZeroFixed = new(true, source) };
        }
        else if (!changes.IsEmpty)
            d = d with { DhLeadingZeroFixed = d.DhLeadingZeroFixed with { Source = d.DhLeadingZeroFixed.Source with { Detail = $"{d.ReleaseLabel}; none of {string.Join(", ", changes.Select(x => x.Update.Id))} installed" } } };
        return d.DhLeadingZeroFixed.Value ? d : d.Assume(AssumptionSlot.LeadingZeroModel, "dh-leading-zero-model");
    }
}
