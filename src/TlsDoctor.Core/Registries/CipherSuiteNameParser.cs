namespace TlsDoctor.Core;

/// <summary>Derives a suite's algorithms and version range from its IANA name.</summary>
/// <remarks>
/// The IANA names are regular enough that key exchange, authentication, cipher, MAC and the
/// version range follow from the name; the few suites whose names do not follow the pattern
/// (GOST, ECCPWD, integrity-only) carry explicit overrides in the table.
/// </remarks>
internal static class CipherSuiteNameParser
{
    private static readonly HashSet<string> HashTokens = ["SHA", "SHA256", "SHA384", "SHA512", "MD5", "SM3", "NULL"];

    private static readonly IReadOnlyDictionary<string, string> NoOverrides = new Dictionary<string, string>();

    /// <summary>Builds the suite for one table row; throws on a name it cannot read so a bad row fails loudly at type init.</summary>
    internal static CipherSuite Parse(ushort code, string iana, string? openSsl, IReadOnlyDictionary<string, string> overrides) =>
        TryParse(code, iana, openSsl, overrides, out var suite, out var error) ? suite : throw new FormatException(error);

    /// <summary>
    /// A suite outside the registry (a newer Windows list, a hand-written profile) read from its name by the same rules,
    /// marked <c>Known = false</c>; SSL_ names and any letter case are accepted. False when the name does not say enough.
    /// </summary>
    internal static bool TryDerive(string name, ushort code, out CipherSuite suite)
    {
        var n = name.Trim().ToUpperInvariant().Replace("_ANON_", "_anon_", StringComparison.Ordinal);
        if (n.StartsWith("SSL_", StringComparison.Ordinal)) n = "TLS_" + n[4..];
        if (!TryParse(code, n, null, NoOverrides, out suite, out _)) return false;
        suite = suite with { Name = name, Known = false };
        return true;
    }

    private static bool TryParse(ushort code, string iana, string? openSsl, IReadOnlyDictionary<string, string> overrides, out CipherSuite suite, out string? error)
    {
        suite = null!;
        error = null;
        if (!iana.StartsWith("TLS_", StringComparison.Ordinal))
        {
            error = $"0x{code:x4}: IANA name must start with TLS_: {iana}";
            return false;
        }
        var body = iana[4..];

        if (body.EndsWith("_SCSV", StringComparison.Ordinal))
        {
            suite = new CipherSuite(code, iana, openSsl, KeyExchange.Null, Authentication.Null, "NULL", 0, "NULL",
                TlsVersion.SSLv3, TlsVersion.TLSv1_2, Scsv: true);
            return true;
        }

        // TLS 1.3 names carry no key exchange: TLS_AES_128_GCM_SHA256.
        var with = body.IndexOf("_WITH_", StringComparison.Ordinal);
        var tls13 = with < 0;
        var prefix = tls13 ? "" : body[..with];
        var rest = tls13 ? body : body[(with + 6)..];

        // EXPORT1024 suites (RFC draft, never registered) are export-grade with a 56-bit cipher.
        var export = prefix.Contains("_EXPORT", StringComparison.Ordinal);
        if (export) prefix = prefix.Replace("_EXPORT1024", "", StringComparison.Ordinal).Replace("_EXPORT", "", StringComparison.Ordinal);
        if (ParsePrefix(prefix) is not { } kxau)
        {
            error = $"0x{code:x4}: unknown key exchange {prefix}";
            return false;
        }
        var (kx, au) = kxau;

        var tokens = rest.Split('_');
        string cipher, mac;
        if (tokens.Length > 1 && HashTokens.Contains(tokens[^1]))
        {
            mac = tokens[^1];
            cipher = string.Join('_', tokens[..^1]);
        }
        else
        {
            // AES_128_CCM and AES_128_CCM_8 (RFC 6655, 7251) name no hash; their PRF is SHA-256.
            cipher = rest;
            mac = "SHA256";
        }
        if (overrides.TryGetValue("cipher", out var c)) cipher = c;
        if (overrides.TryGetValue("mac", out var m)) mac = m;

        var bits = overrides.TryGetValue("bits", out var b) ? int.Parse(b, System.Globalization.CultureInfo.InvariantCulture) : CipherBits(cipher);
        if (bits < 0)
        {
            error = $"0x{code:x4}: cannot tell the key size of cipher {cipher}";
            return false;
        }

        var (min, max) = VersionRange(tls13, export, kx, cipher, mac);

        if (overrides.TryGetValue("kx", out var k)) kx = Enum.Parse<KeyExchange>(k);
        if (overrides.TryGetValue("au", out var a)) au = Enum.Parse<Authentication>(a);
        if (overrides.TryGetValue("min", out var mi)) min = ParseVersion(code, mi);
        if (overrides.TryGetValue("max", out var ma)) max = ParseVersion(code, ma);

        suite = new CipherSuite(code, iana, openSsl, kx, au, cipher, bits, mac, min, max, Export: export);
        return true;
    }

    /// <summary>True for authenticated-encryption ciphers, which TLS only defines from 1.2 on.</summary>
    internal static bool IsAead(string cipher) =>
        cipher.Contains("_GCM", StringComparison.Ordinal) || cipher.Contains("_CCM", StringComparison.Ordinal) ||
        cipher.Contains("CHACHA20_POLY1305", StringComparison.Ordinal) || cipher.Contains("_MGM", StringComparison.Ordinal) ||
        cipher.StartsWith("AEGIS", StringComparison.Ordinal);

    private static (KeyExchange, Authentication)? ParsePrefix(string prefix) => prefix switch
    {
        "" => (KeyExchange.Any, Authentication.Any),
        "NULL" => (KeyExchange.Null, Authentication.Null),
        "RSA" => (KeyExchange.RSA, Authentication.RSA),
        "DH_DSS" => (KeyExchange.DH, Authentication.DSS),
        "DH_RSA" => (KeyExchange.DH, Authentication.RSA),
        "DHE_DSS" => (KeyExchange.DHE, Authentication.DSS),
        "DHE_RSA" => (KeyExchange.DHE, Authentication.RSA),
        "DH_anon" => (KeyExchange.DH, Authentication.Anonymous),
        "KRB5" => (KeyExchange.KRB5, Authentication.KRB5),
        "PSK" => (KeyExchange.PSK, Authentication.PSK),
        // 0xC0AA/0xC0AB are registered as TLS_PSK_DHE_WITH_…, the same exchange as DHE_PSK.
        "DHE_PSK" or "PSK_DHE" => (KeyExchange.DHE_PSK, Authentication.PSK),
        "RSA_PSK" => (KeyExchange.RSA_PSK, Authentication.RSA),
        "ECDHE_PSK" => (KeyExchange.ECDHE_PSK, Authentication.PSK),
        "ECDH_ECDSA" => (KeyExchange.ECDH, Authentication.ECDSA),
        "ECDH_RSA" => (KeyExchange.ECDH, Authentication.RSA),
        "ECDHE_ECDSA" => (KeyExchange.ECDHE, Authentication.ECDSA),
        "ECDHE_RSA" => (KeyExchange.ECDHE, Authentication.RSA),
        "ECDH_anon" => (KeyExchange.ECDH, Authentication.Anonymous),
        "SRP_SHA" => (KeyExchange.SRP, Authentication.SRP),
        "SRP_SHA_RSA" => (KeyExchange.SRP, Authentication.RSA),
        "SRP_SHA_DSS" => (KeyExchange.SRP, Authentication.DSS),
        // RFC 8492 authenticates with a password; Authentication has no member for that.
        "ECCPWD" => (KeyExchange.ECCPWD, Authentication.Unknown),
        "GOSTR341112_256" => (KeyExchange.GOST, Authentication.GOST),
        _ => null,
    };

    private static int CipherBits(string cipher)
    {
        var t = cipher.Split('_');
        if (cipher == "NULL") return 0;
        // Export ciphers: RC4_40, RC2_CBC_40, DES40_CBC, DES_CBC_40.
        if (t.Contains("40") || t[0] == "DES40") return 40;
        switch (t[0])
        {
            case "3DES": return 112; // three keys, but meet-in-the-middle leaves 112 bits
            case "DES": return 56;
            case "CHACHA20": return 256;
            case "SEED" or "IDEA" or "SM4": return 128;
            case "AEGIS" when t.Length > 1 && t[1] == "128L": return 128;
        }
        if (t.Length > 1 && int.TryParse(t[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) &&
            n is 56 or 128 or 256)
            return n;
        return -1;
    }

    private static (TlsVersion Min, TlsVersion Max) VersionRange(bool tls13, bool export, KeyExchange kx, string cipher, string mac)
    {
        if (tls13) return (TlsVersion.TLSv1_3, TlsVersion.TLSv1_3);
        if (IsAead(cipher)) return (TlsVersion.TLSv1_2, TlsVersion.TLSv1_2);
        if (mac is "SHA256" or "SHA384")
        {
            // RFC 5487, 5489, 6209 and 6367 allow the PSK CBC/NULL suites with SHA-2 MACs before TLS 1.2.
            var psk = kx is KeyExchange.PSK or KeyExchange.DHE_PSK or KeyExchange.RSA_PSK or KeyExchange.ECDHE_PSK;
            return (psk ? TlsVersion.TLSv1_0 : TlsVersion.TLSv1_2, TlsVersion.TLSv1_2);
        }
        // RFC 4346 (TLS 1.1) forbids negotiating export suites.
        if (export) return (TlsVersion.SSLv3, TlsVersion.TLSv1_0);
        // RFC 4492 suites need the TLS hello extensions, which SSLv3 lacks.
        if (kx is KeyExchange.ECDH or KeyExchange.ECDHE or KeyExchange.ECDHE_PSK) return (TlsVersion.TLSv1_0, TlsVersion.TLSv1_2);
        return (TlsVersion.SSLv3, TlsVersion.TLSv1_2);
    }

    private static TlsVersion ParseVersion(ushort code, string text) =>
        TlsVersions.TryParse(text, out var v) ? v : throw new FormatException($"0x{code:x4}: bad version {text}");
}
