using System.Collections.Frozen;

namespace TlsDoctor.Core;

/// <summary>The IANA TLS cipher suite registry, with OpenSSL names; unknown codes still resolve.</summary>
public static partial class CipherSuites
{
    private static readonly FrozenDictionary<ushort, CipherSuite> ByCode = BuildTable().ToFrozenDictionary(s => s.Code);

    // Built on first lookup by name: a scan never needs it, and a case-insensitive frozen dictionary of ~700 names
    // is a noticeable part of a native build's start-up.
    private static readonly Lazy<FrozenDictionary<string, CipherSuite>> ByName = new(() => ByCode.Values
        .SelectMany(s => s.OpenSslName is null ? new[] { (s.Name, s) } : new[] { (s.Name, s), (s.OpenSslName, s) })
        .GroupBy(p => p.Item1, StringComparer.OrdinalIgnoreCase)
        .ToFrozenDictionary(g => g.Key, g => g.First().s, StringComparer.OrdinalIgnoreCase));

    /// <summary>Every registered suite (SCSVs included), ordered by code.</summary>
    public static IReadOnlyList<CipherSuite> All { get; } = ByCode.Values.OrderBy(s => s.Code).ToArray();

    /// <summary>The suite for a code; an unknown code yields a placeholder named by its hex value.</summary>
    public static CipherSuite Get(ushort code) =>
        ByCode.TryGetValue(code, out var s)
            ? s
            : new CipherSuite(code, $"0x{code:x4}", null, KeyExchange.Unknown, Authentication.Unknown, "unknown", 0, "unknown",
                TlsVersion.SSLv3, TlsVersion.TLSv1_3, Known: false);

    /// <summary>True when the code is in the registry.</summary>
    public static bool IsKnown(ushort code) => ByCode.ContainsKey(code);

    /// <summary>Looks a suite up by IANA name, OpenSSL name or hex code ("0x0039").</summary>
    public static bool TryParse(string? text, out CipherSuite suite)
    {
        suite = null!;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim();
        if (ByName.Value.TryGetValue(t, out var s)) { suite = s; return true; }
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) &&
            ushort.TryParse(t.AsSpan(2), System.Globalization.NumberStyles.HexNumber, null, out var code))
        {
            suite = Get(code);
            return true;
        }
        return false;
    }

    /// <summary>Suites that may be negotiated in a version, SCSVs excluded, ordered by code.</summary>
    public static IReadOnlyList<CipherSuite> ValidIn(TlsVersion version) => All.Where(s => s.ValidIn(version)).ToArray();

    public const ushort EmptyRenegotiationInfoScsv = 0x00FF;
    public const ushort FallbackScsv = 0x5600;
}
