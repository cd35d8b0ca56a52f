using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Schannel.Knowledge;

namespace TlsDoctor.Schannel.Policy;

/// <summary>Where an effective value comes from.</summary>
/// <param name="Kind">release-default, update, registry, dotnet, product-setting, assumption or input.</param>
/// <param name="Detail">What exactly: the release, the KB, the registry path and value, the switch.</param>
/// <param name="Ref">Source tags ([S2]) or assumption ids.</param>
public sealed record Source(string Kind, string Detail, string? Ref = null)
{
    public const string ReleaseDefault = "release-default";
    public const string Update = "update";
    public const string Registry = "registry";
    public const string DotNet = "dotnet";
    public const string Product = "product-setting";
    public const string AssumptionKind = "assumption";
    public const string Input = "input";

    public override string ToString() => $"{Kind}: {Detail}" + (string.IsNullOrEmpty(Ref) ? "" : $" [{Ref}]");
}

/// <summary>A value and its provenance.</summary>
public sealed record Sourced<T>(T Value, Source Source);

/// <summary>System-wide state of a protocol version in one role.</summary>
public enum ProtocolState { Enabled, DisabledByDefault, Disabled, NotSupported }

/// <summary>JSON spellings of <see cref="ProtocolState"/>.</summary>
public static class ProtocolStates
{
    public static string Name(this ProtocolState s) => s switch
    {
        ProtocolState.Enabled => "enabled",
        ProtocolState.DisabledByDefault => "disabled-by-default",
        ProtocolState.Disabled => "disabled",
        _ => "not-supported",
    };

    public static ProtocolState Parse(string s) => s switch
    {
        "enabled" => ProtocolState.Enabled,
        "disabled-by-default" => ProtocolState.DisabledByDefault,
        "disabled" => ProtocolState.Disabled,
        "not-supported" => ProtocolState.NotSupported,
        _ => throw new InvalidDataException($"unknown protocol state {s}"),
    };
}

/// <summary>The SCHANNEL state of one version in one role.</summary>
public sealed record ProtocolSetting(TlsVersion Version, ProtocolState State, Source Source);

/// <summary>A cipher suite in the effective SCHANNEL list.</summary>
/// <param name="WindowsNames">The Windows strings that enable it (curve variants on 2012 R2 and older).</param>
/// <param name="Curves">Curves the suffix variants allow (2012 R2 and older); empty when curves are separate.</param>
/// <param name="StrongCrypto">Allowed when SCH_USE_STRONG_CRYPTO is passed.</param>
public sealed record PolicySuite(
    CipherSuite Suite,
    ImmutableArray<string> WindowsNames,
    ImmutableArray<TlsVersion> Versions,
    ImmutableArray<NamedGroup> Curves,
    bool StrongCrypto,
    Source Source);

/// <summary>
/// The effective SCHANNEL policy of one Windows machine as the Terminal Server uses it: release defaults changed
/// by updates, overridden by the registry, the .NET Framework settings and the product setting — every value with
/// where it came from. Build it with <see cref="SchannelPolicyBuilder.Build"/>.
/// </summary>
public sealed record SchannelPolicy
{
    public required WindowsRelease Release { get; init; }
    public required int Build { get; init; }
    public int? Ubr { get; init; }
    /// <summary>Installed updates (given, or assumed: all known for the release).</summary>
    public required ImmutableArray<string> Updates { get; init; }
    public required bool UpdatesKnown { get; init; }
    /// <summary>SCHANNEL client-role state per version, oldest first.</summary>
    public required ImmutableArray<ProtocolSetting> ClientProtocols { get; init; }
    /// <summary>SCHANNEL server-role state per version, oldest first.</summary>
    public required ImmutableArray<ProtocolSetting> ServerProtocols { get; init; }
    /// <summary>The system cipher suite list in priority order (before the application's strong-crypto filter).</summary>
    public required ImmutableArray<PolicySuite> CipherSuites { get; init; }
    public required ImmutableArray<Sourced<NamedGroup>> Groups { get; init; }
    public required ImmutableArray<SignatureScheme> SignatureSchemes { get; init; }
    public required Source SignatureSchemesSource { get; init; }
    public required Sourced<int> DhClientMinBits { get; init; }
    public required Sourced<int?> DhClientMaxBits { get; init; }
    public required Sourced<int> DhServerBits { get; init; }
    public required Sourced<int> RsaClientMinBits { get; init; }
    public required Sourced<int?> RsaClientMaxBits { get; init; }
    public required Sourced<bool> Sha512InTls12 { get; init; }
    public required Sourced<bool> DhLeadingZeroFixed { get; init; }
    public required Sourced<DotNetFramework> DotNet { get; init; }
    public required Sourced<bool> SchUseStrongCrypto { get; init; }
    public required Sourced<bool> SystemDefaultTlsVersions { get; init; }
    public ProductSetting? ProductSetting { get; init; }
    /// <summary>True when the application names its versions (product setting or a pre-4.7 default), so "disabled by default" versions are usable.</summary>
    public required Sourced<bool> OutboundExplicit { get; init; }
    /// <summary>Versions the Terminal Server offers outbound, with why each is in.</summary>
    public required ImmutableArray<Sourced<TlsVersion>> OutboundVersions { get; init; }
    /// <summary>Versions the Terminal Server accepts inbound (port 5012).</summary>
    public required ImmutableArray<Sourced<TlsVersion>> InboundVersions { get; init; }
    /// <summary>Whether SCH_USE_STRONG_CRYPTO applies outbound (removes the suites Microsoft marks "No").</summary>
    public required Sourced<bool> StrongCrypto { get; init; }
    /// <summary>Whether it applies inbound: never for .NET Framework's server credentials.</summary>
    public required Sourced<bool> InboundStrongCrypto { get; init; }
    public required ImmutableArray<Assumption> Assumptions { get; init; }
    public required ImmutableArray<string> Warnings { get; init; }

    /// <summary>Suites the Terminal Server uses outbound (strong-crypto filter applied), in priority order.</summary>
    public IEnumerable<PolicySuite> EffectiveSuites => CipherSuites.Where(s => !StrongCrypto.Value || s.StrongCrypto);

    /// <summary>Suites the Terminal Server accepts inbound, in priority order.</summary>
    public IEnumerable<PolicySuite> InboundSuites => CipherSuites.Where(s => !InboundStrongCrypto.Value || s.StrongCrypto);

    /// <summary>The ClientHello Windows sends outbound and what its SCHANNEL client tolerates.</summary>
    public ClientProfile ToClientProfile()
    {
        var versions = OutboundVersions.Select(v => v.Value).Order().ToImmutableArray();
        var suites = EffectiveSuites.Where(s => s.Versions.Any(versions.Contains)).Select(s => s.Suite).ToImmutableArray();
        var tls12 = versions.Any(v => v >= TlsVersion.TLSv1_2);
        var ec = suites.Any(s => s.KeyExchange.IsEllipticCurve() || s.KeyExchange == KeyExchange.Any);
        var extensions = new List<string> { "server_name", "renegotiation_info" };
        if (ec) extensions.AddRange(["supported_groups", "ec_point_formats"]);
        if (tls12) extensions.Add("signature_algorithms");
        if (versions.Contains(TlsVersion.TLSv1_3)) extensions.AddRange(["supported_versions", "key_share", "psk_key_exchange_modes"]);
        return new ClientProfile(
            $"windows:{Release.Id} outbound",
            versions,
            suites,
            ec ? Groups.Select(g => g.Value).ToImmutableArray() : [],
            tls12 ? SignatureSchemes : [],
            [.. extensions])
        {
            DhMinBits = DhClientMinBits.Value,
            DhMaxBits = DhClientMaxBits.Value,
            RsaMinBits = RsaClientMinBits.Value,
            RsaMaxBits = RsaClientMaxBits.Value,
            Sha512InTls12 = Sha512InTls12.Value,
            StripsDhLeadingZero = DhLeadingZeroFixed.Value,
            ChecksTrustAfterHandshake = true,
            DhRejectAlert = null,
            Origin = $"policy of {Release.Name} (build {Build})",
        };
    }

    /// <summary>What the Terminal Server accepts inbound (port 5012, an assumption) with the given certificate; null = certificate unknown.</summary>
    public ServerProfile ToServerProfile(CertificateInfo? certificate)
    {
        var inbound = InboundVersions.Select(v => v.Value).ToHashSet();
        var suites = InboundSuites.Where(s => certificate is null || Serves(s.Suite, certificate)).ToList();
        var protocols = TlsVersions.All.Select(v => inbound.Contains(v)
            ? new ProtocolSupport(v, true, true, [.. suites.Where(s => s.Versions.Contains(v) && s.Suite.ValidIn(v))
                .Select(s => new AcceptedSuite(s.Suite, s.Suite.KeyExchange.IsFiniteFieldDh() ? DhServerBits.Value : null))])
            : ProtocolSupport.NotSupported(v)).ToImmutableArray();
        var behaviours = ImmutableArray.CreateBuilder<Behaviour>();
        if (!DhLeadingZeroFixed.Value)
            behaviours.Add(new Behaviour(BehaviourKind.DhLeadingZeroBug,
                $"{Release.Name} without the leading-zero update handles a DH secret with a leading zero differently from other stacks [S33][S34]"));
        behaviours.Add(new Behaviour(BehaviourKind.SecureRenegotiation, "SCHANNEL implements RFC 5746"));
        return new ServerProfile(protocols, [.. Groups.Select(g => g.Value)], SignatureSchemes,
            certificate is null ? [] : [certificate], behaviours.ToImmutable());
    }

    /// <summary>True when a server with this certificate can use the suite (RSA certificates: RSA suites; EC: ECDSA).</summary>
    private static bool Serves(CipherSuite s, CertificateInfo c) => s.Authentication switch
    {
        Authentication.RSA => c.KeyAlgorithm == "RSA",
        Authentication.ECDSA => c.KeyAlgorithm == "EC",
        Authentication.DSS => c.KeyAlgorithm == "DSA",
        Authentication.Any => true,
        _ => false,
    };
}
