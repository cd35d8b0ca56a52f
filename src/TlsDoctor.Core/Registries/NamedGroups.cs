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

    // The IANA TLS Supported Groups registry. Bits: curve or field size; for hybrids the classical
    // half's curve size; for pure ML-KEM the parameter set (512/768/1024), which GroupKind cannot name.
    private static IEnumerable<NamedGroup> BuildTable()
    {
        const GroupKind EC = GroupKind.EllipticCurve, FF = GroupKind.FiniteField, HY = GroupKind.Hybrid;
        (ushort Code, string Name, GroupKind Kind, int Bits)[] rows =
        [
            (0x0001, "sect163k1", EC, 163), (0x0002, "sect163r1", EC, 163), (0x0003, "sect163r2", EC, 163),
            (0x0004, "sect193r1", EC, 193), (0x0005, "sect193r2", EC, 193), (0x0006, "sect233k1", EC, 233),
            (0x0007, "sect233r1", EC, 233), (0x0008, "sect239k1", EC, 239), (0x0009, "sect283k1", EC, 283),
            (0x000A, "sect283r1", EC, 283), (0x000B, "sect409k1", EC, 409), (0x000C, "sect409r1", EC, 409),
            (0x000D, "sect571k1", EC, 571), (0x000E, "sect571r1", EC, 571), (0x000F, "secp160k1", EC, 160),
            (0x0010, "secp160r1", EC, 160), (0x0011, "secp160r2", EC, 160), (0x0012, "secp192k1", EC, 192),
            (0x0013, "secp192r1", EC, 192), (0x0014, "secp224k1", EC, 224), (0x0015, "secp224r1", EC, 224),
            (0x0016, "secp256k1", EC, 256), (0x0017, "secp256r1", EC, 256), (0x0018, "secp384r1", EC, 384),
            (0x0019, "secp521r1", EC, 521), (0x001A, "brainpoolP256r1", EC, 256), (0x001B, "brainpoolP384r1", EC, 384),
            (0x001C, "brainpoolP512r1", EC, 512), (0x001D, "x25519", EC, 255), (0x001E, "x448", EC, 448),
            (0x001F, "brainpoolP256r1tls13", EC, 256), (0x0020, "brainpoolP384r1tls13", EC, 384),
            (0x0021, "brainpoolP512r1tls13", EC, 512),
            (0x0022, "GC256A", EC, 256), (0x0023, "GC256B", EC, 256), (0x0024, "GC256C", EC, 256), (0x0025, "GC256D", EC, 256),
            (0x0026, "GC512A", EC, 512), (0x0027, "GC512B", EC, 512), (0x0028, "GC512C", EC, 512),
            (0x0029, "curveSM2", EC, 256),
            (0x0100, "ffdhe2048", FF, 2048), (0x0101, "ffdhe3072", FF, 3072), (0x0102, "ffdhe4096", FF, 4096),
            (0x0103, "ffdhe6144", FF, 6144), (0x0104, "ffdhe8192", FF, 8192),
            (0x0200, "MLKEM512", GroupKind.Unknown, 512), (0x0201, "MLKEM768", GroupKind.Unknown, 768),
            (0x0202, "MLKEM1024", GroupKind.Unknown, 1024),
            (0x11EB, "SecP256r1MLKEM768", HY, 256), (0x11EC, "X25519MLKEM768", HY, 255), (0x11ED, "SecP384r1MLKEM1024", HY, 384),
            // Pre-standard Kyber hybrids, still registered (obsolete) and still seen from older clients.
            (0x6399, "X25519Kyber768Draft00", HY, 255), (0x639A, "SecP256r1Kyber768Draft00", HY, 256),
            // RFC 8422 deprecated these; a server that lists them accepts explicit curve parameters.
            (0xFF01, "arbitrary_explicit_prime_curves", EC, 0), (0xFF02, "arbitrary_explicit_char2_curves", EC, 0),
        ];
        return rows.Select(r => new NamedGroup(r.Code, r.Name, r.Kind, r.Bits));
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

    /// <summary>Looks a scheme up by IANA name, the {signature}_{hash} spelling of a TLS 1.2 SHA-224 pair, or hex code.</summary>
    public static bool TryParse(string? text, out SignatureScheme scheme)
    {
        scheme = null!;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim();
        foreach (var g in All)
            if (string.Equals(g.Name, t, StringComparison.OrdinalIgnoreCase)) { scheme = g; return true; }
        // RFC 8447 renamed the SHA-224 pairs (sha224_rsa); profiles written in the RFC 8446 style still say rsa_pkcs1_sha224.
        var alias = t.ToLowerInvariant() switch
        {
            "rsa_pkcs1_sha224" => "sha224_rsa",
            "dsa_sha224" => "sha224_dsa",
            "ecdsa_sha224" => "sha224_ecdsa",
            _ => null,
        };
        if (alias is not null) return TryParse(alias, out scheme);
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) &&
            ushort.TryParse(t.AsSpan(2), System.Globalization.NumberStyles.HexNumber, null, out var code))
        {
            scheme = Get(code);
            return true;
        }
        return false;
    }

    // TLS 1.2 hash/signature pairs (RFC 5246 7.4.1.4.1) under their IANA names where one exists
    // (rsa_pkcs1_sha256, ecdsa_sha1, RFC 8447's sha224_rsa), else {signature}_{hash}; then the
    // TLS 1.3 SignatureScheme entries that are not such a pair.
    private static IEnumerable<SignatureScheme> BuildTable()
    {
        string[] hashes = ["none", "md5", "sha1", "sha224", "sha256", "sha384", "sha512"];
        string[] signatures = ["anonymous", "rsa", "dsa", "ecdsa"];
        for (var h = 0; h < hashes.Length; h++)
        {
            for (var s = 0; s < signatures.Length; s++)
            {
                var hash = hashes[h];
                var sig = signatures[s];
                var name = (sig, hash) switch
                {
                    (_, "sha224") when sig != "anonymous" => $"sha224_{sig}",
                    ("rsa", _) => $"rsa_pkcs1_{hash}",
                    ("ecdsa", "sha256") => "ecdsa_secp256r1_sha256",
                    ("ecdsa", "sha384") => "ecdsa_secp384r1_sha384",
                    ("ecdsa", "sha512") => "ecdsa_secp521r1_sha512",
                    _ => $"{sig}_{hash}",
                };
                yield return new SignatureScheme((ushort)((h << 8) | s), name, hash, sig);
            }
        }

        (ushort Code, string Name, string Hash, string Signature)[] tls13 =
        [
            // RFC 8446 TLS 1.2 client-auth workaround (draft-ietf-tls-tls13-pkcs1).
            (0x0420, "rsa_pkcs1_sha256_legacy", "sha256", "rsa"),
            (0x0520, "rsa_pkcs1_sha384_legacy", "sha384", "rsa"),
            (0x0620, "rsa_pkcs1_sha512_legacy", "sha512", "rsa"),
            (0x0704, "eccsi_sha256", "sha256", "eccsi"),
            (0x0705, "iso_ibs1", "none", "iso_ibs1"),
            (0x0706, "iso_ibs2", "none", "iso_ibs2"),
            (0x0707, "iso_chinese_ibs", "none", "iso_chinese_ibs"),
            (0x0708, "sm2sig_sm3", "sm3", "sm2"),
            (0x0709, "gostr34102012_256a", "gostr34112012_256", "gostr34102012_256"),
            (0x070A, "gostr34102012_256b", "gostr34112012_256", "gostr34102012_256"),
            (0x070B, "gostr34102012_256c", "gostr34112012_256", "gostr34102012_256"),
            (0x070C, "gostr34102012_256d", "gostr34112012_256", "gostr34102012_256"),
            (0x070D, "gostr34102012_512a", "gostr34112012_512", "gostr34102012_512"),
            (0x070E, "gostr34102012_512b", "gostr34112012_512", "gostr34102012_512"),
            (0x070F, "gostr34102012_512c", "gostr34112012_512", "gostr34102012_512"),
            (0x0804, "rsa_pss_rsae_sha256", "sha256", "rsa_pss"),
            (0x0805, "rsa_pss_rsae_sha384", "sha384", "rsa_pss"),
            (0x0806, "rsa_pss_rsae_sha512", "sha512", "rsa_pss"),
            // EdDSA and ML-DSA hash internally; "none" says the scheme names no separate hash.
            (0x0807, "ed25519", "none", "ed25519"),
            (0x0808, "ed448", "none", "ed448"),
            (0x0809, "rsa_pss_pss_sha256", "sha256", "rsa_pss"),
            (0x080A, "rsa_pss_pss_sha384", "sha384", "rsa_pss"),
            (0x080B, "rsa_pss_pss_sha512", "sha512", "rsa_pss"),
            (0x081A, "ecdsa_brainpoolP256r1tls13_sha256", "sha256", "ecdsa"),
            (0x081B, "ecdsa_brainpoolP384r1tls13_sha384", "sha384", "ecdsa"),
            (0x081C, "ecdsa_brainpoolP512r1tls13_sha512", "sha512", "ecdsa"),
            (0x0904, "mldsa44", "none", "mldsa"),
            (0x0905, "mldsa65", "none", "mldsa"),
            (0x0906, "mldsa87", "none", "mldsa"),
        ];
        foreach (var r in tls13) yield return new SignatureScheme(r.Code, r.Name, r.Hash, r.Signature);
    }
}
