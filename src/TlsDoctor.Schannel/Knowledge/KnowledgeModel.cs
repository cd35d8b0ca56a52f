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

/// <summary>Protocol states that an update changes (KB4019276 on 2008).</summary>
public sealed record ProtocolsUpdate(string Update, string Source, ImmutableArray<ProtocolDefault> Protocols);

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

/// <summary>DH defaults: client minimum (before and after MS15-055 on older releases), maximum, server group size.</summary>
public sealed record DhData(
    KnownValue<int> ClientMinBits,
    KnownValue<int>? ClientMinBitsAfterUpdate,
    KnownValue<int?> ClientMaxBits,
    KnownValue<int> ServerBits);

/// <summary>A capability that an update may add: value at release, the KBs that turn it on, a build that contains it.</summary>
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
    ProtocolsUpdate? ProtocolsWithUpdate,
    SuiteLists CipherSuites,
    CurveData Curves,
    DhData Dh,
    KnownValue<int> RsaClientMinBits,
    KnownValue<ImmutableArray<string>> SignatureSchemes,
    FixData Sha512InTls12,
    FixData DhLeadingZeroFixed,
    string? GcmSuitesBy,
    ImmutableArray<string> DhUpdates,
    string? Ms15055)
{
    /// <summary>The release's main build number.</summary>
    [JsonIgnore]
    public int Build => Builds.IsDefaultOrEmpty ? 0 : Builds.Contains(6002) ? 6002 : Builds[0];

    /// <summary>Default state of a version in a role ("client" or "server").</summary>
    public ProtocolDefault? Protocol(TlsVersion v) => Protocols.FirstOrDefault(p => p.TlsVersion == v);

    public override string ToString() => Name;
}

/// <summary>A Windows update the model knows.</summary>
public sealed record UpdateInfo(string Id, string Title, string Date, ImmutableArray<string> Releases, ImmutableArray<string> Effects, string Source, string? Assumption = null, string? Build = null);

/// <summary>.NET Framework defaults for one framework generation.</summary>
public sealed record FrameworkDefaults(
    string Id,
    ImmutableArray<string> SecurityProtocol,
    string SecurityProtocolSource,
    bool SchUseStrongCrypto,
    string SchUseStrongCryptoSource,
    bool SystemDefaultTlsVersions,
    string SystemDefaultTlsVersionsSource);

/// <summary>The .NET part of the knowledge base.</summary>
public sealed record DotNetKnowledge(
    ImmutableArray<FrameworkDefaults> Frameworks,
    ImmutableArray<string> RegistryKeys,
    string RegistrySource,
    ImmutableDictionary<string, int> SecurityProtocolType,
    string SecurityProtocolTypeSource);

/// <summary>A stated position where the knowledge base is unconfirmed.</summary>
public sealed record Assumption(string Id, string Text, string Ref);
