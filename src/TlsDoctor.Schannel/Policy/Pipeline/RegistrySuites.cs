using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Schannel.Knowledge;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Schannel.Policy.Pipeline;

/// <summary>The registry's cipher suite order, key exchange / cipher / hash switches and curve order.</summary>
internal static class RegistrySuites
{
    public static PolicyDraft Apply(PolicyDraft d)
    {
        d = Order(d);
        if (d.SuiteList.Any(c => c.Row.StrongCryptoAssumed)) d = d.Assume(AssumptionSlot.SuiteStrongCrypto, "vista-strong-crypto");
        d = d with { CipherSuites = Merge(d.SuiteList) };
        d = Switches(d);
        return Groups(d);
    }

    private static ImmutableArray<string> List(RegEntry e) => e.Value.Kind == RegValueKind.MultiString
        ? e.Value.AsMultiString()
        : [.. (e.Value.AsString() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>Functions of the policy key (GPO), else of the local key, replaces the default list [S13][S15].</summary>
    private static PolicyDraft Order(PolicyDraft d)
    {
        var policyFunctions = d.Registry.Get(RegistryPaths.SuitePolicy, "Functions");
        var functions = policyFunctions ?? d.Registry.Get(RegistryPaths.SuiteLocal, "Functions");
        if (functions is null) return d;
        var rows = d.Release.CipherSuites;
        var allRows = ReleaseStage.Norm(rows.Enabled).Concat(ReleaseStage.Norm(rows.Supported)).Concat(ReleaseStage.Norm(rows.Psk)).ToList();
        var src = new Source(Source.Registry, RegistryStage.Describe(functions, brief: true), policyFunctions is not null ? "S13 S15" : "S15 S17");
        var list = new List<DraftSuite>();
        var warnings = new List<string>();
        var (names, dropped) = Limit(functions);
        if (!dropped.IsEmpty)
        {
            warnings.Add($"{RegistryStage.Describe(functions, brief: true)} is {functions.Value.AsString()!.Length} characters long; Windows uses only the first {MaxFunctionsLength}, so {string.Join(", ", dropped)} {(dropped.Length == 1 ? "is" : "are")} not used.");
            d = d.Assume(AssumptionSlot.SuiteOrder, "functions-over-1023");
        }
        // Windows 10 / 2016 and later name suites without the curve; a _P256 suffix there is ignored [S3][S15].
        var suffixNames = allRows.Any(r => r.CurveSuffix is not null);
        foreach (var given in names)
        {
            var n = !suffixNames && CurveSuffix(given) is { } sfx ? given[..^(sfx.Length + 1)] : given;
            var row = allRows.FirstOrDefault(r => r.WindowsName.Equals(n, StringComparison.OrdinalIgnoreCase))
                      ?? allRows.FirstOrDefault(r => r.IanaName.Equals(n, StringComparison.OrdinalIgnoreCase) && r.CurveSuffix is null);
            if (row is null)
            {
                // On older releases an IANA name without suffix enables no curve variant by itself, so report it.
                var variants = allRows.Where(r => r.IanaName.Equals(n, StringComparison.OrdinalIgnoreCase)).ToList();
                if (variants.Count == 0) { warnings.Add($"cipher suite order lists \"{n}\", which {d.Release.Name} does not implement; ignored."); continue; }
                warnings.Add($"cipher suite order lists \"{n}\" without a curve suffix; {d.Release.Name} names its ECDHE suites with _P256/_P384/_P521, so it is modelled as enabling {string.Join(", ", variants.Select(v => v.WindowsName))}.");
                list.AddRange(variants.Select(v => new DraftSuite(v, src)));
                continue;
            }
            if (row.ExplicitOnly) continue;
            list.Add(new DraftSuite(row, src));
        }
        return (d.Retract(AssumptionSlot.DefaultSuiteList) with { SuiteList = [.. list] }).Warn(warnings);
    }

    /// <summary>The GPO's limit on the SSL Cipher Suite Order string [S13][S15].</summary>
    private const int MaxFunctionsLength = 1023;

    /// <summary>The names Windows uses, and those a REG_SZ over 1,023 characters loses (modelled as cut there: UNCONFIRMED).</summary>
    private static (ImmutableArray<string> Used, ImmutableArray<string> Dropped) Limit(RegEntry functions)
    {
        var all = List(functions);
        if (functions.Value.Kind == RegValueKind.MultiString || functions.Value.AsString() is not { Length: > MaxFunctionsLength } text) return (all, []);
        var fragments = text[..MaxFunctionsLength].Split(',').ToList();
        // A name cut in the middle is lost too.
        if (text[MaxFunctionsLength] != ',') fragments.RemoveAt(fragments.Count - 1);
        var used = fragments.Select(f => f.Trim()).Where(f => f.Length > 0).ToImmutableArray();
        return (used, [.. all.Skip(used.Length)]);
    }

    private static string? CurveSuffix(string name) =>
        name.EndsWith("_P256", StringComparison.OrdinalIgnoreCase) ? "P256"
        : name.EndsWith("_P384", StringComparison.OrdinalIgnoreCase) ? "P384"
        : name.EndsWith("_P521", StringComparison.OrdinalIgnoreCase) ? "P521" : null;

    /// <summary>Curve variants (_P256, _P384) become one IANA suite at the first variant's position.</summary>
    private static ImmutableArray<PolicySuite> Merge(ImmutableArray<DraftSuite> chosen)
    {
        var merged = new List<PolicySuite>();
        foreach (var (row, src) in chosen)
        {
            var suite = row.Suite;
            var curve = row.CurveGroup is { } cg ? Vocabulary.Group(cg) : null;
            var at = merged.FindIndex(p => p.Suite.Code == suite.Code);
            if (at >= 0)
            {
                var p = merged[at];
                merged[at] = p with
                {
                    WindowsNames = p.WindowsNames.Add(row.WindowsName),
                    Curves = curve is null || p.Curves.Any(c => c.Code == curve.Code) ? p.Curves : p.Curves.Add(curve),
                };
                continue;
            }
            merged.Add(new PolicySuite(suite, [row.WindowsName], row.TlsVersions, curve is null ? [] : [curve], row.StrongCrypto ?? true, src));
        }
        return [.. merged];
    }

    /// <summary>KeyExchangeAlgorithms, Ciphers and Hashes keys with Enabled=0 take suites out.</summary>
    private static PolicyDraft Switches(PolicyDraft d)
    {
        var reg = d.Registry;
        var dhOff = RegistryStage.Off(reg, RegistryPaths.DiffieHellman);
        var pkcsOff = RegistryStage.Off(reg, RegistryPaths.Pkcs);
        var ecdhOff = RegistryStage.Off(reg, RegistryPaths.Ecdh);
        if (ecdhOff is not null) d = d.Assume(AssumptionSlot.SuiteSwitches, "ecdh-key");
        var removed = new List<string>();
        var kept = new List<PolicySuite>();
        foreach (var p in d.CipherSuites)
        {
            var s = p.Suite;
            RegEntry? why = s.KeyExchange.IsFiniteFieldDh() ? dhOff : s.KeyExchange.IsEllipticCurve() ? ecdhOff : null;
            why ??= s.KeyExchange == KeyExchange.RSA || s.Authentication == Authentication.RSA ? pkcsOff : null;
            var assumed = false;
            if (why is null && (CipherSwitch(reg, s) ?? HashSwitch(reg, s)) is { } sw) (why, assumed) = sw;
            if (assumed) d = d.Assume(AssumptionSlot.SuiteSwitches, "cipher-hash-keys");
            if (why is null) { kept.Add(p); continue; }
            removed.Add($"{s.Name} removed by {RegistryStage.Describe(why)}");
        }
        return (d with { CipherSuites = [.. kept] }).Warn(removed);
    }

    /// <summary>Ciphers\&lt;name&gt;\Enabled=0 that covers this suite's cipher (KB245030 names [S16]); Assumed for the AES keys.</summary>
    private static (RegEntry Entry, bool Assumed)? CipherSwitch(RegistryState reg, CipherSuite s)
    {
        var c = s.Cipher.ToUpperInvariant();
        var keys = new List<(string Key, bool Assumed)>();
        if (c.StartsWith("RC4", StringComparison.Ordinal))
            keys.Add(s.Export ? (s.CipherBits >= 56 ? "RC4 56/128" : "RC4 40/128", false) : ("RC4 128/128", false));
        if (c.StartsWith("RC2", StringComparison.Ordinal)) keys.Add((s.CipherBits >= 56 ? "RC2 56/128" : "RC2 40/128", false));
        // "Triple DES 168/168" is the pre-Vista name; every modelled release reads "Triple DES 168" (the lint reports the old name).
        if (c.StartsWith("3DES", StringComparison.Ordinal)) keys.Add(("Triple DES 168", false));
        else if (c.StartsWith("DES", StringComparison.Ordinal)) keys.Add(("DES 56/56", false));
        if (c.StartsWith("NULL", StringComparison.Ordinal)) keys.Add(("NULL", false));
        if (c.StartsWith("AES_128", StringComparison.Ordinal)) keys.Add(("AES 128/128", true));
        if (c.StartsWith("AES_256", StringComparison.Ordinal)) keys.Add(("AES 256/256", true));
        foreach (var (key, assumed) in keys)
            if (RegistryStage.Off(reg, $@"{RegistryPaths.Ciphers}\{key}") is { } e) return (e, assumed);
        return null;
    }

    /// <summary>Hashes\&lt;name&gt;\Enabled=0 that covers this suite's MAC; Assumed for the SHA-2 keys.</summary>
    private static (RegEntry Entry, bool Assumed)? HashSwitch(RegistryState reg, CipherSuite s)
    {
        var aead = s.Cipher.Contains("GCM", StringComparison.OrdinalIgnoreCase) || s.Cipher.Contains("CCM", StringComparison.OrdinalIgnoreCase);
        if (aead) return null; // AEAD suites name a PRF hash, not a MAC
        var (key, assumed) = s.Mac.ToUpperInvariant() switch
        {
            "MD5" => ("MD5", false),
            "SHA" => ("SHA", false),
            "SHA256" => ("SHA256", true),
            "SHA384" => ("SHA384", true),
            _ => ((string?)null, false),
        };
        if (key is null || RegistryStage.Off(reg, $@"{RegistryPaths.Hashes}\{key}") is not { } e) return null;
        return (e, assumed);
    }

    /// <summary>Curves: the suffixes of the suite names (2012 R2 and older), else the EccCurves policy, else the release's list.</summary>
    private static PolicyDraft Groups(PolicyDraft d)
    {
        if (d.CipherSuites.Any(p => !p.Curves.IsEmpty))
            return d with
            {
                Groups = [.. d.CipherSuites.SelectMany(p => p.Curves.Select(c => (c, p.Source))).DistinctBy(t => t.c.Code)
                    .Select(t => new Sourced<NamedGroup>(t.c, t.Source with { Detail = t.Source.Detail + " (curve suffix of the suite names)" }))],
            };
        if (d.Registry.Get(RegistryPaths.SuitePolicy, "EccCurves") is not { } ecc) return d;
        var src = new Source(Source.Registry, RegistryStage.Describe(ecc, brief: true), "S15");
        return d with
        {
            Groups = [.. List(ecc).Select(n => NamedGroups.TryParse(n, out var g) ? g : Vocabulary.Group(n)).Where(g => g.Code != 0).Select(g => new Sourced<NamedGroup>(g, src))],
        };
    }
}
