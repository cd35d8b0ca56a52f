using System.Collections.Immutable;
using TlsDoctor.Core;

namespace TlsDoctor.Schannel.Policy;

/// <summary>The document `policy show --json` prints (camelCase with the CLI's web defaults).</summary>
public sealed record PolicyReport(
    PolicyReportOs Os,
    ImmutableArray<PolicyReportUpdate> Updates,
    PolicyReportRole Client,
    PolicyReportRole Server,
    PolicyReportDotNet Dotnet,
    PolicyReportProductSetting ProductSetting,
    ImmutableArray<PolicyReportAssumption> Assumptions,
    ImmutableArray<string> Warnings);

/// <summary>Release, build and whether the build was mapped to the nearest release.</summary>
public sealed record PolicyReportOs(string Name, int Build, int? Ubr, string Release, string ClientName);

/// <summary>An installed (or assumed installed) update and what it changes.</summary>
public sealed record PolicyReportUpdate(string Id, string? Title, ImmutableArray<string> Effects, string? Source, bool Assumed);

/// <summary>One role (client = outbound, server = inbound port 5012).</summary>
/// <param name="DhMinBits">Client role: smallest DH group accepted.</param>
/// <param name="DhBits">Server role: DH group size used.</param>
/// <param name="Protocols">Every version: SCHANNEL state, whether the Terminal Server uses it, and why.</param>
/// <param name="CipherSuites">Suites the Terminal Server uses in this role, in priority order.</param>
public sealed record PolicyReportRole(
    ImmutableArray<PolicyReportProtocol> Protocols,
    ImmutableArray<PolicyReportSuite> CipherSuites,
    ImmutableArray<string> Groups,
    string GroupsSource,
    ImmutableArray<string> SignatureSchemes,
    int? DhMinBits,
    int? DhMaxBits,
    int? DhBits,
    string DhSource,
    int? RsaMinBits,
    bool? Sha512InTls12,
    string? Sha512InTls12Source,
    bool DhLeadingZeroFixed,
    string DhLeadingZeroSource,
    bool StrongCrypto,
    string StrongCryptoSource);

/// <summary>A version's state in a role ("enabled", "disabled-by-default", "disabled", "not-supported").</summary>
/// <param name="Used">True when the Terminal Server offers (client) or accepts (server) it.</param>
public sealed record PolicyReportProtocol(string Version, string State, string Source, bool Used, string? UsedBecause);

/// <summary>A suite by IANA name, the Windows strings behind it and the versions it is used in.</summary>
public sealed record PolicyReportSuite(string Name, string Code, ImmutableArray<string> WindowsNames, ImmutableArray<string> Versions, bool StrongCrypto, string Source);

/// <summary>.NET Framework settings and the protocol choice they lead to.</summary>
public sealed record PolicyReportDotNet(
    string Framework,
    string FrameworkSource,
    bool SchUseStrongCrypto,
    string SchUseStrongCryptoSource,
    bool SystemDefaultTlsVersions,
    string SystemDefaultTlsVersionsSource,
    bool ExplicitVersions,
    string ExplicitVersionsSource);

/// <summary>The product setting securityProtocolTypesForOutboundCommunication.</summary>
public sealed record PolicyReportProductSetting(string Name, string? Value, ImmutableArray<string> Versions, string Effect);

/// <summary>A named assumption the policy relies on.</summary>
public sealed record PolicyReportAssumption(string Id, string Text, string Ref);

/// <summary>Turns a policy into its report.</summary>
public static class PolicyReports
{
    /// <summary>An installed update: a known fix with its effects, a rollup with the fixes it contains, or an unknown KB.</summary>
    private static PolicyReportUpdate Update(Knowledge.SchannelKnowledge k, SchannelPolicy p, string id)
    {
        if (k.Update(id) is { } u) return new(u.Id, u.Title, [.. u.Effects.Where(e => e.AppliesTo(p.Release)).Select(e => e.Id)], u.Source, !p.UpdatesKnown);
        if (k.Rollup(p.Release, id) is { } r)
            return new(r.Kb, $"{char.ToUpperInvariant(r.Kind[0])}{r.Describe()[1..]} for {p.Release.Name}",
                [.. k.ContainedIn(r, p.Release, e => e.Id != "informational").Select(c => c.Effect.Id).Distinct()], k.RollupsSource, !p.UpdatesKnown);
        return new(id, null, [], null, !p.UpdatesKnown);
    }

    /// <summary>The JSON-ready report of a policy.</summary>
    public static PolicyReport ToReport(this SchannelPolicy p)
    {
        var k = Knowledge.SchannelKnowledge.Default;
        var effective = p.EffectiveSuites.ToList();
        var inboundSuites = p.InboundSuites.ToList();
        var outbound = p.OutboundVersions.ToDictionary(v => v.Value);
        var inbound = p.InboundVersions.ToDictionary(v => v.Value);
        PolicyReportSuite Suite(PolicySuite s, ICollection<TlsVersion> used) => new(
            s.Suite.Name, s.Suite.Hex, s.WindowsNames, [.. s.Versions.Where(used.Contains).Select(v => v.Name())], s.StrongCrypto, s.Source.ToString());
        var groups = p.Groups.Select(g => g.Value.Name).ToImmutableArray();
        var groupsSource = p.Groups.IsEmpty ? "none" : p.Groups[0].Source.ToString();

        var client = new PolicyReportRole(
            [.. p.ClientProtocols.Select(c => new PolicyReportProtocol(c.Version.Name(), c.State.Name(), c.Source.ToString(),
                outbound.ContainsKey(c.Version), outbound.TryGetValue(c.Version, out var o) ? o.Source.ToString() : null))],
            [.. effective.Where(s => s.Versions.Any(outbound.ContainsKey)).Select(s => Suite(s, outbound.Keys))],
            groups, groupsSource,
            [.. p.SignatureSchemes.Select(s => s.Name)],
            p.DhClientMinBits.Value, p.DhClientMaxBits.Value, null,
            p.DhClientMinBits.Source.ToString(),
            p.RsaClientMinBits.Value,
            p.Sha512InTls12.Value, p.Sha512InTls12.Source.ToString(),
            p.DhLeadingZeroFixed.Value, p.DhLeadingZeroFixed.Source.ToString(),
            p.StrongCrypto.Value, p.StrongCrypto.Source.ToString());
        var server = new PolicyReportRole(
            [.. p.ServerProtocols.Select(c => new PolicyReportProtocol(c.Version.Name(), c.State.Name(), c.Source.ToString(),
                inbound.ContainsKey(c.Version), inbound.ContainsKey(c.Version) ? "SCHANNEL system default (inbound)" : null))],
            [.. inboundSuites.Where(s => s.Versions.Any(inbound.ContainsKey)).Select(s => Suite(s, inbound.Keys))],
            groups, groupsSource,
            [.. p.SignatureSchemes.Select(s => s.Name)],
            null, null, p.DhServerBits.Value, p.DhServerBits.Source.ToString(),
            null, null, null,
            p.DhLeadingZeroFixed.Value, p.DhLeadingZeroFixed.Source.ToString(),
            p.InboundStrongCrypto.Value, p.InboundStrongCrypto.Source.ToString());

        var setting = p.ProductSetting;
        var effect = setting is null
            ? "not set: outbound versions follow the .NET Framework behaviour (assumption product-setting-default)"
            : setting.IsSystemDefault ? "SystemDefault: the operating system chooses"
            : $"outbound versions limited to {string.Join(", ", setting.Versions.Select(v => v.Name()))}; requested explicitly, so versions that are only disabled by default are used";

        return new PolicyReport(
            new PolicyReportOs(p.Release.Name, p.Build, p.Ubr, p.Release.Id, p.Release.ClientName),
            [.. p.Updates.Select(id => Update(k, p, id))],
            client,
            server,
            new PolicyReportDotNet(p.DotNet.Value.Id(), p.DotNet.Source.ToString(),
                p.SchUseStrongCrypto.Value, p.SchUseStrongCrypto.Source.ToString(),
                p.SystemDefaultTlsVersions.Value, p.SystemDefaultTlsVersions.Source.ToString(),
                p.OutboundExplicit.Value, p.OutboundExplicit.Source.ToString()),
            new PolicyReportProductSetting(ProductSetting.Name, setting?.Raw, [.. (setting?.Versions ?? []).Select(v => v.Name())], effect),
            [.. p.Assumptions.Select(a => new PolicyReportAssumption(a.Id, a.Text, a.Ref))],
            p.Warnings);
    }
}
