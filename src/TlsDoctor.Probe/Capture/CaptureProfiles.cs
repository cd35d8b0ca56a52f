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
        return new ClientProfile(
            name,
            Versions(hello),
            [.. hello.CipherSuites.Where(c => !Grease.IsGrease(c)).Select(CipherSuites.Get)],
            [.. hello.Groups.Where(g => !Grease.IsGrease(g)).Select(NamedGroups.Get)],
            [.. hello.SignatureAlgorithms.Where(s => !Grease.IsGrease(s)).Select(SignatureSchemes.Get)],
            [.. hello.Extensions.Where(e => !Grease.IsGrease(e)).Select(CaptureNames.Extension)])
        {
            Origin = "capture",
        };
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
