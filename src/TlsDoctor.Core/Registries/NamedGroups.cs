using System.Collections.Frozen;

namespace TlsDoctor.Core;

/// <summary>The IANA TLS Supported Groups registry.</summary>
public static partial class NamedGroups
{
    private static readonly FrozenDictionary<ushort, NamedGroup> ByCode = BuildTable().ToFrozenDictionary(g => g.Code);

    /// <summary>Every registered group, ordered by code.</summary>
    public static IReadOnlyList<NamedGroup> All { get; } = ByCode.Values.OrderBy(g => g.Code).ToArray();

    /// <summary>The group for a code; an unknown code yields a placeholder named by its hex value.</summary>
    public static NamedGroup Get(ushort code) =>
        ByCode.TryGetValue(code, out var g) ? g : new NamedGroup(code, $"0x{code:x4}", GroupKind.Unknown, 0, Known: false);

    /// <summary>Looks a group up by IANA name (case-insensitive), common alias (P-256, prime256v1) or hex code.</summary>
    public static bool TryParse(string? text, out NamedGroup group)
    {
        group = null!;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim();
        foreach (var g in All)
            if (string.Equals(g.Name, t, StringComparison.OrdinalIgnoreCase)) { group = g; return true; }
        var alias = t.ToUpperInvariant() switch
        {
            "P-256" or "PRIME256V1" or "NISTP256" or "CURVE_P256" => "secp256r1",
            "P-384" or "NISTP384" or "CURVE_P384" => "secp384r1",
            "P-521" or "NISTP521" or "CURVE_P521" => "secp521r1",
            "X25519" or "CURVE25519" or "CURVE_25519" => "x25519",
            _ => null,
        };
        if (alias is not null) return TryParse(alias, out group);
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) &&
            ushort.TryParse(t.AsSpan(2), System.Globalization.NumberStyles.HexNumber, null, out var code))
        {
            group = Get(code);
            return true;
        }
        return false;
    }

    // Placeholder table; the full IANA registry replaces it.
    private static IEnumerable<NamedGroup> BuildTable()
    {
        yield return new(0x0017, "secp256r1", GroupKind.EllipticCurve, 256);
        yield return new(0x0018, "secp384r1", GroupKind.EllipticCurve, 384);
        yield return new(0x0019, "secp521r1", GroupKind.EllipticCurve, 521);
        yield return new(0x001D, "x25519", GroupKind.EllipticCurve, 255);
        yield return new(0x0100, "ffdhe2048", GroupKind.FiniteField, 2048);
    }
}

/// <summary>The IANA TLS SignatureScheme registry, with the TLS 1.2 hash/signature pairs.</summary>
public static partial class SignatureSchemes
{
    private static readonly FrozenDictionary<ushort, SignatureScheme> ByCode = BuildTable().ToFrozenDictionary(g => g.Code);

    /// <summary>Every registered scheme, ordered by code.</summary>
    public static IReadOnlyList<SignatureScheme> All { get; } = ByCode.Values.OrderBy(g => g.Code).ToArray();

    /// <summary>The scheme for a code; an unknown code yields a placeholder named by its hex value.</summary>
    public static SignatureScheme Get(ushort code) =>
        ByCode.TryGetValue(code, out var g) ? g : new SignatureScheme(code, $"0x{code:x4}", "unknown", "unknown", Known: false);

    /// <summary>Looks a scheme up by IANA name or hex code.</summary>
    public static bool TryParse(string? text, out SignatureScheme scheme)
    {
        scheme = null!;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim();
        foreach (var g in All)
            if (string.Equals(g.Name, t, StringComparison.OrdinalIgnoreCase)) { scheme = g; return true; }
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) &&
            ushort.TryParse(t.AsSpan(2), System.Globalization.NumberStyles.HexNumber, null, out var code))
        {
            scheme = Get(code);
            return true;
        }
        return false;
    }

    // Placeholder table; the full IANA registry replaces it.
    private static IEnumerable<SignatureScheme> BuildTable()
    {
        yield return new(0x0401, "rsa_pkcs1_sha256", "sha256", "rsa");
        yield return new(0x0403, "ecdsa_secp256r1_sha256", "sha256", "ecdsa");
        yield return new(0x0804, "rsa_pss_rsae_sha256", "sha256", "rsa_pss");
        yield return new(0x0201, "rsa_pkcs1_sha1", "sha1", "rsa");
    }
}
