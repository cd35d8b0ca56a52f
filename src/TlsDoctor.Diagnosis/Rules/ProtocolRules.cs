using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Probe;
using TlsDoctor.Schannel.Knowledge;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Diagnosis;

/// <summary>Protocol remedies: the product setting (contiguity rule), tls.reg, the suite order.</summary>
public static class ProtocolRemedies
{
    private static readonly TlsVersion[] SettingOrder = [TlsVersion.SSLv3, TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2, TlsVersion.TLSv1_3];

    /// <summary>
    /// The product setting naming the contiguous run of versions (its contiguity rule) that ends at the highest good
    /// version; validated by ProductSetting.Parse. Null when no good version can be named.
    /// </summary>
    public static ProductSetting? Setting(IEnumerable<TlsVersion> good)
    {
        var set = good.Where(SettingOrder.Contains).ToHashSet();
        if (set.Count == 0) return null;
        var top = Array.IndexOf(SettingOrder, set.Max());
        var low = top;
        while (low > 0 && set.Contains(SettingOrder[low - 1]) && SettingOrder[low - 1] != TlsVersion.SSLv3) low--;
        var names = SettingOrder[low..(top + 1)].Select(ProductSetting.EnumName);
        return ProductSetting.TryParse(string.Join(", ", names), out var s, out _) ? s : null;
    }

    /// <summary>The product-setting remedy, with its risk and steps.</summary>
    /// <remarks>The previous value is recorded with its undo: a product setting has no .reg to restore it from.</remarks>
    public static Remedy ProductSettingRemedy(DiagnosisContext ctx, string key, ProductSetting setting, string why)
    {
        var before = ctx.Windows.Policy.ProductSetting?.Raw;
        var previous = before is null ? "(not set: the product uses the operating system's defaults)" : $"\"{before}\"";
        var undo = before is null ? $"Undo: clear {ProductSetting.Name} (leave it empty) and save." : $"Undo: set {ProductSetting.Name} back to: {before}";
        return ctx.WindowsRemedy(RemedyKind.ProductSetting, key,
            $"Set {ProductSetting.Name} = \"{setting.Raw}\" ({why})",
            ctx.Windows.WithProductSetting(setting),
            "The setting applies to every outbound connection of the Terminal Server: devices or services that need a version outside the list stop working (see side effects).",
            [
                $"Note the current value first; as far as TlsDoctor knows it is {previous}.",
                "Dispatcher Paragon management interface → System settings (Expert options).",
                $"Search for {ProductSetting.Name} and set it to: {setting.Raw}",
                "Save, then install the device again.",
                undo,
            ],
            [
                new RemedyFile("product-setting.txt", $"# previous value: {previous}\r\n{ProductSetting.Name}={setting.Raw}\r\n"),
                new RemedyFile("undo-product-setting.txt", before is null ? $"# {ProductSetting.Name} was not set: clear it\r\n{ProductSetting.Name}=\r\n" : $"{ProductSetting.Name}={before}\r\n"),
            ]);
    }

    /// <summary>tls.reg for a SCHANNEL role: enable the versions, disable SSL where it is enabled and not needed.</summary>
    public static Remedy? TlsReg(DiagnosisContext ctx, Side role, IEnumerable<TlsVersion> needed, string key)
    {
        var policy = ctx.Windows.Policy;
        var states = role == Side.Client ? policy.ClientProtocols : policy.ServerProtocols;
        var want = needed.ToHashSet();
        var enable = states.Where(s => want.Contains(s.Version) && s.State is ProtocolState.Disabled or ProtocolState.DisabledByDefault).Select(s => s.Version).ToList();
        if (enable.Count == 0) return null;
        var disable = states.Where(s => s.Version is TlsVersion.SSLv2 or TlsVersion.SSLv3 && !want.Contains(s.Version) && s.State == ProtocolState.Enabled).Select(s => s.Version).ToList();
        var change = RegistryRemedies.Protocols(role, enable, disable);
        var risk = enable.Any(v => v <= TlsVersion.TLSv1_1)
            ? $"Enables {Observed.Versions(enable)} machine-wide in the {role.Name()} role: deprecated versions are then offered to every peer."
            : $"Low: enables {Observed.Versions(enable)} in the {role.Name()} role machine-wide{(disable.Count > 0 ? $" and disables {Observed.Versions(disable)}" : "")}; check other peers that relied on {Observed.Versions(disable)}.";
        return ctx.RegistryRemedy(key, $"{(role == Side.Client ? "Outbound" : "Inbound")} SCHANNEL {role.Name()}: enable {Observed.Versions(enable)}{(disable.Count > 0 ? $", disable {Observed.Versions(disable)}" : "")} (tls.reg)",
            "tls.reg", change, risk,
            [$"Sets Protocols\\<version>\\{RegistryRemedies.RoleKey(role)}\\Enabled and DisabledByDefault (the vendor guide's tls.reg)."], restart: true);
    }

    /// <summary>ciphers.reg adding the release's own variants of the given suites to the suite order; null when Windows implements none of them.</summary>
    public static Remedy? SuiteOrder(DiagnosisContext ctx, IEnumerable<CipherSuite> peerSuites, TlsVersion? version, string key)
    {
        var policy = ctx.Windows.Policy;
        var wanted = peerSuites.Where(s => version is null || s.ValidIn(version.Value)).Select(s => s.Name).ToHashSet();
        var current = policy.CipherSuites.SelectMany(s => s.WindowsNames).ToList();
        var rows = policy.Release.CipherSuites.Enabled.Concat(policy.Release.CipherSuites.Supported)
            .Where(r => !r.ExplicitOnly && wanted.Contains(r.IanaName) && !current.Contains(r.WindowsName) && RegistryRemedies.Acceptable(r.WindowsName))
            .Select(r => r.WindowsName).Distinct().ToList();
        if (rows.Count == 0) return null;
        var names = current.Concat(rows).ToList();
        return ctx.RegistryRemedy(key, $"Add {string.Join(", ", rows)} to the cipher suite order (ciphers.reg)", "ciphers.reg", RegistryRemedies.SuiteOrder(names, rows),
            "Machine-wide, both roles: the added suites are offered to every peer, and they are usually ones Microsoft left out of the default list for a reason. A GPO (SSL Cipher Suite Order) may overwrite the value.",
            ["Sets the SSL cipher suite order policy (HKLM\\SOFTWARE\\Policies\\Microsoft\\Cryptography\\Configuration\\SSL\\00010002\\Functions) to the current order plus these suites."]);
    }

    public static bool Rc4Only(IEnumerable<CipherSuite> suites)
    {
        var list = suites.ToList();
        return list.Count > 0 && list.All(s => s.Cipher.StartsWith("RC4", StringComparison.OrdinalIgnoreCase));
    }

    public static IEnumerable<CipherSuite> PeerSuites(DiagnosisContext ctx) => ctx.Outbound
        ? ctx.Server.Protocols.Where(p => p.Supported).SelectMany(p => p.CipherSuites.Select(a => a.Suite)).DistinctBy(s => s.Code)
        : ctx.Client.CipherSuites;

    public static bool LegacyOnly(DiagnosisContext ctx)
    {
        var versions = ctx.PeerVersions.ToList();
        return versions.Count > 0 && versions.All(v => v <= TlsVersion.SSLv3) || Rc4Only(PeerSuites(ctx));
    }

    public static bool Tls13Only(DiagnosisContext ctx)
    {
        var versions = ctx.PeerVersions.ToList();
        if (versions.Count == 0 || versions.Any(v => v != TlsVersion.TLSv1_3)) return false;
        var states = ctx.Outbound ? ctx.Windows.Policy.ClientProtocols : ctx.Windows.Policy.ServerProtocols;
        return states.First(s => s.Version == TlsVersion.TLSv1_3).State == ProtocolState.NotSupported;
    }

    public static bool DotNetLimits(DiagnosisContext ctx)
    {
        var p = ctx.Windows.Policy;
        if (!ctx.Outbound || p.ProductSetting is not null || p.DotNet.Value == DotNetFramework.Net47Plus || p.SystemDefaultTlsVersions.Value) return false;
        if (p.OutboundVersions.Any(v => v.Value == TlsVersion.TLSv1_2)) return false;
        var tls12 = p.ClientProtocols.First(s => s.Version == TlsVersion.TLSv1_2).State;
        return tls12 is ProtocolState.Enabled or ProtocolState.DisabledByDefault && ctx.PeerVersions.Contains(TlsVersion.TLSv1_2);
    }
}

/// <summary>TD003: the device answers a version in ServerHello that it does not implement (or aborts on it), then the handshake fails.</summary>
public sealed class Tls12IntoleranceRule : IFindingRule
{
    public FindingDescriptor Descriptor => Findings.Tls12Intolerance;

    public IEnumerable<Finding> Analyze(DiagnosisContext ctx)
    {
        if (!ctx.Outbound || !ctx.Explains(Descriptor)) yield break;
        var fake = ctx.Outcome.Version;
        var completed = ctx.Server.Protocols.Where(p => p.FullHandshake is { Completed: true }).Select(p => p.Version).ToList();
        if (completed.Count == 0)
            completed = [.. ctx.Server.SupportedVersions.Where(v => !ctx.Server.Behaviours.Any(b => b.Kind == BehaviourKind.HandshakeFailsAfterHello && b.Version == v) && v < (fake ?? TlsVersion.TLSv1_3))];
        var evidence = new List<Evidence>();
        foreach (var b in ctx.Server.Behaviours.Where(b => b.Kind is BehaviourKind.HandshakeFailsAfterHello or BehaviourKind.VersionIntolerance))
            evidence.Add(Evidence.Probe($"{b.Kind.Name()}: {b.Detail}", b.AttemptIds.IsDefaultOrEmpty ? null : b.AttemptIds[0]));
        foreach (var p in ctx.Server.Protocols.Where(p => p.FullHandshake is not null))
            if (Observed.FullHandshake(ctx, p.Version) is { } e) evidence.Add(e);
        evidence.Add(Evidence.Policy($"Terminal Server outbound versions: {Observed.Versions(ctx.Windows.Policy.OutboundVersions.Select(v => v.Value))}"));
        evidence.Add(ctx.SimulationEvidence());

        var remedies = new List<Remedy>();
        var usable = completed.Where(v => ctx.Windows.Policy.ClientProtocols.Any(s => s.Version == v && s.State is ProtocolState.Enabled or ProtocolState.DisabledByDefault));
        if (ProtocolRemedies.Setting(usable) is { } setting)
            remedies.Add(ProtocolRemedies.ProductSettingRemedy(ctx, $"TD003:product-setting-{setting.Raw.Replace(" ", "")}", setting, "only the versions whose full handshake completed"));
        remedies.Add(WeakDhRule.DeviceRemedy("TD003:device-firmware", $"Update the device firmware or turn {fake?.Name() ?? "the failing version"} off on the device"));
        yield return ctx.Make(Descriptor,
            $"{ctx.Target} accepts {fake?.Name() ?? "a higher version"} in ServerHello but cannot complete it; {Observed.Versions(completed)} complete", evidence, remedies);
    }
}

/// <summary>TD005: no protocol version in common (a more specific finding — TD106, TD107, TD108 — replaces it: Findings.Precedence).</summary>
public sealed class NoCommonProtocolRule : IFindingRule
{
    public FindingDescriptor Descriptor => Findings.NoCommonProtocol;

    public IEnumerable<Finding> Analyze(DiagnosisContext ctx)
    {
        if (ctx.Explains(Descriptor)) yield return Report(ctx, null, []);
        else if (AssumedMinimum(ctx) is { } worst)
        {
            var max = worst.Client.Versions[0];
            var limit = ctx.Client.Limit(ClientLimits.MinVersion)!;
            yield return Report(worst, max,
            [
                Evidence.Capture($"the device's lowest version is assumed, not observed: {limit.Source}"),
                Evidence.Simulation($"as captured (accepting {Observed.Versions(ctx.Client.Versions)}) it connects: {ctx.Outcome.Explanation}"),
                Evidence.Capture($"settle it: {DiagnosisContext.LearnCommand}"),
            ]);
        }
    }

    // Inbound, from a hello whose minimum is only assumed: if the device accepted nothing below its maximum, would the
    // Terminal Server still share a version with it? (An `openssl s_client -tls1_2` device against 2008 R2.)
    private static DiagnosisContext? AssumedMinimum(DiagnosisContext ctx)
    {
        if (ctx.Outbound || !ctx.Client.IsAssumed(ClientLimits.MinVersion) || ctx.Client.MaxVersion is not { } max || ctx.Client.Versions.Length < 2) return null;
        var worst = ctx.WithClient(ctx.Client with { Versions = [max] });
        return worst.Explains(Findings.NoCommonProtocol) && !ProtocolRemedies.LegacyOnly(worst) && !ProtocolRemedies.Tls13Only(worst) ? worst : null;
    }

    // The fewest versions to enable, highest first: one version the device speaks that fixes the handshake alone,
    // so a device that also speaks TLS 1.2 is never the reason to turn TLS 1.0 back on machine-wide.
    private static (Remedy Remedy, List<TlsVersion> Enabled)? EnableRemedy(DiagnosisContext ctx, Side role, List<TlsVersion> needed)
    {
        foreach (var v in needed.OrderDescending())
            if (ProtocolRemedies.TlsReg(ctx, role, [v], Key(role, [v])) is { Fixes: true } single) return (single, [v]);
        return ProtocolRemedies.TlsReg(ctx, role, needed, Key(role, needed)) is { } all ? (all, needed) : null;
    }

    private static string Key(Side role, IEnumerable<TlsVersion> versions) => $"TD005:{role.Name()}-enable-{string.Join("-", versions.Select(v => v.Name()))}";

    // assumedMax: the device's maximum when the finding rests on the assumption that it accepts nothing lower (a warning).
    private Finding Report(DiagnosisContext ctx, TlsVersion? assumedMax, IEnumerable<Evidence> extra)
    {
        var policy = ctx.Windows.Policy;
        var role = ctx.Outbound ? Side.Client : Side.Server;
        var peer = ctx.PeerVersions.ToList();
        var windows = ctx.Outbound ? policy.OutboundVersions.Select(v => v.Value) : policy.InboundVersions.Select(v => v.Value);
        var evidence = new List<Evidence>
        {
            ctx.Outbound ? Evidence.Probe($"the device accepts {Observed.Versions(peer)}", ctx.AttemptId(ProbeStep.Versions))
                         : Evidence.Capture($"the device offers {Observed.Versions(peer)}" + (ctx.Client.Limit(ClientLimits.MinVersion) is { Basis: LimitBasis.Observed } seen ? $" (lowest observed: {seen.Source})" : "")),
            Evidence.Policy($"the Terminal Server {(ctx.Outbound ? "offers outbound" : "accepts inbound")}: {Observed.Versions(windows)}"),
        };
        foreach (var s in (ctx.Outbound ? policy.ClientProtocols : policy.ServerProtocols).Where(s => peer.Contains(s.Version)))
            evidence.Add(Evidence.Policy($"SCHANNEL {role.Name()} {s.Version.Name()}: {s.State.Name()} ({s.Source})"));
        evidence.Add(ctx.SimulationEvidence());

        var remedies = new List<Remedy>();
        var needed = peer.Where(v => v >= TlsVersion.TLSv1_0).ToList();
        if (EnableRemedy(ctx, role, needed) is { } reg)
        {
            remedies.Add(reg.Remedy);
            needed = reg.Enabled;
        }
        if (ctx.Outbound && policy.ProductSetting is { IsSystemDefault: false } current)
        {
            // Only the highest version SCHANNEL already allows, for the same reason as above.
            var usable = needed.Where(v => policy.ClientProtocols.Any(s => s.Version == v && s.State is ProtocolState.Enabled or ProtocolState.DisabledByDefault));
            var want = current.Versions.Concat(usable.OrderDescending().Take(1));
            if (ProtocolRemedies.Setting(want) is { } setting && setting.Raw != current.Raw)
                remedies.Add(ProtocolRemedies.ProductSettingRemedy(ctx, $"TD005:product-setting-{setting.Raw.Replace(" ", "")}", setting, "adds the versions the device needs"));
        }
        remedies.Add(WeakDhRule.DeviceRemedy("TD005:device", $"Enable {Observed.Versions(windows)} on the device, if its firmware can"));
        evidence.AddRange(extra);
        return assumedMax is { } m
            ? ctx.Make(Descriptor,
                $"Possibly no common protocol version: if the device accepts only {m.Name()} (its minimum is assumed, not observed), the Terminal Server, which accepts {Observed.Versions(windows)}, shares none with it",
                evidence, remedies, Severity.Warning)
            : ctx.Make(Descriptor,
                $"No common protocol version: the device speaks {Observed.Versions(peer)}, the Terminal Server {(ctx.Outbound ? "offers" : "accepts")} {Observed.Versions(windows)}", evidence, remedies);
    }
}

/// <summary>TD107: a TLS 1.3-only device against a Windows release without TLS 1.3.</summary>
public sealed class Tls13OnlyRule : IFindingRule
{
    public FindingDescriptor Descriptor => Findings.Tls13OnlyDevice;

    public IEnumerable<Finding> Analyze(DiagnosisContext ctx)
    {
        if (ctx.Outcome.Healthy || !ProtocolRemedies.Tls13Only(ctx)) yield break;
        var policy = ctx.Windows.Policy;
        var evidence = new List<Evidence>
        {
            ctx.Outbound ? Evidence.Probe("the device accepts TLSv1.3 only", ctx.AttemptId(ProbeStep.Versions)) : Evidence.Capture("the device offers TLSv1.3 only"),
            Evidence.Policy($"{policy.Release.Name} does not implement TLS 1.3 (Windows Server 2022 is the first server release with it)"),
            ctx.SimulationEvidence(),
        };
        var remedies = new List<Remedy>();
        var k = SchannelKnowledge.Default;
        if (k.Releases.FirstOrDefault(r => r.Id == "2022") is { } r2022)
            remedies.Add(ctx.WindowsRemedy(RemedyKind.WindowsUpdate, "TD107:upgrade-2022", "Run the Terminal Server on Windows Server 2022 or later (TLS 1.3)",
                ctx.Windows.WithRelease(r2022), "An operating system upgrade or migration; plan it as such.",
                ["Migrate the Terminal Server to Windows Server 2022 or 2025.", "Run tlsdoctor diagnose again with --os 2022 to check the other devices."]));
        remedies.Add(WeakDhRule.DeviceRemedy("TD107:device-tls12", "Enable TLS 1.2 on the device (most devices that speak TLS 1.3 can be configured to accept TLS 1.2)"));
        yield return ctx.Make(Descriptor, $"The device speaks only TLS 1.3; {policy.Release.Name} has no TLS 1.3", evidence, remedies);
    }
}

/// <summary>TD106: a device that speaks only SSLv3 (or SSLv2), or only RC4 suites.</summary>
public sealed class LegacyOnlyRule : IFindingRule
{
    public FindingDescriptor Descriptor => Findings.LegacyOnlyDevice;

    public IEnumerable<Finding> Analyze(DiagnosisContext ctx)
    {
        if (!ctx.Explains(Descriptor) || !ProtocolRemedies.LegacyOnly(ctx)) yield break;
        var peer = ctx.PeerVersions.ToList();
        var suites = ProtocolRemedies.PeerSuites(ctx).ToList();
        var sslOnly = peer.All(v => v <= TlsVersion.SSLv3);
        var evidence = new List<Evidence>
        {
            (ctx.Outbound ? (Func<string, Evidence>)(t => Evidence.Probe(t, ctx.AttemptId(ProbeStep.Versions))) : Evidence.Capture)(
                $"the device speaks {Observed.Versions(peer)} with {string.Join(", ", suites.Select(s => s.Name))}"),
            Evidence.Policy($"the Terminal Server {(ctx.Outbound ? "offers" : "accepts")} {Observed.Versions(ctx.Outbound ? ctx.Windows.Policy.OutboundVersions.Select(v => v.Value) : ctx.Windows.Policy.InboundVersions.Select(v => v.Value))}; strong crypto: {((ctx.Outbound ? ctx.Windows.Policy.StrongCrypto : ctx.Windows.Policy.InboundStrongCrypto).Value ? "on (no RC4)" : "off")}"),
            ctx.SimulationEvidence(),
        };
        var remedies = new List<Remedy>();
        var role = ctx.Outbound ? Side.Client : Side.Server;
        if (sslOnly && ProtocolRemedies.TlsReg(ctx, role, [TlsVersion.SSLv3], "TD106:enable-ssl3") is { } reg)
            remedies.Add(reg with { Risk = "SSL 3.0 is broken (POODLE) and enabled machine-wide in that role: every peer may be downgraded to it. Use only on an isolated network until the device is replaced." });
        if (!sslOnly && ProtocolRemedies.SuiteOrder(ctx, suites, null, "TD106:enable-rc4") is { } rc4)
            remedies.Add(rc4 with { Risk = "RC4 is broken (RFC 7465 prohibits it); enabling it machine-wide weakens every connection that negotiates it." });
        remedies.Add(WeakDhRule.DeviceRemedy("TD106:device-replace", "Update the device firmware to support TLS 1.0+ with AES, or replace the device"));
        yield return ctx.Make(Descriptor,
            sslOnly ? $"The device speaks only {Observed.Versions(peer)}, which the Terminal Server no longer uses" : "The device offers only RC4 cipher suites, which the Terminal Server no longer uses",
            evidence, remedies);
    }
}

/// <summary>TD108: a .NET Framework application (before 4.7, without SystemDefaultTlsVersions / SchUseStrongCrypto) does not offer TLS 1.2.</summary>
public sealed class DotNetNoTls12Rule : IFindingRule
{
    public FindingDescriptor Descriptor => Findings.DotNetNoTls12;

    public IEnumerable<Finding> Analyze(DiagnosisContext ctx)
    {
        if (!ProtocolRemedies.DotNetLimits(ctx)) yield break;
        var p = ctx.Windows.Policy;
        var evidence = new List<Evidence>
        {
            Evidence.Policy($".NET Framework {p.DotNet.Value.Id()} ({p.DotNet.Source}); SchUseStrongCrypto = {(p.SchUseStrongCrypto.Value ? 1 : 0)} ({p.SchUseStrongCrypto.Source}); SystemDefaultTlsVersions = {(p.SystemDefaultTlsVersions.Value ? 1 : 0)} ({p.SystemDefaultTlsVersions.Source})"),
            Evidence.Policy($"the Terminal Server offers outbound: {Observed.Versions(p.OutboundVersions.Select(v => v.Value))}, although SCHANNEL's client has TLS 1.2 {p.ClientProtocols.First(s => s.Version == TlsVersion.TLSv1_2).State.Name()}"),
            Evidence.Probe($"the device accepts {Observed.Versions(ctx.PeerVersions)}", ctx.AttemptId(ProbeStep.Versions)),
            ctx.SimulationEvidence(),
        };
        var remedies = new List<Remedy>
        {
            ctx.RegistryRemedy("TD108:dotnet-strong-crypto", "Let .NET Framework applications use the system's TLS versions and strong crypto (dotnet.reg: SchUseStrongCrypto=1, SystemDefaultTlsVersions=1)",
                "dotnet.reg", RegistryRemedies.DotNetStrongCrypto(),
                "Every .NET Framework 4 application on this machine then offers TLS 1.2 and drops RC4/3DES-era suites; very old peers that need those stop working.",
                ["Sets HKLM\\SOFTWARE\\(Wow6432Node\\)Microsoft\\.NETFramework\\v4.0.30319 SchUseStrongCrypto and SystemDefaultTlsVersions to 1."]),
        };
        var want = p.OutboundVersions.Select(v => v.Value).Append(TlsVersion.TLSv1_2);
        if (ProtocolRemedies.Setting(want) is { } setting)
            remedies.Add(ProtocolRemedies.ProductSettingRemedy(ctx, $"TD108:product-setting-{setting.Raw.Replace(" ", "")}", setting, "the application asks for TLS 1.2 explicitly"));
        yield return ctx.Make(Descriptor,
            ctx.Outcome.Healthy ? $"The Terminal Server does not offer TLS 1.2 (.NET Framework {p.DotNet.Value.Id()} defaults); the device would use it"
                                : $"The device needs TLS 1.2, which the Terminal Server does not offer (.NET Framework {p.DotNet.Value.Id()} defaults)",
            evidence, remedies, ctx.Outcome.Healthy ? Severity.Warning : null);
    }
}

/// <summary>TD101: no cipher suite in common in the negotiated version.</summary>
public sealed class NoCommonCipherSuiteRule : IFindingRule
{
    public FindingDescriptor Descriptor => Findings.NoCommonCipherSuite;

    public IEnumerable<Finding> Analyze(DiagnosisContext ctx)
    {
        if (!ctx.Explains(Descriptor)) yield break;
        var v = ctx.Outcome.Version;
        var peer = ProtocolRemedies.PeerSuites(ctx).Where(s => v is null || s.ValidIn(v.Value)).ToList();
        var windows = ctx.Outbound ? ctx.Client.CipherSuites.Where(s => v is null || s.ValidIn(v.Value)).ToList()
            : ctx.Server.For(v ?? TlsVersion.TLSv1_2)?.CipherSuites.Select(a => a.Suite).ToList() ?? [];
        var evidence = new List<Evidence>
        {
            (ctx.Outbound ? (Func<string, Evidence>)(t => Evidence.Probe(t, (v is { } sv ? ctx.AttemptId(ProbeStep.Suites, sv) : null))) : Evidence.Capture)(
                $"the device {(ctx.Outbound ? "accepts" : "offers")} in {v?.Name()}: {string.Join(", ", peer.Select(s => s.Name))}"),
            Evidence.Policy($"the Terminal Server {(ctx.Outbound ? "offers" : "accepts")} in {v?.Name()}: {string.Join(", ", windows.Select(s => s.Name))}"),
            ctx.SimulationEvidence(),
        };
        var remedies = new List<Remedy>();
        if (ProtocolRemedies.SuiteOrder(ctx, peer, v, "TD101:suite-order") is { } order) remedies.Add(order);
        remedies.Add(WeakDhRule.DeviceRemedy("TD101:device-suites", "Enable an ECDHE-RSA AES-GCM or RSA AES suite on the device"));
        yield return ctx.Make(Descriptor, $"No cipher suite in common in {v?.Name()}", evidence, remedies);
    }
}

/// <summary>TD110: the simulated handshake fails and no rule of the catalogue names the cause (a device that breaks the protocol in a new way).</summary>
public static class UnexplainedFailureRule
{
    public static Finding Report(DiagnosisContext ctx)
    {
        var o = ctx.Outcome;
        var evidence = new List<Evidence> { ctx.SimulationEvidence() };
        if (ctx.Scan is not null)
            evidence.Add(Evidence.Probe($"the scan's behaviours: {(ctx.Server.Behaviours.IsDefaultOrEmpty ? "none" : string.Join(", ", ctx.Server.Behaviours.Select(b => b.Kind.Name()).Distinct()))}"));
        return ctx.Make(Findings.UnexplainedFailure,
            $"The handshake with {ctx.Target} is predicted to fail ({o.Reason!.Value.Name()}), and no finding of the catalogue explains it",
            evidence,
            [WeakDhRule.DeviceRemedy("TD110:device", "Check the device's TLS settings and firmware; the scan's attempts (scan -v) show where it breaks")]);
    }
}
