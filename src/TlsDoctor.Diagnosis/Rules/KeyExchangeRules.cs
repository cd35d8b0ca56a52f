using TlsDoctor.Probe;
using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Schannel.Knowledge;
using TlsDoctor.Schannel.Policy;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Diagnosis;

/// <summary>Evidence helpers shared by the rules.</summary>
internal static class Observed
{
    /// <summary>"TLSv1.0: TLS_DHE_RSA_WITH_AES_256_CBC_SHA (DH 512), …" for the DHE suites a scanned server accepts.</summary>
    public static IEnumerable<Evidence> DheSuites(DiagnosisContext ctx)
    {
        foreach (var p in ctx.Server.Protocols.Where(p => p.Supported))
        {
            var dhe = p.CipherSuites.Where(a => a.Suite.KeyExchange.IsFiniteFieldDh()).ToList();
            if (dhe.Count == 0) continue;
            yield return Evidence.Probe($"{p.Version.Name()}: {string.Join(", ", dhe.Select(a => $"{a.Suite.Name} (DH {a.DhBits?.ToString() ?? "?"}{(a.DhBitsWithFfdhe is { } f ? $", {f} with FFDHE offered" : "")})"))}",
                ctx.SuiteAttemptId(p.Version, dhe[0].Suite));
        }
    }

    /// <summary>The full handshake of a version as evidence, when the scan made one.</summary>
    public static Evidence? FullHandshake(DiagnosisContext ctx, TlsVersion v)
    {
        var h = ctx.Server.For(v)?.FullHandshake;
        if (h is null) return null;
        return Evidence.Probe(h.Completed
            ? $"full {v.Name()} handshake completed with {h.CipherSuite}{(h.DhBits is { } d ? $" (DH {d})" : "")}"
            : $"full {v.Name()} handshake stopped at {h.Stage.Name()}{(h.Alert is { } a ? $", {(h.AlertSentByUs ? "we sent" : "the device sent")} {a.Name()}" : "")}{(h.Error is { } e ? $" ({e})" : "")}",
            ctx.HandshakeAttemptId(v));
    }

    public static string Versions(IEnumerable<TlsVersion> versions)
    {
        var s = string.Join(", ", versions.Order().Select(v => v.Name()));
        return s.Length == 0 ? "none" : s;
    }
}

/// <summary>TD001: the device's DHE group is below the SCHANNEL client minimum.</summary>
public sealed class WeakDhRule : IFindingRule
{
    public FindingDescriptor Descriptor => Findings.WeakDh;

    public IEnumerable<Finding> Analyze(DiagnosisContext ctx)
    {
        if (!ctx.Outbound || !ctx.Explains(Descriptor)) yield break;
        var bits = ctx.Outcome.KeyExchangeBits ?? ctx.Server.Protocols.SelectMany(p => p.CipherSuites).Where(a => a.DhBits is not null).Min(a => a.DhBits) ?? 0;
        var policy = ctx.Windows.Policy;
        var evidence = new List<Evidence>();
        evidence.AddRange(Observed.DheSuites(ctx));
        if (ctx.Outcome.Version is { } v && Observed.FullHandshake(ctx, v) is { } fh) evidence.Add(fh);
        evidence.Add(Evidence.Policy($"SCHANNEL client minimum DH size: {policy.DhClientMinBits.Value} bits ({policy.DhClientMinBits.Source})"));
        evidence.Add(ctx.SimulationEvidence());

        var remedies = new List<Remedy>
        {
            ctx.RegistryRemedy($"TD001:client-min-dh-{bits}", $"Lower the SCHANNEL client DH minimum to {bits} bits (dh.reg, ClientMinKeyBitLength={RegistryRemedies.DWordText(bits)})",
                "dh.reg", RegistryRemedies.ClientMinDh(bits),
                $"Every outbound TLS connection of this machine then accepts {bits}-bit DH groups, which can be broken (Logjam); use it only for this device and plan a firmware update.",
                [$"The vendor guide's fix: HKLM\\…\\KeyExchangeAlgorithms\\Diffie-Hellman\\ClientMinKeyBitLength = {RegistryRemedies.DWordText(bits)} ({bits})."]),
        };
        var disable = ctx.RegistryRemedy("TD001:disable-dh", "Disable Diffie-Hellman key exchange so the device picks another suite (dh-disable.reg)",
            "dh-disable.reg", RegistryRemedies.DisableDh(),
            "Machine-wide, client and server: no DHE suite is offered or accepted any more; peers that speak only DHE fail, others lose forward secrecy when they fall back to RSA key exchange.",
            ["HKLM\\…\\KeyExchangeAlgorithms\\Diffie-Hellman\\Enabled = 0."]);
        if (disable.Fixes) remedies.Add(disable);
        remedies.Add(DeviceRemedy($"TD001:device-dh-2048", "Update the device firmware or configure a DH group of 2048 bits (or ECDHE) on the device"));
        // Server 2016 and later raised the minimum on purpose (Logjam): weakening it machine-wide is the last resort there, never the first advice.
        if (policy.Release.Build >= Windows2016Build) remedies.Add(remedies[0]);
        if (policy.Release.Build >= Windows2016Build) remedies.RemoveAt(0);
        yield return ctx.Make(Descriptor,
            $"{ctx.Target} uses a {bits}-bit DH group; {ctx.Windows.Policy.Release.Name} requires at least {policy.DhClientMinBits.Value} bits",
            evidence, remedies);
    }

    /// <summary>Build of Windows Server 2016 (and Windows 10 1607).</summary>
    private const int Windows2016Build = 14393;

    internal static Remedy DeviceRemedy(string key, string title) =>
        new(RemedyKind.Device, title, key, [], "None on the Windows side; needs the device vendor's firmware or settings.", ["Check the device's administration page or the vendor's firmware notes."], null, []);
}

/// <summary>TD103: the DH group is larger than the client handles (an old device connecting inbound, or a Windows maximum).</summary>
public sealed class DhTooLargeRule : IFindingRule
{
    public FindingDescriptor Descriptor => Findings.DhTooLarge;

    public IEnumerable<Finding> Analyze(DiagnosisContext ctx)
    {
        if (!ctx.Explains(Descriptor)) yield break;
        var bits = ctx.Outcome.KeyExchangeBits;
        var max = ctx.Client.DhMaxBits;
        var evidence = new List<Evidence>
        {
            ctx.Outbound
                ? Evidence.Policy($"SCHANNEL client maximum DH size: {ctx.Windows.Policy.DhClientMaxBits.Value} bits ({ctx.Windows.Policy.DhClientMaxBits.Source})")
                : Evidence.Capture($"the device handles DH groups of at most {max} bits" + (ctx.Client.Limit(ClientLimits.DhMaxBits) is { } l ? $" ({l.Basis.Name()}: {l.Source})" : "")),
            ctx.Outbound ? Evidence.Probe($"the device's DH group has {bits} bits") : Evidence.Policy($"SCHANNEL server DH group: {ctx.Windows.Policy.DhServerBits.Value} bits ({ctx.Windows.Policy.DhServerBits.Source})"),
            ctx.SimulationEvidence(),
        };
        var remedies = new List<Remedy>();
        if (ctx.Outbound)
        {
            var change = new RegDocument([new RegKeyBlock(RegistryPaths.DiffieHellman, false, [RegValueLine.Remove("ClientMaxKeyBitLength")])]);
            remedies.Add(ctx.RegistryRemedy("TD103:remove-client-max-dh", "Remove the SCHANNEL client DH maximum (dh-max.reg)", "dh-max.reg", change,
                "Low: the default has no maximum.", ["Deletes HKLM\\…\\Diffie-Hellman\\ClientMaxKeyBitLength."]));
        }
        else if (max is { } m)
        {
            remedies.Add(ctx.RegistryRemedy($"TD103:server-dh-{m}", $"Make the SCHANNEL server use a {m}-bit DH group (dh-server.reg)", "dh-server.reg", RegistryRemedies.ServerDh(m),
                $"Every client of this machine that negotiates DHE gets a {m}-bit group{(m < 2048 ? ", weaker than the 2048-bit default" : "")}.",
                [$"HKLM\\…\\Diffie-Hellman\\ServerMinKeyBitLength = {RegistryRemedies.DWordText(m)}."]));
        }
        remedies.Add(ctx.RegistryRemedy("TD103:disable-dh", "Disable Diffie-Hellman key exchange so another suite is used (dh-disable.reg)", "dh-disable.reg",
            RegistryRemedies.DisableDh(), "Machine-wide, client and server: no DHE suite any more.", ["HKLM\\…\\Diffie-Hellman\\Enabled = 0."]));
        yield return ctx.Make(Descriptor, $"The DH group has {bits} bits; the client handles at most {max?.ToString() ?? "less"}", evidence, remedies);
    }
}

/// <summary>TD002: the leading zero of the DH shared secret is stripped by one side and kept by the other.</summary>
public sealed class BrokenDhRule : IFindingRule
{
    public FindingDescriptor Descriptor => Findings.BrokenDh;

    public IEnumerable<Finding> Analyze(DiagnosisContext ctx)
    {
        if (!ctx.Outbound) yield break;
        var proof = ctx.Proof;
        var deviceBug = proof?.Verdict == LeadingZeroVerdict.Proven || ctx.Server.Has(BehaviourKind.DhLeadingZeroBug);
        var intermittent = ctx.Explains(Descriptor);
        var stressFailed = proof?.StressFailures is > 0;
        if (!deviceBug && !intermittent && !stressFailed) yield break;

        var policy = ctx.Windows.Policy;
        var evidence = new List<Evidence>();
        if (proof is not null)
        {
            foreach (var h in proof.Handshakes)
                evidence.Add(Evidence.Probe($"{h.Mode} handshake ({h.Version?.Name() ?? "?"}, {h.CipherSuite ?? "no suite"}, DH {h.DhBits?.ToString() ?? "?"}): " +
                    (h.Completed ? "completed" : $"stopped at {h.Stage.Name()}{(h.Alert is { } a ? $", {(h.AlertFromServer ? "the device sent" : "we sent")} {a.Name()}" : "")}") +
                    $"; shared secret leading zero: {(h.SharedSecretHadLeadingZero ? "yes" : "no")}, client public leading zero: {(h.ClientPublicHadLeadingZero ? "yes" : "no")}",
                    h.AttemptId));
            if (proof.StressHandshakes is { } n)
                evidence.Add(Evidence.Probe($"{n} random DHE handshakes: {proof.StressFailures} failed (a broken peer fails about 1 in 256)"));
            evidence.Add(Evidence.Probe(proof.Verdict switch
            {
                LeadingZeroVerdict.Proven => "proof: the handshake fails exactly when the shared secret starts with 0x00 — the device keeps the zero byte that RFC 5246 §8.1.2 says to strip",
                LeadingZeroVerdict.Cleared => "proof: the device handles a shared secret with a leading zero correctly",
                _ => "proof: inconclusive (the forced handshake failed for another reason as well)",
            }, proof.Handshakes.FirstOrDefault()?.AttemptId));
        }
        evidence.Add(Evidence.Policy($"Windows strips the leading zero: {(policy.DhLeadingZeroFixed.Value ? "yes" : "no")} ({policy.DhLeadingZeroFixed.Source})"));
        evidence.Add(ctx.SimulationEvidence());

        var dheUsed = ctx.Outcome.KeyExchange is { } kx && kx.IsFiniteFieldDh();
        Severity severity;
        string title;
        if (intermittent)
        {
            severity = Severity.Error;
            title = deviceBug
                ? $"{ctx.Target} keeps the leading zero of the DH shared secret; Windows strips it: about 1 in 256 handshakes fail with bad_record_mac"
                : $"{policy.Release.Name} does not strip the leading zero of the DH shared secret; the device does: about 1 in 256 handshakes fail";
        }
        else if (deviceBug && dheUsed)
        {
            severity = Severity.Warning;
            title = $"{ctx.Target} keeps the leading zero of the DH shared secret; it works with {policy.Release.Name} only because that Windows makes the same mistake (it breaks once Windows is updated or replaced)";
        }
        else if (stressFailed && !deviceBug)
        {
            severity = Severity.Warning;
            title = $"{ctx.Target}: {proof!.StressFailures} of {proof.StressHandshakes} random DHE handshakes failed";
        }
        else
        {
            severity = Severity.Info;
            title = $"{ctx.Target} keeps the leading zero of the DH shared secret, but Windows does not negotiate DHE with it";
        }

        var remedies = new List<Remedy>
        {
            ctx.RegistryRemedy("TD002:disable-dh", "Disable Diffie-Hellman key exchange (dh-disable.reg)", "dh-disable.reg", RegistryRemedies.DisableDh(),
                "Machine-wide, client and server: no DHE suite is offered or accepted any more; every peer that speaks only DHE fails, others fall back to ECDHE or RSA key exchange.",
                ["The vendor guide's fix: HKLM\\…\\KeyExchangeAlgorithms\\Diffie-Hellman\\Enabled = 0."]),
        };
        // The side at fault gets the remedies: Windows when it does not strip the zero and the device was not caught keeping it.
        var windowsAtFault = !policy.DhLeadingZeroFixed.Value && !deviceBug;
        if (windowsAtFault && policy.Release.DhLeadingZeroFixed.FixedBy.FirstOrDefault() is { } kb)
            remedies.Add(ctx.WindowsRemedy(RemedyKind.WindowsUpdate, $"TD002:{kb}", $"Install {kb} (or any later cumulative update) on the Terminal Server",
                ctx.Windows.WithUpdate(kb), "Low: a Microsoft update; reboot required.", [$"Install {kb} from Windows Update or the Microsoft Update Catalog.", "Reboot."]));
        else if (windowsAtFault && SchannelKnowledge.Default.Releases.FirstOrDefault(r => r.DhLeadingZeroFixed.Value && r.Build > policy.Release.Build) is { } fixedRelease)
            remedies.Add(ctx.WindowsRemedy(RemedyKind.WindowsUpdate, $"TD002:upgrade-{fixedRelease.Id}", $"Run the Terminal Server on {fixedRelease.Name} or later ({policy.Release.Name} never got the leading-zero fix)",
                ctx.Windows.WithRelease(fixedRelease), "An operating system upgrade or migration; plan it as such.",
                [$"Migrate the Terminal Server to {fixedRelease.Name} or later (or 2016 with OS build 14393.3542 or later).", $"Run tlsdoctor diagnose again with --os {fixedRelease.Id}."]));
        if (!windowsAtFault)
            remedies.Add(WeakDhRule.DeviceRemedy("TD002:device-firmware", "Update the device firmware (the vendor's DH implementation)"));
        yield return ctx.Make(Descriptor, title, evidence, remedies, severity);
    }
}

/// <summary>TD102: the suites in common need a curve the two sides do not share.</summary>
public sealed class NoCommonGroupRule : IFindingRule
{
    public FindingDescriptor Descriptor => Findings.NoCommonGroup;

    public IEnumerable<Finding> Analyze(DiagnosisContext ctx)
    {
        if (!ctx.Explains(Descriptor)) yield break;
        var policy = ctx.Windows.Policy;
        var peerGroups = (ctx.Outbound ? ctx.Server.Groups : ctx.Client.Groups).Where(g => g.Kind == GroupKind.EllipticCurve).ToList();
        var evidence = new List<Evidence>
        {
            ctx.Outbound ? Evidence.Probe($"the device accepts the groups {string.Join(", ", peerGroups.Select(g => g.Name).DefaultIfEmpty("(none found)"))}")
                         : Evidence.Capture($"the device offers the groups {string.Join(", ", peerGroups.Select(g => g.Name).DefaultIfEmpty("(none)"))}"),
            Evidence.Policy($"Windows curves: {string.Join(", ", policy.Groups.Select(g => g.Value.Name))}"),
            ctx.SimulationEvidence(),
        };
        var remedies = new List<Remedy>();
        var release = policy.Release;
        var supported = release.Curves.Enabled.Concat(release.Curves.Supported).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var add = peerGroups.Where(g => supported.Contains(g.Name) && policy.Groups.All(p => p.Value.Code != g.Code)).ToList();
        if (add.Count > 0 && !policy.CipherSuites.Any(s => !s.Curves.IsEmpty))
        {
            var curves = policy.Groups.Select(g => g.Value.Name).Concat(add.Select(g => g.Name)).ToList();
            remedies.Add(ctx.RegistryRemedy("TD102:curves-" + string.Join("-", add.Select(g => g.Name)), $"Add {string.Join(", ", add.Select(g => g.Name))} to the ECC curve order (curves.reg)",
                "curves.reg", RegistryRemedies.CurveOrder(curves), "Machine-wide, both roles; the curve order is a policy value that a GPO may overwrite.",
                [$"Sets the EccCurves policy to {string.Join(", ", curves)}."]));
        }
        else if (add.Count > 0)
        {
            // 2012 R2 and older name the curve in the suite: enabling the suffix variants is how a curve is added.
            var rows = release.CipherSuites.Enabled.Concat(release.CipherSuites.Supported)
                .Where(r => !r.ExplicitOnly && r.CurveGroup is { } cg && add.Any(g => g.Name.Equals(cg, StringComparison.OrdinalIgnoreCase))
                            && policy.CipherSuites.Any(p => p.Suite.Name == r.IanaName)).Select(r => r.WindowsName).ToList();
            var names = policy.CipherSuites.SelectMany(s => s.WindowsNames).Concat(rows).Distinct().ToList();
            remedies.Add(ctx.RegistryRemedy("TD102:suffix-curves", $"Enable the {string.Join(", ", add.Select(g => g.Name))} variants of the suites in the cipher suite order (ciphers.reg)",
                "ciphers.reg", RegistryRemedies.SuiteOrder(names, rows), "Machine-wide, both roles; the suite order is a policy value that a GPO may overwrite.",
                ["Sets the SSL cipher suite order policy (Functions)."]));
        }
        remedies.Add(WeakDhRule.DeviceRemedy("TD102:device-curves", "Enable secp256r1 or secp384r1 on the device"));
        yield return ctx.Make(Descriptor, "The suites in common need an elliptic curve the two sides do not share", evidence, remedies);
    }
}
