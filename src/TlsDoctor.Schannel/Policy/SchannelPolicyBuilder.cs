using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Schannel.Knowledge;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Schannel.Policy;

/// <summary>The policy inputs do not say which Windows release it is.</summary>
public sealed class PolicyInputException(string message) : InputException(message);

/// <summary>Registry locations the policy reads (knowledge §1, §6.3, §10.3).</summary>
public static class RegistryPaths
{
    public const string Schannel = @"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL";
    public const string Protocols = Schannel + @"\Protocols";
    public const string KeyExchange = Schannel + @"\KeyExchangeAlgorithms";
    public const string DiffieHellman = KeyExchange + @"\Diffie-Hellman";
    public const string Pkcs = KeyExchange + @"\PKCS";
    public const string Ecdh = KeyExchange + @"\ECDH";
    public const string Ciphers = Schannel + @"\Ciphers";
    public const string Hashes = Schannel + @"\Hashes";
    public const string SuitePolicy = @"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Cryptography\Configuration\SSL\00010002";
    public const string SuiteLocal = @"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Cryptography\Configuration\Local\SSL\00010002";
    public const string DotNet64 = @"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\.NETFramework\v4.0.30319";
    public const string DotNet32 = @"HKEY_LOCAL_MACHINE\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v4.0.30319";
    public const string CurrentVersion = @"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion";

    /// <summary>Subtrees a snapshot keeps.</summary>
    public static IReadOnlyList<string> SnapshotRoots { get; } = [Schannel, SuitePolicy, SuiteLocal, DotNet64, DotNet32, CurrentVersion];

    /// <summary>Registry key name of a version: "TLS 1.2", "SSL 3.0".</summary>
    public static string ProtocolKeyName(TlsVersion v) => v switch
    {
        TlsVersion.SSLv2 => "SSL 2.0",
        TlsVersion.SSLv3 => "SSL 3.0",
        TlsVersion.TLSv1_0 => "TLS 1.0",
        TlsVersion.TLSv1_1 => "TLS 1.1",
        TlsVersion.TLSv1_2 => "TLS 1.2",
        TlsVersion.TLSv1_3 => "TLS 1.3",
        _ => throw new ArgumentOutOfRangeException(nameof(v)),
    };

    /// <summary>Protocols\TLS 1.2\Client (role "Client" or "Server").</summary>
    public static string ProtocolKey(TlsVersion v, string role) => $@"{Protocols}\{ProtocolKeyName(v)}\{role}";
}

/// <summary>Computes a <see cref="SchannelPolicy"/> from release knowledge, updates, registry, .NET and product settings.</summary>
public static class SchannelPolicyBuilder
{
    /// <summary>Builds the effective policy; throws <see cref="PolicyInputException"/> when the release cannot be determined.</summary>
    public static SchannelPolicy Build(PolicyInputs inputs, SchannelKnowledge? knowledge = null)
    {
        var k = knowledge ?? SchannelKnowledge.Default;
        var reg = inputs.Registry;
        var assumptions = new List<string>();
        var warnings = new List<string>();
        void Assume(string? id) { if (id is not null && !assumptions.Contains(id)) assumptions.Add(id); }

        // Release and build.
        var release = inputs.Release;
        var build = inputs.Build;
        var ubr = inputs.Ubr;
        var nearest = inputs.BuildMappedToNearest;
        var regBuild = reg.Get(RegistryPaths.CurrentVersion, "CurrentBuild")?.Value.AsString()
                       ?? reg.Get(RegistryPaths.CurrentVersion, "CurrentBuildNumber")?.Value.AsString();
        build ??= int.TryParse(regBuild, out var rb) ? rb : null;
        ubr ??= (int?)reg.Get(RegistryPaths.CurrentVersion, "UBR")?.Value.AsDWord();
        if (release is null)
        {
            var product = reg.Get(RegistryPaths.CurrentVersion, "ProductName")?.Value.AsString();
            if (build is { } b && k.TryResolveOs(b.ToString(), out var byBuild, out var m)) { release = byBuild; nearest |= m.Nearest; }
            else if (product is not null && k.TryResolveOs(product, out var byName, out _)) release = byName;
            else throw new PolicyInputException("the Windows release is unknown: give --os (e.g. 2012r2, \"Windows Server 2019\", 17763) or a registry export with CurrentVersion values");
        }
        if (nearest) Assume("build-nearest-release");
        var osBuild = build ?? release.Build;

        // Updates.
        ImmutableArray<string> updates;
        bool updatesKnown = inputs.Updates is not null;
        if (inputs.Updates is { } given) updates = [.. given.Select(u => u.ToUpperInvariant())];
        else
        {
            updates = [.. k.Updates.Where(u => u.Releases.Contains(release.Id)).Select(u => u.Id)];
            Assume("updates-unknown-assume-current");
        }
        bool Installed(string kb) => updates.Contains(kb, StringComparer.OrdinalIgnoreCase);
        Source UpdateSource(string kb)
        {
            var u = k.Update(kb);
            Assume(u?.Assumption);
            return new Source(Source.Update, $"{kb}{(u is null ? "" : " — " + u.Title)}{(updatesKnown ? "" : " (assumed installed)")}", u?.Source);
        }
        var releaseLabel = $"{release.Name} default";

        // Protocols per role.
        ImmutableArray<ProtocolSetting> Protocols(string role)
        {
            var list = ImmutableArray.CreateBuilder<ProtocolSetting>();
            foreach (var v in TlsVersions.All)
            {
                var def = release.Protocol(v);
                var state = def is null ? ProtocolState.NotSupported : ProtocolStates.Parse(role == "Client" ? def.Client : def.Server);
                var source = new Source(Source.ReleaseDefault, releaseLabel, def?.Source ?? "S2");
                if (release.ProtocolsWithUpdate is { } pu && Installed(pu.Update) && pu.Protocols.FirstOrDefault(p => p.TlsVersion == v) is { } up)
                {
                    state = ProtocolStates.Parse(role == "Client" ? up.Client : up.Server);
                    source = UpdateSource(pu.Update);
                }
                var key = RegistryPaths.ProtocolKey(v, role);
                var enabled = reg.Get(key, "Enabled");
                var dbd = reg.Get(key, "DisabledByDefault");
                if (enabled is not null || dbd is not null)
                {
                    var detail = string.Join(", ", new[] { enabled, dbd }.OfType<RegEntry>().Select(e => Describe(e)));
                    if (state == ProtocolState.NotSupported)
                        warnings.Add($"{detail} is set, but {release.Name} does not implement {v.Name()}; the value has no effect.");
                    else
                    {
                        var en = enabled?.Value.AsDWord();
                        var db = dbd?.Value.AsDWord();
                        if (en == 0) state = ProtocolState.Disabled;
                        else if (db is { } d) state = d != 0 ? ProtocolState.DisabledByDefault : ProtocolState.Enabled;
                        else if (state == ProtocolState.Disabled) state = ProtocolState.Enabled;
                        // Enabled≠0 alone keeps a "disabled by default" version so: DisabledByDefault=0 is what opens it [S16][S54].
                        source = new Source(Source.Registry, detail, "S1");
                    }
                }
                list.Add(new ProtocolSetting(v, state, source));
            }
            return list.ToImmutable();
        }
        var clientProtocols = Protocols("Client");
        var serverProtocols = Protocols("Server");

        // Cipher suites.
        var rows = release.CipherSuites;
        var allRows = Norm(rows.Enabled).Concat(Norm(rows.Supported)).Concat(Norm(rows.Psk)).ToList();
        var gcmRemoved = release.GcmSuitesBy is { } gcmKb && !Installed(gcmKb);
        IEnumerable<(SuiteRow Row, Source Source)> chosen;
        var policyFunctions = reg.Get(RegistryPaths.SuitePolicy, "Functions");
        var localFunctions = reg.Get(RegistryPaths.SuiteLocal, "Functions");
        var functions = policyFunctions ?? localFunctions;
        if (functions is not null)
        {
            var names = functions.Value.Kind == RegValueKind.MultiString
                ? functions.Value.AsMultiString()
                : [.. (functions.Value.AsString() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            var src = new Source(Source.Registry, Describe(functions, brief: true), policyFunctions is not null ? "S13 S15" : "S15 S17");
            var list = new List<(SuiteRow, Source)>();
            foreach (var n in names)
            {
                var row = allRows.FirstOrDefault(r => r.WindowsName.Equals(n, StringComparison.OrdinalIgnoreCase))
                          ?? allRows.FirstOrDefault(r => r.IanaName.Equals(n, StringComparison.OrdinalIgnoreCase) && r.CurveSuffix is null);
                if (row is null)
                {
                    // On 2016+ a name without suffix may match suffix variants of nothing; on older releases an IANA name
                    // without suffix enables no curve variant, so report it.
                    var variants = allRows.Where(r => r.IanaName.Equals(n, StringComparison.OrdinalIgnoreCase)).ToList();
                    if (variants.Count == 0) { warnings.Add($"cipher suite order lists \"{n}\", which {release.Name} does not implement; ignored."); continue; }
                    warnings.Add($"cipher suite order lists \"{n}\" without a curve suffix; {release.Name} names its ECDHE suites with _P256/_P384/_P521, so it is modelled as enabling {string.Join(", ", variants.Select(v => v.WindowsName))}.");
                    list.AddRange(variants.Select(v => (v, src)));
                    continue;
                }
                if (row.ExplicitOnly) continue;
                list.Add((row, src));
            }
            chosen = list;
        }
        else
        {
            var src = new Source(Source.ReleaseDefault, releaseLabel, rows.Source);
            chosen = Norm(rows.Enabled).Where(r => !r.ExplicitOnly).Select(r => (r, src));
            if (gcmRemoved)
            {
                Assume("gcm-suites-without-kb3042058");
                chosen = chosen.Where(c => !IsKb3042058Suite(c.Row));
            }
        }
        if (chosen.Any(c => c.Row.StrongCryptoAssumed)) Assume("vista-strong-crypto");
        if (Norm(rows.Enabled).Any(r => r.ExplicitOnlyAssumed)) Assume("null-suites-explicit-2008");

        // Merge curve variants into one IANA suite, first position wins.
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

        // Key exchange, cipher and hash switches.
        var dhOff = Off(reg, RegistryPaths.DiffieHellman);
        var pkcsOff = Off(reg, RegistryPaths.Pkcs);
        var ecdhOff = Off(reg, RegistryPaths.Ecdh);
        if (ecdhOff is not null) Assume("ecdh-key");
        var removed = new List<string>();
        merged.RemoveAll(p =>
        {
            var s = p.Suite;
            RegEntry? why = s.KeyExchange.IsFiniteFieldDh() ? dhOff
                : s.KeyExchange.IsEllipticCurve() ? ecdhOff : null;
            why ??= s.KeyExchange == KeyExchange.RSA || s.Authentication == Authentication.RSA ? pkcsOff : null;
            why ??= CipherSwitch(reg, s, Assume) ?? HashSwitch(reg, s, Assume);
            if (why is null) return false;
            removed.Add($"{s.Name} removed by {Describe(why)}");
            return true;
        });
        warnings.AddRange(removed);

        // Groups.
        ImmutableArray<Sourced<NamedGroup>> groups;
        var eccCurves = reg.Get(RegistryPaths.SuitePolicy, "EccCurves");
        var suffixCurves = merged.Any(p => !p.Curves.IsEmpty);
        if (suffixCurves)
        {
            groups = [.. merged.SelectMany(p => p.Curves.Select(c => (c, p.Source))).DistinctBy(t => t.c.Code)
                .Select(t => new Sourced<NamedGroup>(t.c, t.Source with { Detail = t.Source.Detail + " (curve suffix of the suite names)" }))];
        }
        else if (eccCurves is not null)
        {
            var names = eccCurves.Value.Kind == RegValueKind.MultiString ? eccCurves.Value.AsMultiString()
                : [.. (eccCurves.Value.AsString() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            var src = new Source(Source.Registry, Describe(eccCurves, brief: true), "S15");
            groups = [.. names.Select(n => NamedGroups.TryParse(n, out var g) ? g : Vocabulary.Group(n)).Where(g => g.Code != 0).Select(g => new Sourced<NamedGroup>(g, src))];
        }
        else
        {
            var src = new Source(Source.ReleaseDefault, releaseLabel, release.Curves.Source);
            groups = [.. release.Curves.Enabled.Select(n => new Sourced<NamedGroup>(Vocabulary.Group(n), src))];
        }

        // DH and RSA sizes.
        Sourced<int> dhMin;
        var dhKb = release.DhUpdates.FirstOrDefault(Installed);
        if (release.Dh.ClientMinBitsAfterUpdate is { } after && dhKb is not null)
            dhMin = new(after.Value, UpdateSource(dhKb));
        else
            dhMin = new(release.Dh.ClientMinBits.Value, new Source(Source.ReleaseDefault, releaseLabel + (release.Dh.ClientMinBitsAfterUpdate is null ? "" : " (no DH update installed)"), release.Dh.ClientMinBits.Source));
        Sourced<int?> dhMax = new(release.Dh.ClientMaxBits.Value, new Source(Source.ReleaseDefault, releaseLabel + ": no maximum", release.Dh.ClientMaxBits.Source));
        Sourced<int> dhServer = new(release.Dh.ServerBits.Value, new Source(Source.ReleaseDefault, releaseLabel, release.Dh.ServerBits.Source));
        var downlevel = release.Dh.ClientMinBitsAfterUpdate is not null;
        if (DWord(reg, RegistryPaths.DiffieHellman, "ClientMinKeyBitLength") is { } cmin) { dhMin = new((int)cmin.Value, RegSource(cmin.Entry)); if (downlevel) Assume("client-min-key-bit-length-downlevel"); }
        if (DWord(reg, RegistryPaths.DiffieHellman, "ClientMaxKeyBitLength") is { } cmax) { dhMax = new((int)cmax.Value, RegSource(cmax.Entry)); if (downlevel) Assume("client-min-key-bit-length-downlevel"); }
        if (DWord(reg, RegistryPaths.DiffieHellman, "ServerMinKeyBitLength") is { } smin) { dhServer = new((int)smin.Value, RegSource(smin.Entry)); if (downlevel) Assume("client-min-key-bit-length-downlevel"); }
        else Assume(release.Dh.ServerBits.Assumption);
        Sourced<int> rsaMin = new(release.RsaClientMinBits.Value, new Source(Source.ReleaseDefault, releaseLabel, release.RsaClientMinBits.Source));
        Assume(release.RsaClientMinBits.Assumption);
        Sourced<int?> rsaMax = new(null, new Source(Source.ReleaseDefault, releaseLabel + ": no maximum", "S1"));
        if (DWord(reg, RegistryPaths.Pkcs, "ClientMinKeyBitLength") is { } rmin) rsaMin = new((int)rmin.Value, RegSource(rmin.Entry));
        if (DWord(reg, RegistryPaths.Pkcs, "ClientMaxKeyBitLength") is { } rmax) rsaMax = new((int)rmax.Value, RegSource(rmax.Entry));

        // SHA-512 in TLS 1.2, DH leading zero.
        Sourced<bool> sha512;
        var shaKb = release.Sha512InTls12.FixedBy.FirstOrDefault(Installed);
        if (release.Sha512InTls12.Value) sha512 = new(true, new Source(Source.ReleaseDefault, releaseLabel, release.Sha512InTls12.Source));
        else if (shaKb is not null) sha512 = new(true, UpdateSource(shaKb));
        else sha512 = new(false, new Source(Source.ReleaseDefault, $"{releaseLabel}; none of {string.Join(", ", release.Sha512InTls12.FixedBy)} installed", release.Sha512InTls12.Source));
        Assume(release.Sha512InTls12.Assumption);

        Sourced<bool> leadingZero;
        var lz = release.DhLeadingZeroFixed;
        var lzKb = lz.FixedBy.FirstOrDefault(Installed);
        if (lz.Value) leadingZero = new(true, new Source(Source.ReleaseDefault, releaseLabel, lz.Source));
        else if (lz.FixedInBuild is { } fb && ubr is { } u && BuildAtLeast(osBuild, u, fb))
            leadingZero = new(true, new Source(Source.Input, $"OS build {osBuild}.{u} ≥ {fb}", lz.Source));
        else if (lzKb is not null) leadingZero = new(true, UpdateSource(lzKb));
        else leadingZero = new(false, new Source(Source.ReleaseDefault, lz.FixedBy.IsEmpty ? $"{releaseLabel}: never fixed" : $"{releaseLabel}; none of {string.Join(", ", lz.FixedBy)} installed", lz.Source));
        if (!leadingZero.Value) Assume("dh-leading-zero-model");

        // Signature schemes.
        var schemeNames = release.SignatureSchemes.Value.ToList();
        if (sha512.Value) foreach (var extra in new[] { "rsa_pkcs1_sha512", "ecdsa_secp521r1_sha512" }) if (!schemeNames.Contains(extra)) schemeNames.Insert(Math.Min(2, schemeNames.Count), extra);
        Assume(release.SignatureSchemes.Assumption);
        var schemes = schemeNames.Select(Vocabulary.Scheme).ToImmutableArray();
        var schemesSource = new Source(Source.AssumptionKind, "standard SCHANNEL signature_algorithms" + (sha512.Value && !release.Sha512InTls12.Value ? " plus SHA-512 (update)" : ""), release.SignatureSchemes.Assumption);

        // .NET Framework.
        var dn = k.DotNet;
        Sourced<DotNetFramework> framework = inputs.DotNet is { } f
            ? new(f, new Source(Source.Input, $"--dotnet {f.Id()}"))
            : new(DotNetFramework.Net47Plus, new Source(Source.AssumptionKind, ".NET Framework 4.7+ (not given)", "terminal-server-dotnet-4.7"));
        if (inputs.DotNet is null) Assume("terminal-server-dotnet-4.7");
        var fd = dn.Frameworks.First(x => x.Id == framework.Value.Id());
        Sourced<bool> DotNetSwitch(string name, bool def, string defSource)
        {
            var native = reg.Get(RegistryPaths.DotNet64, name);
            var wow = reg.Get(RegistryPaths.DotNet32, name);
            if (native is not null && wow is not null && native.Value.AsDWord() != wow.Value.AsDWord())
                warnings.Add($"{name} differs between the 64-bit and the Wow6432Node key; a 32-bit Terminal Server would read {wow.Value.Display()}.");
            var e = native ?? wow;
            if (e is not null && native is null) Assume("dotnet-key-64bit");
            return e?.Value.AsDWord() is { } d
                ? new(d != 0, RegSource(e, dn.RegistrySource))
                : new(def, new Source(Source.DotNet, $".NET Framework {fd.Id} default for {name}", defSource));
        }
        var strongSwitch = DotNetSwitch("SchUseStrongCrypto", fd.SchUseStrongCrypto, fd.SchUseStrongCryptoSource);
        var sysDefault = DotNetSwitch("SystemDefaultTlsVersions", fd.SystemDefaultTlsVersions, fd.SystemDefaultTlsVersionsSource);

        // Outbound: the product setting, else the .NET behaviour.
        var setting = inputs.ProductSetting;
        if (setting is null) Assume("product-setting-default");
        Sourced<bool> explicitRequest;
        ImmutableArray<TlsVersion> requested;
        Source requestSource;
        var strong = strongSwitch;
        if (setting is { IsSystemDefault: false })
        {
            requested = setting.Versions;
            requestSource = new Source(Source.Product, $"{ProductSetting.Name} = \"{setting.Raw}\"", "S29 S31");
            explicitRequest = new(true, requestSource);
            if (requested.Any(v => v is TlsVersion.TLSv1_0 or TlsVersion.TLSv1_1 or TlsVersion.TLSv1_2))
                strong = new(true, new Source(Source.DotNet, "SCH_USE_STRONG_CRYPTO is passed when the application names Tls, Tls11 or Tls12", "S23"));
        }
        else if (sysDefault.Value || setting is { IsSystemDefault: true })
        {
            requested = [];
            requestSource = setting is { IsSystemDefault: true }
                ? new Source(Source.Product, $"{ProductSetting.Name} = \"SystemDefault\"", "S29")
                : new Source(sysDefault.Source.Kind, "SystemDefault: " + sysDefault.Source.Detail, sysDefault.Source.Ref);
            explicitRequest = new(false, requestSource);
        }
        else if (strongSwitch.Value && strongSwitch.Source.Kind == Source.Registry && framework.Value != DotNetFramework.Net47Plus)
        {
            requested = [TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2];
            requestSource = new Source(Source.DotNet, "SchUseStrongCrypto=1: TLS 1.2/1.1/1.0, insecure protocols blocked", "S23");
            explicitRequest = new(true, requestSource);
        }
        else
        {
            requested = [.. fd.SecurityProtocol.Where(n => n != "SystemDefault").Select(n => ProductSetting.Parse(n).Versions[0])];
            requestSource = new Source(Source.DotNet, $".NET Framework {fd.Id} default SecurityProtocol = {string.Join(" | ", fd.SecurityProtocol)}", fd.SecurityProtocolSource);
            explicitRequest = new(true, requestSource);
        }
        if (explicitRequest.Value) Assume("explicit-request-schannel-cred");

        var outbound = ImmutableArray.CreateBuilder<Sourced<TlsVersion>>();
        foreach (var p in clientProtocols)
        {
            if (explicitRequest.Value)
            {
                if (!requested.Contains(p.Version)) continue;
                if (p.State is ProtocolState.Enabled or ProtocolState.DisabledByDefault)
                    outbound.Add(new(p.Version, requestSource with { Detail = requestSource.Detail + $"; SCHANNEL client: {p.State.Name()} ({p.Source.Kind})" }));
                else
                    warnings.Add($"outbound: {p.Version.Name()} is requested by {requestSource.Detail} but SCHANNEL has it {p.State.Name()} ({p.Source}).");
            }
            else if (p.State == ProtocolState.Enabled)
                outbound.Add(new(p.Version, p.Source));
        }
        var inbound = serverProtocols.Where(p => p.State == ProtocolState.Enabled).Select(p => new Sourced<TlsVersion>(p.Version, p.Source)).ToImmutableArray();
        Assume("inbound-system-default");
        Assume("schannel-server-order");
        Assume("port-5012");
        Assume("strong-crypto-inbound");
        if (outbound.Count == 0) warnings.Add("outbound: no protocol version remains; every outbound TLS connection fails (AcquireCredentialsHandle error).");
        if (inbound.IsEmpty) warnings.Add("inbound: no protocol version is enabled in the server role.");

        return new SchannelPolicy
        {
            Release = release,
            Build = osBuild,
            Ubr = ubr,
            Updates = updates,
            UpdatesKnown = updatesKnown,
            ClientProtocols = clientProtocols,
            ServerProtocols = serverProtocols,
            CipherSuites = [.. merged],
            Groups = groups,
            SignatureSchemes = schemes,
            SignatureSchemesSource = schemesSource,
            DhClientMinBits = dhMin,
            DhClientMaxBits = dhMax,
            DhServerBits = dhServer,
            RsaClientMinBits = rsaMin,
            RsaClientMaxBits = rsaMax,
            Sha512InTls12 = sha512,
            DhLeadingZeroFixed = leadingZero,
            DotNet = framework,
            SchUseStrongCrypto = strongSwitch,
            SystemDefaultTlsVersions = sysDefault,
            ProductSetting = setting,
            OutboundExplicit = explicitRequest,
            OutboundVersions = outbound.ToImmutable(),
            InboundVersions = inbound,
            StrongCrypto = strong,
            Assumptions = [.. assumptions.Select(k.Assumption)],
            Warnings = [.. warnings],
        };
    }

    private static bool IsKb3042058Suite(SuiteRow r) => r.IanaName is "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384" or "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"
        or "TLS_RSA_WITH_AES_256_GCM_SHA384" or "TLS_RSA_WITH_AES_128_GCM_SHA256";

    private static RegEntry? Off(RegistryState reg, string key) => reg.Get(key, "Enabled") is { } e && e.Value.AsDWord() == 0 ? e : null;

    private static (uint Value, RegEntry Entry)? DWord(RegistryState reg, string key, string name) =>
        reg.Get(key, name) is { } e && e.Value.AsDWord() is { } d ? (d, e) : null;

    /// <summary>Ciphers\&lt;name&gt;\Enabled=0 that covers this suite's cipher (KB245030 names [S16]).</summary>
    private static RegEntry? CipherSwitch(RegistryState reg, CipherSuite s, Action<string?> assume)
    {
        var c = s.Cipher.ToUpperInvariant();
        var keys = new List<(string Key, bool Assumed)>();
        if (c.StartsWith("RC4", StringComparison.Ordinal))
            keys.Add(s.Export ? (s.CipherBits >= 56 ? "RC4 56/128" : "RC4 40/128", false) : ("RC4 128/128", false));
        if (c.StartsWith("RC2", StringComparison.Ordinal)) keys.Add((s.CipherBits >= 56 ? "RC2 56/128" : "RC2 40/128", false));
        if (c.StartsWith("3DES", StringComparison.Ordinal)) { keys.Add(("Triple DES 168", false)); keys.Add(("Triple DES 168/168", false)); }
        else if (c.StartsWith("DES", StringComparison.Ordinal)) keys.Add(("DES 56/56", false));
        if (c.StartsWith("NULL", StringComparison.Ordinal)) keys.Add(("NULL", false));
        if (c.StartsWith("AES_128", StringComparison.Ordinal)) keys.Add(("AES 128/128", true));
        if (c.StartsWith("AES_256", StringComparison.Ordinal)) keys.Add(("AES 256/256", true));
        foreach (var (key, assumed) in keys)
            if (Off(reg, $@"{RegistryPaths.Ciphers}\{key}") is { } e)
            {
                if (assumed) assume("cipher-hash-keys");
                return e;
            }
        return null;
    }

    /// <summary>Hashes\&lt;name&gt;\Enabled=0 that covers this suite's MAC.</summary>
    private static RegEntry? HashSwitch(RegistryState reg, CipherSuite s, Action<string?> assume)
    {
        if (s.IsAead()) return null; // AEAD suites name a PRF hash, not a MAC
        var (key, assumed) = s.Mac.ToUpperInvariant() switch
        {
            "MD5" => ("MD5", false),
            "SHA" => ("SHA", false),
            "SHA256" => ("SHA256", true),
            "SHA384" => ("SHA384", true),
            _ => ((string?)null, false),
        };
        if (key is null || Off(reg, $@"{RegistryPaths.Hashes}\{key}") is not { } e) return null;
        if (assumed) assume("cipher-hash-keys");
        return e;
    }

    private static bool BuildAtLeast(int build, int ubr, string fixedIn)
    {
        var parts = fixedIn.Split('.');
        return parts.Length == 2 && int.TryParse(parts[0], out var b) && int.TryParse(parts[1], out var u) && (build > b || build == b && ubr >= u);
    }

    private static Source RegSource(RegEntry e, string? reference = "S1") => new(Source.Registry, Describe(e), reference);

    /// <summary>"HKLM\…\TLS 1.2\Client\Enabled = 0x00000000 (0) (tls.reg:7)".</summary>
    internal static string Describe(RegEntry e, bool brief = false)
    {
        var path = e.Key.Replace("HKEY_LOCAL_MACHINE", "HKLM", StringComparison.Ordinal);
        var data = brief ? "" : " = " + e.Value.Display();
        return $@"{path}\{(e.Value.Name.Length == 0 ? "(Default)" : e.Value.Name)}{data}" + (e.Origin is null ? "" : $" ({e.Origin})");
    }

    private static ImmutableArray<T> Norm<T>(ImmutableArray<T> a) => a.IsDefault ? [] : a;
}
