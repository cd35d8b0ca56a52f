using TlsDoctor.Core;

namespace TlsDoctor.Core.Tests;

public class CipherSuiteRegistryTests
{
    [Fact]
    public void Registry_holds_every_assigned_iana_code()
    {
        // 352 assigned code points in the IANA registry as of the AEGIS (0x1306/0x1307) additions.
        Assert.True(CipherSuites.All.Count >= 340, $"only {CipherSuites.All.Count} suites");
        Assert.Equal(352, CipherSuites.All.Count);
        Assert.All(CipherSuites.All, s => Assert.True(s.Known));
    }

    [Fact]
    public void Registry_covers_the_blocks_of_the_registry()
    {
        static int Count(int from, int to) => CipherSuites.All.Count(s => s.Code >= from && s.Code <= to);
        Assert.Equal(28, Count(0x0000, 0x001B));      // 0x1C-0x1D reserved for SSLv3 Fortezza
        Assert.Equal(0, Count(0x001C, 0x001D));
        Assert.Equal(41, Count(0x001E, 0x0046));
        Assert.Equal(0, Count(0x0047, 0x0066));       // reserved, incl. OpenSSL's unofficial EXP1024 suites
        Assert.Equal(7, Count(0x0067, 0x006D));
        Assert.Equal(68, Count(0x0084, 0x00C7));
        Assert.Equal(7, Count(0x1301, 0x1307));
        Assert.Equal(181, Count(0xC001, 0xC0B5));
        Assert.Equal(7, Count(0xC100, 0xC106));
        Assert.Equal(7, Count(0xCCA8, 0xCCAE));
        Assert.Equal(0, Count(0xCC13, 0xCC15));       // pre-RFC ChaCha20 code points are not IANA's
        Assert.Equal(4, Count(0xD001, 0xD005));
        Assert.False(CipherSuites.IsKnown(0xD004));   // never assigned
    }

    [Fact]
    public void All_is_ordered_by_code()
    {
        var codes = CipherSuites.All.Select(s => s.Code).ToArray();
        Assert.Equal(codes.Order().ToArray(), codes);
    }

    [Theory]
    // code, IANA name, OpenSSL name ("" none), kx, auth, cipher, bits, mac, min, max, export
    [InlineData(0x0000, "TLS_NULL_WITH_NULL_NULL", "", "Null", "Null", "NULL", 0, "NULL", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x0001, "TLS_RSA_WITH_NULL_MD5", "NULL-MD5", "RSA", "RSA", "NULL", 0, "MD5", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "EXP-RC4-MD5", "RSA", "RSA", "RC4_40", 40, "MD5", "SSLv3", "TLSv1.0", true)]
    [InlineData(0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RC4-MD5", "RSA", "RSA", "RC4_128", 128, "MD5", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", "EXP-RC2-CBC-MD5", "RSA", "RSA", "RC2_CBC_40", 40, "MD5", "SSLv3", "TLSv1.0", true)]
    [InlineData(0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", "IDEA-CBC-SHA", "RSA", "RSA", "IDEA_CBC", 128, "SHA", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-DES-CBC-SHA", "RSA", "RSA", "DES40_CBC", 40, "SHA", "SSLv3", "TLSv1.0", true)]
    [InlineData(0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "DES-CBC-SHA", "RSA", "RSA", "DES_CBC", 56, "SHA", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", "RSA", "RSA", "3DES_EDE_CBC", 112, "SHA", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA", "DH-DSS-DES-CBC3-SHA", "DH", "DSS", "3DES_EDE_CBC", 112, "SHA", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", "EDH-DSS-DES-CBC3-SHA", "DHE", "DSS", "3DES_EDE_CBC", 112, "SHA", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-RSA-DES-CBC-SHA", "DHE", "RSA", "DES40_CBC", 40, "SHA", "SSLv3", "TLSv1.0", true)]
    [InlineData(0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", "EXP-ADH-RC4-MD5", "DH", "Anonymous", "RC4_40", 40, "MD5", "SSLv3", "TLSv1.0", true)]
    [InlineData(0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", "ADH-DES-CBC3-SHA", "DH", "Anonymous", "3DES_EDE_CBC", 112, "SHA", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x001E, "TLS_KRB5_WITH_DES_CBC_SHA", "KRB5-DES-CBC-SHA", "KRB5", "KRB5", "DES_CBC", 56, "SHA", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA", "EXP-KRB5-DES-CBC-SHA", "KRB5", "KRB5", "DES_CBC_40", 40, "SHA", "SSLv3", "TLSv1.0", true)]
    [InlineData(0x002C, "TLS_PSK_WITH_NULL_SHA", "PSK-NULL-SHA", "PSK", "PSK", "NULL", 0, "SHA", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", "RSA", "RSA", "AES_128_CBC", 128, "SHA", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA", "DHE", "RSA", "AES_256_CBC", 256, "SHA", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x003B, "TLS_RSA_WITH_NULL_SHA256", "NULL-SHA256", "RSA", "RSA", "NULL", 0, "SHA256", "TLSv1.2", "TLSv1.2", false)]
    [InlineData(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", "RSA", "RSA", "AES_128_CBC", 128, "SHA256", "TLSv1.2", "TLSv1.2", false)]
    [InlineData(0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", "CAMELLIA128-SHA", "RSA", "RSA", "CAMELLIA_128_CBC", 128, "SHA", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", "SEED-SHA", "RSA", "RSA", "SEED_CBC", 128, "SHA", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x008A, "TLS_PSK_WITH_RC4_128_SHA", "PSK-RC4-SHA", "PSK", "PSK", "RC4_128", 128, "SHA", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA", "RSA-PSK-AES128-CBC-SHA", "RSA_PSK", "RSA", "AES_128_CBC", 128, "SHA", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", "RSA", "RSA", "AES_128_GCM", 128, "SHA256", "TLSv1.2", "TLSv1.2", false)]
    [InlineData(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384", "DHE", "RSA", "AES_256_GCM", 256, "SHA384", "TLSv1.2", "TLSv1.2", false)]
    [InlineData(0x00AE, "TLS_PSK_WITH_AES_128_CBC_SHA256", "PSK-AES128-CBC-SHA256", "PSK", "PSK", "AES_128_CBC", 128, "SHA256", "TLSv1.0", "TLSv1.2", false)]
    [InlineData(0x00B5, "TLS_DHE_PSK_WITH_NULL_SHA384", "DHE-PSK-NULL-SHA384", "DHE_PSK", "PSK", "NULL", 0, "SHA384", "TLSv1.0", "TLSv1.2", false)]
    [InlineData(0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256", "ADH-CAMELLIA256-SHA256", "DH", "Anonymous", "CAMELLIA_256_CBC", 256, "SHA256", "TLSv1.2", "TLSv1.2", false)]
    [InlineData(0x00C6, "TLS_SM4_GCM_SM3", "TLS_SM4_GCM_SM3", "Any", "Any", "SM4_GCM", 128, "SM3", "TLSv1.3", "TLSv1.3", false)]
    [InlineData(0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", "", "Null", "Null", "NULL", 0, "NULL", "SSLv3", "TLSv1.2", false)]
    [InlineData(0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", "Any", "Any", "AES_128_GCM", 128, "SHA256", "TLSv1.3", "TLSv1.3", false)]
    [InlineData(0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", "Any", "Any", "AES_256_GCM", 256, "SHA384", "TLSv1.3", "TLSv1.3", false)]
    [InlineData(0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", "Any", "Any", "CHACHA20_POLY1305", 256, "SHA256", "TLSv1.3", "TLSv1.3", false)]
    [InlineData(0x1305, "TLS_AES_128_CCM_8_SHA256", "TLS_AES_128_CCM_8_SHA256", "Any", "Any", "AES_128_CCM_8", 128, "SHA256", "TLSv1.3", "TLSv1.3", false)]
    [InlineData(0x1306, "TLS_AEGIS_256_SHA512", "", "Any", "Any", "AEGIS_256", 256, "SHA512", "TLSv1.3", "TLSv1.3", false)]
    [InlineData(0x5600, "TLS_FALLBACK_SCSV", "", "Null", "Null", "NULL", 0, "NULL", "SSLv3", "TLSv1.2", false)]
    [InlineData(0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", "ECDH-ECDSA-RC4-SHA", "ECDH", "ECDSA", "RC4_128", 128, "SHA", "TLSv1.0", "TLSv1.2", false)]
    [InlineData(0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA", "ECDH-RSA-AES256-SHA", "ECDH", "RSA", "AES_256_CBC", 256, "SHA", "TLSv1.0", "TLSv1.2", false)]
    [InlineData(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", "ECDHE", "RSA", "AES_128_CBC", 128, "SHA", "TLSv1.0", "TLSv1.2", false)]
    [InlineData(0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", "AECDH-DES-CBC3-SHA", "ECDH", "Anonymous", "3DES_EDE_CBC", 112, "SHA", "TLSv1.0", "TLSv1.2", false)]
    [InlineData(0xC01E, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA", "SRP-RSA-AES-128-CBC-SHA", "SRP", "RSA", "AES_128_CBC", 128, "SHA", "SSLv3", "TLSv1.2", false)]
    [InlineData(0xC020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA", "SRP-AES-256-CBC-SHA", "SRP", "SRP", "AES_256_CBC", 256, "SHA", "SSLv3", "TLSv1.2", false)]
    [InlineData(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384", "ECDHE", "ECDSA", "AES_256_CBC", 256, "SHA384", "TLSv1.2", "TLSv1.2", false)]
    [InlineData(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE", "RSA", "AES_128_GCM", 128, "SHA256", "TLSv1.2", "TLSv1.2", false)]
    [InlineData(0xC035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", "ECDHE-PSK-AES128-CBC-SHA", "ECDHE_PSK", "PSK", "AES_128_CBC", 128, "SHA", "TLSv1.0", "TLSv1.2", false)]
    [InlineData(0xC03C, "TLS_RSA_WITH_ARIA_128_CBC_SHA256", "ARIA128-CBC-SHA256", "RSA", "RSA", "ARIA_128_CBC", 128, "SHA256", "TLSv1.2", "TLSv1.2", false)]
    [InlineData(0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ARIA256-GCM-SHA384", "ECDHE", "RSA", "ARIA_256_GCM", 256, "SHA384", "TLSv1.2", "TLSv1.2", false)]
    [InlineData(0xC065, "TLS_PSK_WITH_ARIA_256_CBC_SHA384", "", "PSK", "PSK", "ARIA_256_CBC", 256, "SHA384", "TLSv1.0", "TLSv1.2", false)]
    [InlineData(0xC07A, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256", "", "RSA", "RSA", "CAMELLIA_128_GCM", 128, "SHA256", "TLSv1.2", "TLSv1.2", false)]
    [InlineData(0xC09C, "TLS_RSA_WITH_AES_128_CCM", "AES128-CCM", "RSA", "RSA", "AES_128_CCM", 128, "SHA256", "TLSv1.2", "TLSv1.2", false)]
    [InlineData(0xC0AB, "TLS_PSK_DHE_WITH_AES_256_CCM_8", "DHE-PSK-AES256-CCM8", "DHE_PSK", "PSK", "AES_256_CCM_8", 256, "SHA256", "TLSv1.2", "TLSv1.2", false)]
    [InlineData(0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "ECDHE-ECDSA-AES128-CCM8", "ECDHE", "ECDSA", "AES_128_CCM_8", 128, "SHA256", "TLSv1.2", "TLSv1.2", false)]
    [InlineData(0xC0B1, "TLS_ECCPWD_WITH_AES_256_GCM_SHA384", "", "ECCPWD", "Unknown", "AES_256_GCM", 256, "SHA384", "TLSv1.2", "TLSv1.3", false)]
    [InlineData(0xC0B4, "TLS_SHA256_SHA256", "TLS_SHA256_SHA256", "Any", "Any", "NULL", 0, "SHA256", "TLSv1.3", "TLSv1.3", false)]
    [InlineData(0xC100, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC", "", "GOST", "GOST", "KUZNYECHIK_CTR", 256, "OMAC", "TLSv1.2", "TLSv1.2", false)]
    [InlineData(0xC102, "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT", "", "GOST", "GOST", "28147_CNT", 256, "IMIT", "TLSv1.2", "TLSv1.2", false)]
    [InlineData(0xC106, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S", "", "Any", "Any", "MAGMA_MGM_S", 256, "GOSTR341112_256", "TLSv1.3", "TLSv1.3", false)]
    [InlineData(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE", "RSA", "CHACHA20_POLY1305", 256, "SHA256", "TLSv1.2", "TLSv1.2", false)]
    [InlineData(0xCCAB, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", "PSK-CHACHA20-POLY1305", "PSK", "PSK", "CHACHA20_POLY1305", 256, "SHA256", "TLSv1.2", "TLSv1.2", false)]
    [InlineData(0xD003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256", "", "ECDHE_PSK", "PSK", "AES_128_CCM_8", 128, "SHA256", "TLSv1.2", "TLSv1.2", false)]
    public void Spot_check_against_known_values(int code, string iana, string openSsl, string kx, string auth, string cipher, int bits,
        string mac, string min, string max, bool export)
    {
        var s = CipherSuites.Get((ushort)code);
        Assert.True(s.Known);
        Assert.Equal((ushort)code, s.Code);
        Assert.Equal(iana, s.Name);
        Assert.Equal(openSsl == "" ? null : openSsl, s.OpenSslName);
        Assert.Equal(Enum.Parse<KeyExchange>(kx), s.KeyExchange);
        Assert.Equal(Enum.Parse<Authentication>(auth), s.Authentication);
        Assert.Equal(cipher, s.Cipher);
        Assert.Equal(bits, s.CipherBits);
        Assert.Equal(mac, s.Mac);
        Assert.Equal(min, s.MinVersion.Name());
        Assert.Equal(max, s.MaxVersion.Name());
        Assert.Equal(export, s.Export);
    }

    [Fact]
    public void Every_iana_name_is_unique_and_well_formed()
    {
        var names = CipherSuites.All.Select(s => s.Name).ToArray();
        Assert.Equal(names.Length, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(names, n => Assert.StartsWith("TLS_", n));
    }

    [Fact]
    public void Every_openssl_name_maps_to_exactly_one_suite()
    {
        var withName = CipherSuites.All.Where(s => s.OpenSslName is not null).ToArray();
        Assert.True(withName.Length >= 250, $"only {withName.Length} OpenSSL names");
        foreach (var group in withName.GroupBy(s => s.OpenSslName!, StringComparer.OrdinalIgnoreCase))
            Assert.True(group.Count() == 1, $"{group.Key} names {string.Join(", ", group.Select(s => s.Hex))}");
        // An OpenSSL name must not collide with a different suite's IANA name either.
        foreach (var s in withName)
        {
            Assert.True(CipherSuites.TryParse(s.OpenSslName, out var back));
            Assert.Same(s, back);
        }
    }

    [Fact]
    public void Every_suite_has_a_consistent_derivation()
    {
        foreach (var s in CipherSuites.All)
        {
            Assert.True(s.MinVersion <= s.MaxVersion, s.Name);
            Assert.True(s.CipherBits >= 0, s.Name);
            Assert.NotEqual(KeyExchange.Unknown, s.KeyExchange);
            if (s.Export)
            {
                Assert.Equal(40, s.CipherBits);
                Assert.Equal(TlsVersion.TLSv1_0, s.MaxVersion);
                Assert.Contains("_EXPORT_", s.Name);
            }
            if (s.IsAead()) Assert.True(s.MinVersion >= TlsVersion.TLSv1_2, s.Name);
            if (s.Cipher == "NULL") Assert.Equal(0, s.CipherBits);
            if (s.MinVersion == TlsVersion.TLSv1_3 && !s.Scsv)
            {
                Assert.Equal(KeyExchange.Any, s.KeyExchange);
                Assert.Equal(Authentication.Any, s.Authentication);
            }
            if (s.Name.Contains("_anon_")) Assert.Equal(Authentication.Anonymous, s.Authentication);
            Assert.Equal(s.Name.Contains("_SCSV"), s.Scsv);
            // The cipher string is a piece of the IANA name, except where TLS 1.3/GOST names say it differently.
            if (s.Cipher != "NULL" && !s.Name.StartsWith("TLS_GOSTR", StringComparison.Ordinal))
                Assert.Contains(s.Cipher, s.Name);
        }
    }

    [Fact]
    public void Export_suites_are_exactly_the_ones_named_export()
    {
        var export = CipherSuites.All.Where(s => s.Export).Select(s => s.Code).ToArray();
        Assert.Equal(
            [0x0003, 0x0006, 0x0008, 0x000B, 0x000E, 0x0011, 0x0014, 0x0017, 0x0019, 0x0026, 0x0027, 0x0028, 0x0029, 0x002A, 0x002B],
            export.Select(c => (int)c));
    }

    [Theory]
    [InlineData("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC02F)]
    [InlineData("tls_ecdhe_rsa_with_aes_128_gcm_sha256", 0xC02F)]
    [InlineData("ECDHE-RSA-AES128-GCM-SHA256", 0xC02F)]
    [InlineData("  DES-CBC3-SHA ", 0x000A)]
    [InlineData("EDH-RSA-DES-CBC3-SHA", 0x0016)]
    [InlineData("TLS_CHACHA20_POLY1305_SHA256", 0x1303)]
    [InlineData("0x0039", 0x0039)]
    [InlineData("0XC0B5", 0xC0B5)]
    [InlineData("TLS_FALLBACK_SCSV", 0x5600)]
    public void TryParse_accepts_iana_openssl_and_hex(string text, int code)
    {
        Assert.True(CipherSuites.TryParse(text, out var s));
        Assert.Equal((ushort)code, s.Code);
        Assert.True(s.Known);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("TLS_RSA_WITH_AES_512_CBC_SHA")]
    [InlineData("AES128")]
    [InlineData("0x")]
    [InlineData("0x1FFFF")]
    public void TryParse_rejects_names_that_are_not_suites(string? text) =>
        Assert.False(CipherSuites.TryParse(text, out _));

    [Theory]
    [InlineData(0x0A0A, "0x0a0a")]
    [InlineData(0xFAFA, "0xfafa")]
    [InlineData(0x0060, "0x0060")]
    [InlineData(0xCC13, "0xcc13")]
    [InlineData(0xFFFF, "0xffff")]
    public void Unknown_codes_round_trip_and_print_as_hex(int code, string hex)
    {
        var s = CipherSuites.Get((ushort)code);
        Assert.False(s.Known);
        Assert.False(CipherSuites.IsKnown((ushort)code));
        Assert.Equal((ushort)code, s.Code);
        Assert.Equal(hex, s.Name);
        Assert.Equal(hex, s.Hex);
        Assert.Equal(hex, s.ToString());
        Assert.Null(s.OpenSslName);
        Assert.Equal(KeyExchange.Unknown, s.KeyExchange);
        Assert.True(CipherSuites.TryParse(hex, out var parsed));
        Assert.Equal(s, parsed);
    }

    [Fact]
    public void Grease_values_are_never_registered_suites()
    {
        var grease = Enumerable.Range(0, 16).Select(i => (ushort)(0x0A0A + i * 0x1010)).ToArray();
        Assert.All(grease, g => Assert.True(Grease.IsGrease(g)));
        Assert.All(grease, g => Assert.False(CipherSuites.IsKnown(g)));
        Assert.False(Grease.IsGrease(0x0A1A));
        Assert.False(Grease.IsGrease(0xC02F));
        Assert.Equal(16, Enumerable.Range(0, 0x10000).Count(v => Grease.IsGrease((ushort)v)));
    }

    [Fact]
    public void ValidIn_follows_the_version_rules()
    {
        var gcm = CipherSuites.Get(0x009C); // TLS_RSA_WITH_AES_128_GCM_SHA256
        Assert.False(gcm.ValidIn(TlsVersion.TLSv1_0));
        Assert.False(gcm.ValidIn(TlsVersion.TLSv1_1));
        Assert.True(gcm.ValidIn(TlsVersion.TLSv1_2));
        Assert.False(gcm.ValidIn(TlsVersion.TLSv1_3));

        var tls13 = CipherSuites.Get(0x1301); // TLS_AES_128_GCM_SHA256
        Assert.Equal([TlsVersion.TLSv1_3], TlsVersions.All.Where(tls13.ValidIn));

        foreach (var scsv in new[] { CipherSuites.EmptyRenegotiationInfoScsv, CipherSuites.FallbackScsv })
            Assert.DoesNotContain(TlsVersions.All, CipherSuites.Get(scsv).ValidIn);

        var cbc = CipherSuites.Get(0x002F); // TLS_RSA_WITH_AES_128_CBC_SHA
        Assert.Equal([TlsVersion.SSLv3, TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2], TlsVersions.All.Where(cbc.ValidIn));

        var ecdhe = CipherSuites.Get(0xC014); // TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
        Assert.Equal([TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2], TlsVersions.All.Where(ecdhe.ValidIn));

        var export = CipherSuites.Get(0x0003); // TLS_RSA_EXPORT_WITH_RC4_40_MD5
        Assert.Equal([TlsVersion.SSLv3, TlsVersion.TLSv1_0], TlsVersions.All.Where(export.ValidIn));

        var eccpwd = CipherSuites.Get(0xC0B0); // RFC 8492: both 1.2 and 1.3
        Assert.Equal([TlsVersion.TLSv1_2, TlsVersion.TLSv1_3], TlsVersions.All.Where(eccpwd.ValidIn));
    }

    [Fact]
    public void ValidIn_lists_per_version_have_the_expected_shape()
    {
        Assert.Empty(CipherSuites.ValidIn(TlsVersion.SSLv2));
        var v13 = CipherSuites.ValidIn(TlsVersion.TLSv1_3);
        Assert.Equal(
            [0x00C6, 0x00C7, 0x1301, 0x1302, 0x1303, 0x1304, 0x1305, 0x1306, 0x1307, 0xC0B0, 0xC0B1, 0xC0B2, 0xC0B3, 0xC0B4, 0xC0B5, 0xC103, 0xC104, 0xC105, 0xC106],
            v13.Select(s => (int)s.Code));
        var v12 = CipherSuites.ValidIn(TlsVersion.TLSv1_2);
        Assert.DoesNotContain(v12, s => s.Export || s.Scsv || s.MinVersion == TlsVersion.TLSv1_3);
        Assert.Contains(v12, s => s.Code == 0xC02F);
        // Nothing starts at TLS 1.1; the 15 export suites stop at 1.0.
        var v10 = CipherSuites.ValidIn(TlsVersion.TLSv1_0).Select(s => s.Code).ToHashSet();
        var v11 = CipherSuites.ValidIn(TlsVersion.TLSv1_1).Select(s => s.Code).ToHashSet();
        Assert.True(v11.IsSubsetOf(v10));
        Assert.Equal(15, v10.Count - v11.Count);
        var s3 = CipherSuites.ValidIn(TlsVersion.SSLv3);
        Assert.DoesNotContain(s3, s => s.KeyExchange.IsEllipticCurve());
    }

    [Fact]
    public void Helpers_classify_suites()
    {
        Assert.True(CipherSuites.Get(0xC02F).IsAead());
        Assert.True(CipherSuites.Get(0xC0A0).IsAead());
        Assert.True(CipherSuites.Get(0xCCA9).IsAead());
        Assert.False(CipherSuites.Get(0x002F).IsAead());
        Assert.False(CipherSuites.Get(0x0A0A).IsAead());
        Assert.True(CipherSuites.Get(0x0002).IsNullCipher());
        Assert.True(CipherSuites.Get(0xC0B5).IsNullCipher());
        Assert.False(CipherSuites.Get(0x00FF).IsNullCipher());
        Assert.False(CipherSuites.Get(0x0004).IsNullCipher());
    }
}

/// <summary>Suites outside the registry are read from their names by the registry's own rules, and judged by one definition.</summary>
public class SuiteVocabularyTests
{
    // Rows whose table line overrides what the name says (GOST, ECCPWD, integrity-only TLS 1.3) cannot be re-derived.
    private static bool Overridden(CipherSuite s) =>
        s.KeyExchange is KeyExchange.GOST or KeyExchange.ECCPWD || s.Cipher == "NULL" && s.MinVersion == TlsVersion.TLSv1_3 || s.Scsv
        || s.Name.Contains("_SM4_", StringComparison.Ordinal) || s.Name.Contains("KUZNYECHIK", StringComparison.Ordinal) || s.Name.Contains("MAGMA", StringComparison.Ordinal);

    [Fact]
    public void A_name_outside_the_registry_is_derived_exactly_as_the_registry_derives_its_own()
    {
        foreach (var s in CipherSuites.All.Where(s => !Overridden(s)))
        {
            // The SSL_ spelling and lower case are not registry names, so this goes through derivation.
            var d = Vocabulary.Suite("SSL_" + s.Name[4..].ToLowerInvariant(), 0xFEFE);
            Assert.False(d.Known);
            Assert.Equal((s.KeyExchange, s.Authentication, s.Cipher, s.CipherBits, s.Mac, s.MinVersion, s.MaxVersion, s.Export),
                (d.KeyExchange, d.Authentication, d.Cipher, d.CipherBits, d.Mac, d.MinVersion, d.MaxVersion, d.Export));
        }
    }

    [Fact]
    public void Weak_and_aead_are_one_definition_for_registered_and_derived_suites()
    {
        Assert.True(CipherSuites.Get(0x0005).IsWeak());   // RC4
        Assert.True(CipherSuites.Get(0x000A).IsWeak());   // 3DES
        Assert.True(CipherSuites.Get(0x0009).IsWeak());   // DES
        Assert.True(CipherSuites.Get(0x0018).IsWeak());   // anonymous
        Assert.True(CipherSuites.Get(0x0003).IsWeak());   // export
        Assert.True(CipherSuites.Get(0x0002).IsWeak());   // NULL cipher
        Assert.False(CipherSuites.Get(0x009E).IsWeak());  // DHE-RSA AES-128-GCM
        Assert.False(CipherSuites.Get(0x1301).IsWeak());
        Assert.False(CipherSuites.Get(0xEEEE).IsWeak());  // unknown code: not judged
        Assert.True(Vocabulary.Suite("TLS_RSA_EXPORT1024_WITH_RC4_56_SHA").IsWeak());
        Assert.Equal(56, Vocabulary.Suite("TLS_RSA_EXPORT1024_WITH_RC4_56_SHA").CipherBits);
        Assert.True(Vocabulary.Suite("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384_FUTURE", 0xFEFF) is { Known: false });
        Assert.True(CipherSuites.Get(0xCCA8).IsAead());
        Assert.True(Vocabulary.Suite("TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256").IsAead());
        Assert.False(CipherSuites.Get(0x002F).IsAead());
    }

    [Fact]
    public void Groups_and_schemes_come_from_the_registries_alone()
    {
        Assert.Equal(NamedGroups.Get(0x001D), Vocabulary.Group("X25519"));
        Assert.Equal(SignatureSchemes.Get(0x0301), Vocabulary.Scheme("rsa_pkcs1_sha224"));
        Assert.Equal(SignatureSchemes.Get(0x0804), Vocabulary.Scheme("rsa_pss_rsae_sha256"));
        Assert.False(Vocabulary.Group("nonsense").Known);
        Assert.False(Vocabulary.Scheme("nonsense").Known);
    }
}
