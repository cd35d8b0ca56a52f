using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Serialization;
using TlsDoctor.Core;

namespace TlsDoctor.Schannel.Knowledge;

/// <summary>A value from the knowledge base with its source tag ([S1]…) and, where unconfirmed, the assumption id.</summary>
public sealed record KnownValue<T>(T Value, string Source, string? Assumption = null, string? Note = null);

/// <summary>Default state of one protocol version per role.</summary>
public sealed record ProtocolDefault(string Version, string Client, string Server, string Source, string? Note = null)
{
    public TlsVersion TlsVersion => TlsVersions.TryParse(Version, out var v) ? v : throw new InvalidDataException($"bad version {Version}");
}

/// <summary>One row of Microsoft's cipher suite table for a release.</summary>
/// <param name="WindowsName">The Windows string, with the _P256/_P384/_P521 curve suffix on 2012 R2 and older.</param>
/// <param name="StrongCrypto">"Allowed by SCH_USE_STRONG_CRYPTO"; null when the table has no such column.</param>
/// <param name="ExplicitOnly">"Only if the app explicitly asks" (NULL suites): never in a default ClientHello.</param>
public sealed record SuiteRow(
    string WindowsName,
    string Code,
    ImmutableArray<string> Versions,
    bool? StrongCrypto,
    bool StrongCryptoAssumed = false,
    bool ExplicitOnly = false,
    bool CodeUnconfirmed = false,
    bool ExplicitOnlyAssumed = false)
{
    /// <summary>The IANA name: the Windows string without its curve suffix.</summary>
    public string IanaName => CurveSuffix is null ? WindowsName : WindowsName[..WindowsName.LastIndexOf('_')];

    /// <summary>P256 / P384 / P521 when the Windows string names a curve.</summary>
    public string? CurveSuffix => WindowsName.EndsWith("_P256", StringComparison.Ordinal) ? "P256"
        : WindowsName.EndsWith("_P384", StringComparison.Ordinal) ? "P384"
        : WindowsName.EndsWith("_P521", StringComparison.Ordinal) ? "P521" : null;

    /// <summary>IANA group of the curve suffix.</summary>
    public string? CurveGroup => CurveSuffix switch { "P256" => "secp256r1", "P384" => "secp384r1", "P521" => "secp521r1", _ => null };

    public ushort CodeValue => ushort.Parse(Code.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    /// <summary>The registry suite (or one derived from the name while the registry lacks it).</summary>
    public CipherSuite Suite => Vocabulary.Suite(IanaName, CodeValue);

    /// <summary>Versions as enum values; when the table leaves the column empty, those the suite is valid in.</summary>
    public ImmutableArray<TlsVersion> TlsVersions => Versions.IsDefaultOrEmpty
        ? [.. Core.TlsVersions.All.Where(v => Suite.ValidIn(v))]
        : [.. Versions.Select(v => Core.TlsVersions.TryParse(v, out var t) ? t : throw new InvalidDataException($"bad version {v}"))];
}

/// <summary>The suite tables of one release.</summary>
public sealed record SuiteLists(string Source, ImmutableArray<SuiteRow> Enabled, ImmutableArray<SuiteRow> Supported, ImmutableArray<SuiteRow> Psk);

/// <summary>Curves enabled by default and supported but off.</summary>
public sealed record CurveData(ImmutableArray<string> Enabled, ImmutableArray<string> Supported, string Source, string? Note = null);

/// <summary>DH defaults of the release without updates: client minimum, maximum, server group size.</summary>
public sealed record DhData(
    KnownValue<int> ClientMinBits,
    KnownValue<int?> ClientMaxBits,
    KnownValue<int> ServerBits);

/// <summary>
/// A capability an update may add: its value at release; the KBs that turn it on and the first build that contains it are
/// filled in from updates.json when the knowledge loads (they are not written in releases.json).
/// </summary>
public sealed record FixData(bool Value, ImmutableArray<string> FixedBy, string Source, string? FixedInBuild = null, string? Assumption = null);

/// <summary>One Windows Server release and the client OS that shares its SCHANNEL.</summary>
public sealed record WindowsRelease(
    string Id,
    string Name,
    string ClientName,
    ImmutableArray<int> Builds,
    string BuildSource,
    ImmutableArray<string> Aliases,
    ImmutableArray<ProtocolDefault> Protocols,
    SuiteLists CipherSuites,
    CurveData Curves,
    DhData Dh,
    KnownValue<int> RsaClientMinBits,
    KnownValue<ImmutableArray<string>> SignatureSchemes,
    FixData Sha512InTls12,
    FixData DhLeadingZeroFixed,
    KnownValue<ImmutableArray<string>>? SignatureSchemesWithSha512 = null)
{
    /// <summary>The release's main build number.</summary>
    [JsonIgnore]
    public int Build => Builds.IsDefaultOrEmpty ? 0 : Builds.Contains(6002) ? 6002 : Builds[0];

    /// <summary>Default state of a version in a role ("client" or "server").</summary>
    public ProtocolDefault? Protocol(TlsVersion v) => Protocols.FirstOrDefault(p => p.TlsVersion == v);

    public override string ToString() => Name;
}

/// <summary>A Windows update the model knows and what it changes.</summary>
/// <param name="Build">The OS build.revision the update brings ("14393.3542"); a later revision contains its changes.</param>
/// <param name="FromBuild">Not a KB: a change of the OS from this build on (installed when the build is at least this).</param>
public sealed record UpdateInfo(string Id, string Title, string Date, ImmutableArray<string> Releases, ImmutableArray<UpdateEffect> Effects, string Source, string? Assumption = null, string? Build = null, int? FromBuild = null)
{
    /// <summary>True when the update exists for the release.</summary>
    public bool AppliesTo(WindowsRelease release) => Releases.Contains(release.Id);
}

/// <summary>
/// One change an update makes, declared in updates.json and applied by the policy's update stage. Only the fields
/// the change needs are set.
/// </summary>
/// <param name="Id">The name `policy show` prints (dh-client-min-1024, sha512-tls12, adds-gcm-suites, …).</param>
/// <param name="DhClientMinBits">New SCHANNEL client DH minimum; applies only where the release's own minimum is lower.</param>
/// <param name="AddsSuites">IANA names of rows of the release's published table that exist only with the update.</param>
/// <param name="RemovesSuites">IANA names the update takes out of the default list.</param>
/// <param name="Protocols">Protocol states the update gives versions the release did not implement.</param>
/// <param name="AssumptionWithout">Assumption named when the update is missing and its suites are left out.</param>
/// <param name="Preferred">Named before other updates that bring the same change (the release's rollup before a standalone fix).</param>
/// <param name="Releases">Limits the change to some of the update's releases; empty = all of them.</param>
/// <param name="DefaultListWithout">The whole default list (IANA names, in order) while the update is missing, as captured ClientHellos show it.</param>
/// <param name="EnablesServerMinKeyBitLength">ServerMinKeyBitLength is read only with this update (KB3174644 on 2008-2012 R2).</param>
public sealed record UpdateEffect(
    string Id,
    int? DhClientMinBits = null,
    bool? Sha512InTls12 = null,
    bool? DhLeadingZeroFixed = null,
    ImmutableArray<string> AddsSuites = default,
    ImmutableArray<string> RemovesSuites = default,
    ImmutableArray<ProtocolDefault> Protocols = default,
    string? AssumptionWithout = null,
    bool Preferred = false,
    ImmutableArray<string> Releases = default,
    ImmutableArray<string> DefaultListWithout = default,
    bool EnablesServerMinKeyBitLength = false)
{
    /// <summary>True when the change applies on the release (the update must exist there too).</summary>
    public bool AppliesTo(WindowsRelease release) => Releases.IsDefaultOrEmpty || Releases.Contains(release.Id);
}

/// <summary>An update and one of its changes.</summary>
public sealed record UpdateChange(UpdateInfo Update, UpdateEffect Effect);

/// <summary>A monthly rollup, security-only or cumulative update of one release, from rollups.json.</summary>
/// <param name="Kind">monthly-rollup, preview-rollup, out-of-band, security-only, update-rollup or cumulative.</param>
/// <param name="Build">For cumulative updates of 2016 and later: the OS build.revision it brings.</param>
public sealed record Rollup(string Release, string Kb, string Date, string Kind, string? Build = null)
{
    /// <summary>True when the update contains every earlier rollup of its release (not security-only / the 2016 update rollups).</summary>
    public bool Cumulative => Kind is "monthly-rollup" or "preview-rollup" or "out-of-band" or "cumulative";

    /// <summary>"monthly rollup of 2024-02-13".</summary>
    public string Describe() => $"{Kind.Replace('-', ' ')} of {Date}" + (Build is null ? "" : $" (OS build {Build})");
}

/// <summary>The AppContext defaults a target framework gets (AppContextDefaultValues.Defaults.cs).</summary>
/// <param name="DontEnableSchUseStrongCrypto">True for targets up to 4.5.2: strong crypto only when SchUseStrongCrypto is exactly 1.</param>
/// <param name="DontEnableSystemDefaultTlsVersions">True for targets up to 4.6.2: system default versions only when SystemDefaultTlsVersions is exactly 1.</param>
public sealed record FrameworkDefaults(string Id, bool DontEnableSchUseStrongCrypto, bool DontEnableSystemDefaultTlsVersions, string Source);

/// <summary>The .NET part of the knowledge base: System.Net's rules with their source tags.</summary>
/// <param name="StrongProtocols">ServicePointManager's default with strong crypto and without system default versions.</param>
/// <param name="WeakProtocols">Its default with strong crypto disabled (Ssl3 | Tls).</param>
public sealed record DotNetKnowledge(
    ImmutableArray<FrameworkDefaults> Frameworks,
    ImmutableArray<string> StrongProtocols,
    ImmutableArray<string> WeakProtocols,
    string ProtocolsSource,
    string SwitchSource,
    string ClientStrongCryptoSource,
    string ServerStrongCryptoSource,
    ImmutableArray<string> RegistryKeys,
    string RegistrySource,
    ImmutableDictionary<string, int> SecurityProtocolType,
    string SecurityProtocolTypeSource);

/// <summary>A stated position where the knowledge base is unconfirmed.</summary>
public sealed record Assumption(string Id, string Text, string Ref);
