using System.Collections.Frozen;

namespace TlsDoctor.Core;

/// <summary>
/// Name lookups that never fail: the registries first, then a derivation from the IANA name, so that data files
/// (Windows suite lists, user-written profiles) stay usable while a registry lacks an entry.
/// </summary>
public static class Vocabulary
{
    /// <summary>The suite for an IANA name; when the registry lacks it, a record derived from the name with the given code.</summary>
    public static CipherSuite Suite(string ianaName, ushort? code = null)
    {
        if (CipherSuites.TryParse(ianaName, out var s) && s.Known) return s;
        if (code is { } c && CipherSuites.IsKnown(c)) return CipherSuites.Get(c);
        return Derive(ianaName, code ?? 0);
    }

    /// <summary>The suite for a name or hex code; false when neither the registry nor the name's shape tells what it is.</summary>
    public static bool TryParseSuite(string? text, out CipherSuite suite)
    {
        suite = null!;
        if (string.IsNullOrWhiteSpace(text)) return false;
        if (CipherSuites.TryParse(text, out suite)) return true;
        var t = text.Trim();
        if (!t.StartsWith("TLS_", StringComparison.OrdinalIgnoreCase) && !t.StartsWith("SSL_", StringComparison.OrdinalIgnoreCase)) return false;
        suite = Derive(t.ToUpperInvariant(), 0);
        return suite.KeyExchange != KeyExchange.Unknown;
    }

    /// <summary>The signature scheme for an IANA name (registry first, then the standard code table).</summary>
    public static SignatureScheme Scheme(string name)
    {
        if (SignatureSchemes.TryParse(name, out var s)) return s;
        if (StandardSchemes.TryGetValue(name, out var code))
        {
            var parts = name.Split('_');
            var hash = parts[^1] is "sha1" or "sha224" or "sha256" or "sha384" or "sha512" or "md5" ? parts[^1] : "none";
            var sig = name.StartsWith("rsa_pss", StringComparison.Ordinal) ? "rsa_pss" : parts[0];
            return new SignatureScheme(code, name, hash, sig, Known: false);
        }
        return new SignatureScheme(0, name, "unknown", "unknown", Known: false);
    }

    /// <summary>The group for a name or alias (registry first, then the standard code table).</summary>
    public static NamedGroup Group(string name)
    {
        if (NamedGroups.TryParse(name, out var g)) return g;
        if (StandardGroups.TryGetValue(name, out var e)) return new NamedGroup(e.Code, name, e.Kind, e.Bits, Known: false);
        return new NamedGroup(0, name, GroupKind.Unknown, 0, Known: false);
    }

    // Standard IANA values (RFC 8446 §4.2.3 and the TLS 1.2 hash/signature pairs of RFC 5246 §7.4.1.4.1).
    private static readonly FrozenDictionary<string, ushort> StandardSchemes = new Dictionary<string, ushort>
    {
        ["rsa_pkcs1_md5"] = 0x0101, ["rsa_pkcs1_sha1"] = 0x0201, ["dsa_sha1"] = 0x0202, ["ecdsa_sha1"] = 0x0203,
        ["rsa_pkcs1_sha224"] = 0x0301, ["dsa_sha224"] = 0x0302, ["ecdsa_sha224"] = 0x0303,
        ["rsa_pkcs1_sha256"] = 0x0401, ["dsa_sha256"] = 0x0402, ["ecdsa_secp256r1_sha256"] = 0x0403,
        ["rsa_pkcs1_sha384"] = 0x0501, ["dsa_sha384"] = 0x0502, ["ecdsa_secp384r1_sha384"] = 0x0503,
        ["rsa_pkcs1_sha512"] = 0x0601, ["dsa_sha512"] = 0x0602, ["ecdsa_secp521r1_sha512"] = 0x0603,
        ["rsa_pss_rsae_sha256"] = 0x0804, ["rsa_pss_rsae_sha384"] = 0x0805, ["rsa_pss_rsae_sha512"] = 0x0806,
        ["ed25519"] = 0x0807, ["ed448"] = 0x0808,
        ["rsa_pss_pss_sha256"] = 0x0809, ["rsa_pss_pss_sha384"] = 0x080A, ["rsa_pss_pss_sha512"] = 0x080B,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, (ushort Code, GroupKind Kind, int Bits)> StandardGroups =
        new Dictionary<string, (ushort, GroupKind, int)>
        {
            ["secp256r1"] = (23, GroupKind.EllipticCurve, 256), ["secp384r1"] = (24, GroupKind.EllipticCurve, 384),
            ["secp521r1"] = (25, GroupKind.EllipticCurve, 521), ["x25519"] = (29, GroupKind.EllipticCurve, 255),
            ["x448"] = (30, GroupKind.EllipticCurve, 448),
            ["ffdhe2048"] = (256, GroupKind.FiniteField, 2048), ["ffdhe3072"] = (257, GroupKind.FiniteField, 3072),
            ["ffdhe4096"] = (258, GroupKind.FiniteField, 4096), ["ffdhe6144"] = (259, GroupKind.FiniteField, 6144),
            ["ffdhe8192"] = (260, GroupKind.FiniteField, 8192),
            ["X25519MLKEM768"] = (0x11EC, GroupKind.Hybrid, 255), ["SecP256r1MLKEM768"] = (0x11EB, GroupKind.Hybrid, 256),
            ["SecP384r1MLKEM1024"] = (0x11ED, GroupKind.Hybrid, 384),
        }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads key exchange, authentication, cipher and MAC from the shape of an IANA suite name.</summary>
    private static CipherSuite Derive(string name, ushort code)
    {
        var n = name.ToUpperInvariant();
        if (n.StartsWith("TLS_", StringComparison.Ordinal) && !n.Contains("_WITH_", StringComparison.Ordinal))
        {
            // TLS 1.3: TLS_<cipher>_<hash>
            var body = n[4..];
            var cut = body.LastIndexOf('_');
            var cipher13 = cut > 0 ? body[..cut] : body;
            return new CipherSuite(code, name, name, KeyExchange.Any, Authentication.Any, cipher13, Bits(cipher13),
                cut > 0 ? body[(cut + 1)..] : "unknown", TlsVersion.TLSv1_3, TlsVersion.TLSv1_3, Known: false);
        }
        var with = n.IndexOf("_WITH_", StringComparison.Ordinal);
        if (with < 0 || !(n.StartsWith("TLS_", StringComparison.Ordinal) || n.StartsWith("SSL_", StringComparison.Ordinal)))
            return new CipherSuite(code, name, null, KeyExchange.Unknown, Authentication.Unknown, "unknown", 0, "unknown",
                TlsVersion.SSLv3, TlsVersion.TLSv1_2, Known: false);
        var kxText = n[4..with];
        var rest = n[(with + 6)..];
        var export = kxText.Contains("EXPORT", StringComparison.Ordinal);
        kxText = kxText.Replace("_EXPORT1024", "").Replace("_EXPORT", "");
        var (kx, au) = kxText switch
        {
            "RSA" => (KeyExchange.RSA, Authentication.RSA),
            "DHE_RSA" => (KeyExchange.DHE, Authentication.RSA),
            "DHE_DSS" => (KeyExchange.DHE, Authentication.DSS),
            "DH_RSA" => (KeyExchange.DH, Authentication.RSA),
            "DH_DSS" => (KeyExchange.DH, Authentication.DSS),
            "DH_ANON" => (KeyExchange.DH, Authentication.Anonymous),
            "ECDHE_RSA" => (KeyExchange.ECDHE, Authentication.RSA),
            "ECDHE_ECDSA" => (KeyExchange.ECDHE, Authentication.ECDSA),
            "ECDH_RSA" => (KeyExchange.ECDH, Authentication.RSA),
            "ECDH_ECDSA" => (KeyExchange.ECDH, Authentication.ECDSA),
            "ECDH_ANON" => (KeyExchange.ECDH, Authentication.Anonymous),
            "PSK" => (KeyExchange.PSK, Authentication.PSK),
            "DHE_PSK" => (KeyExchange.DHE_PSK, Authentication.PSK),
            "RSA_PSK" => (KeyExchange.RSA_PSK, Authentication.RSA),
            "ECDHE_PSK" => (KeyExchange.ECDHE_PSK, Authentication.PSK),
            "NULL" => (KeyExchange.Null, Authentication.Null),
            _ => (KeyExchange.Unknown, Authentication.Unknown),
        };
        var macCut = rest.LastIndexOf('_');
        var mac = macCut > 0 ? rest[(macCut + 1)..] : rest;
        var cipher = macCut > 0 ? rest[..macCut] : rest;
        if (mac is "CCM" or "8") { cipher = rest; mac = "SHA256"; }
        var aead = cipher.Contains("GCM", StringComparison.Ordinal) || cipher.Contains("CCM", StringComparison.Ordinal) || cipher.Contains("POLY1305", StringComparison.Ordinal);
        var tls12Only = aead || mac is "SHA256" or "SHA384";
        var bits = export ? (cipher.Contains("56", StringComparison.Ordinal) ? 56 : 40) : Bits(cipher);
        return new CipherSuite(code, name, null, kx, au, cipher, bits, mac,
            tls12Only ? TlsVersion.TLSv1_2 : TlsVersion.SSLv3, TlsVersion.TLSv1_2, Export: export, Known: false);
    }

    private static int Bits(string cipher) => cipher switch
    {
        _ when cipher.StartsWith("NULL", StringComparison.Ordinal) => 0,
        _ when cipher.StartsWith("3DES", StringComparison.Ordinal) => 112,
        _ when cipher.StartsWith("DES", StringComparison.Ordinal) => 56,
        _ when cipher.Contains("256", StringComparison.Ordinal) || cipher.StartsWith("CHACHA20", StringComparison.Ordinal) => 256,
        _ when cipher.Contains("128", StringComparison.Ordinal) => 128,
        _ => 0,
    };
}
