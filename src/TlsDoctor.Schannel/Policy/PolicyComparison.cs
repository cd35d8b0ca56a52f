using System.Collections.Immutable;
using TlsDoctor.Core;

namespace TlsDoctor.Schannel.Policy;

/// <summary>What differs between two policies as the peers see them (versions, suites, groups, sizes, fixes).</summary>
public static class PolicyComparison
{
    /// <summary>One line per difference, "outbound versions: TLSv1.0, TLSv1.2 → TLSv1.2"; empty when the change changes nothing.</summary>
    public static ImmutableArray<string> Differences(SchannelPolicy before, SchannelPolicy after)
    {
        var list = new List<string>();
        void Compare<T>(string what, IEnumerable<T> a, IEnumerable<T> b, Func<T, string> name)
        {
            var x = a.Select(name).ToList();
            var y = b.Select(name).ToList();
            if (!x.SequenceEqual(y)) list.Add($"{what}: {Join(x)} → {Join(y)}");
        }
        void Value<T>(string what, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b)) list.Add($"{what}: {a?.ToString() ?? "none"} → {b?.ToString() ?? "none"}");
        }
        Compare("outbound versions", before.OutboundVersions.Select(v => v.Value), after.OutboundVersions.Select(v => v.Value), v => v.Name());
        Compare("inbound versions", before.InboundVersions.Select(v => v.Value), after.InboundVersions.Select(v => v.Value), v => v.Name());
        Compare("outbound cipher suites", before.ToClientProfile().CipherSuites, after.ToClientProfile().CipherSuites, s => s.Name);
        Compare("inbound cipher suites", Inbound(before), Inbound(after), s => s.Name);
        Compare("groups", before.Groups.Select(g => g.Value), after.Groups.Select(g => g.Value), g => g.Name);
        Compare("signature algorithms", before.SignatureSchemes, after.SignatureSchemes, s => s.Name);
        Value("DH client minimum", before.DhClientMinBits.Value, after.DhClientMinBits.Value);
        Value("DH client maximum", before.DhClientMaxBits.Value, after.DhClientMaxBits.Value);
        Value("DH server size", before.DhServerBits.Value, after.DhServerBits.Value);
        Value("RSA client minimum", before.RsaClientMinBits.Value, after.RsaClientMinBits.Value);
        Value("RSA client maximum", before.RsaClientMaxBits.Value, after.RsaClientMaxBits.Value);
        Value("SHA-512 in TLS 1.2", before.Sha512InTls12.Value, after.Sha512InTls12.Value);
        Value("DH leading-zero fix", before.DhLeadingZeroFixed.Value, after.DhLeadingZeroFixed.Value);
        return [.. list];
    }

    /// <summary>True when the two policies behave the same towards every peer.</summary>
    public static bool ChangesNothing(SchannelPolicy before, SchannelPolicy after) => Differences(before, after).IsEmpty;

    private static IEnumerable<CipherSuite> Inbound(SchannelPolicy p) =>
        p.ToServerProfile(null).Protocols.Where(v => v.Supported).SelectMany(v => v.CipherSuites.Select(s => s.Suite)).DistinctBy(s => s.Code);

    private static string Join(List<string> items) => items.Count == 0 ? "none" : string.Join(", ", items);
}
