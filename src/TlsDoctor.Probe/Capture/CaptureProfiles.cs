using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe.Capture;

/// <summary>Turns a captured ClientHello into the <see cref="ClientProfile"/> the simulator uses.</summary>
public static class CaptureProfiles
{
    /// <summary>
    /// Versions: the supported_versions list when sent; else every version from the lowest the hello implies up to
    /// legacy_version. The lowest is a guess a ClientHello cannot settle: the record-layer version when it is SSLv3
    /// (clients that still allow SSLv3 often say so there), SSLv2 for an SSLv2-format hello that offers SSLv2 kinds,
    /// otherwise TLS 1.0. Suites, groups and schemes keep the client's order; GREASE is dropped; an absent extension
    /// gives an empty list.
    /// </summary>
    public static ClientProfile ToClientProfile(ClientHelloFacts hello, string name)
    {
        ArgumentNullException.ThrowIfNull(hello);
        var family = ClientFamilies.Recognise(hello);
        var profile = new ClientProfile(
            name,
            Versions(hello),
            [.. hello.CipherSuites.Where(c => !Grease.IsGrease(c)).Select(CipherSuites.Get)],
            [.. hello.Groups.Where(g => !Grease.IsGrease(g)).Select(NamedGroups.Get)],
            [.. hello.SignatureAlgorithms.Where(s => !Grease.IsGrease(s)).Select(SignatureSchemes.Get)],
            [.. hello.Extensions.Where(e => !Grease.IsGrease(e)).Select(CaptureNames.Extension)])
        {
            Origin = "capture",
            Family = family?.Name,
            DhMaxBits = family?.DhMaxBits,
        };
        return profile with { Limits = [.. Limits(hello, profile, family)] };
    }

    /// <summary>What a single hello says about each limit, and what it leaves as an assumption (settled by `listen --learn`).</summary>
    public static IEnumerable<ClientLimit> Limits(ClientHelloFacts hello, ClientProfile profile, ClientFamily? family)
    {
        ArgumentNullException.ThrowIfNull(hello);
        ArgumentNullException.ThrowIfNull(profile);
        var versions = profile.Versions;
        if (versions.IsDefaultOrEmpty) yield break;
        var listed = hello.Has(ExtensionType.SupportedVersions);
        var familyMax = family?.Limits.FirstOrDefault(l => l.Name == ClientLimits.MaxVersion);
        yield return new ClientLimit(ClientLimits.MaxVersion, versions.Max().Name(), LimitBasis.Observed,
            (listed ? "the hello's supported_versions" : $"the hello's legacy_version {CaptureNames.Version(hello.LegacyVersion)}") + (familyMax is null ? "" : "; " + familyMax.Source));
        yield return listed
            ? new ClientLimit(ClientLimits.MinVersion, versions.Min().Name(), LimitBasis.Observed, "the hello lists every version it accepts in supported_versions")
            : new ClientLimit(ClientLimits.MinVersion, versions.Min().Name(), LimitBasis.Assumed,
                $"a hello without supported_versions does not say its lowest version; {versions.Min().Name()} is assumed (listen --learn observes it by answering lower versions)");
        var hashes = SchemeHashes(profile);
        yield return new ClientLimit(ClientLimits.CertificateHashes, hashes.IsEmpty ? "any" : string.Join(", ", hashes), LimitBasis.Assumed,
            hashes.IsEmpty
                ? "the hello has no signature_algorithms: which certificate signatures the device verifies is not in a ClientHello (listen --learn presents a certificate ladder)"
                : $"signature_algorithms lists {string.Join(", ", hashes)} (RFC 5246 §7.4.2 ties the server's certificate chain to that list); whether the device verifies other hashes is not in a ClientHello (listen --learn presents a certificate ladder)");
        yield return family?.Limits.FirstOrDefault(l => l.Name == ClientLimits.DhMaxBits) ?? ClientFamilies.UnknownFamilyDh;
    }

    /// <summary>The hashes of the signature schemes a TLS 1.2 hello lists (sha1, sha256, …), strongest first; empty without the extension.</summary>
    public static ImmutableArray<string> SchemeHashes(ClientProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        string[] order = ["sha512", "sha384", "sha256", "sha224", "sha1", "md5"];
        var hashes = profile.SignatureSchemes.IsDefault ? [] : profile.SignatureSchemes.Select(s => s.Hash.ToLowerInvariant()).ToList();
        return [.. order.Where(hashes.Contains)];
    }

    /// <summary>The versions the profile gets (see <see cref="ToClientProfile"/>); oldest first.</summary>
    public static ImmutableArray<TlsVersion> Versions(ClientHelloFacts hello)
    {
        ArgumentNullException.ThrowIfNull(hello);
        if (hello.Has(ExtensionType.SupportedVersions))
        {
            var listed = hello.SupportedVersions.Where(v => !Grease.IsGrease(v) && TlsVersions.IsKnown(v)).Select(v => (TlsVersion)v);
            return [.. listed.Distinct().Order()];
        }
        var max = hello.LegacyVersion;
        // A legacy_version above TLS 1.2 without supported_versions is not a TLS 1.3 offer (RFC 8446 §4.2.1).
        if (max > 0x0303 && max >> 8 == 3) max = 0x0303;
        ushort min = 0x0301;
        if (hello.Format == HelloFormat.Sslv2)
            min = hello.LegacyVersion == 0x0002 || !hello.Sslv2CipherKinds.IsEmpty ? (ushort)0x0002 : (ushort)0x0300;
        else if (hello.RecordVersion == 0x0300) min = 0x0300;
        if (max == 0x0002) return [TlsVersion.SSLv2];
        return [.. TlsVersions.All.Where(v => (ushort)v >= min && (ushort)v <= max)];
    }
}
