using TlsDoctor.Core;

namespace TlsDoctor.Core.Tests;

public class NamedGroupTests
{
    [Fact]
    public void Registry_holds_all_iana_groups_with_unique_names()
    {
        Assert.Equal(56, NamedGroups.All.Count); // 0x01-0x29, 5 ffdhe, 3 ML-KEM, 3 hybrids, 2 Kyber drafts, 2 explicit-curve markers
        var names = NamedGroups.All.Select(g => g.Name).ToArray();
        Assert.Equal(names.Length, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(NamedGroups.All.Select(g => g.Code).Order(), NamedGroups.All.Select(g => g.Code));
        // 0x0001..0x0029 is contiguous in the registry.
        Assert.All(Enumerable.Range(1, 0x29), c => Assert.True(NamedGroups.Get((ushort)c).Known, $"0x{c:x4}"));
    }

    [Theory]
    [InlineData(0x0001, "sect163k1", GroupKind.EllipticCurve, 163)]
    [InlineData(0x000E, "sect571r1", GroupKind.EllipticCurve, 571)]
    [InlineData(0x0016, "secp256k1", GroupKind.EllipticCurve, 256)]
    [InlineData(0x0017, "secp256r1", GroupKind.EllipticCurve, 256)]
    [InlineData(0x0018, "secp384r1", GroupKind.EllipticCurve, 384)]
    [InlineData(0x0019, "secp521r1", GroupKind.EllipticCurve, 521)]
    [InlineData(0x001A, "brainpoolP256r1", GroupKind.EllipticCurve, 256)]
    [InlineData(0x001D, "x25519", GroupKind.EllipticCurve, 255)]
    [InlineData(0x001E, "x448", GroupKind.EllipticCurve, 448)]
    [InlineData(0x0021, "brainpoolP512r1tls13", GroupKind.EllipticCurve, 512)]
    [InlineData(0x0026, "GC512A", GroupKind.EllipticCurve, 512)]
    [InlineData(0x0029, "curveSM2", GroupKind.EllipticCurve, 256)]
    [InlineData(0x0100, "ffdhe2048", GroupKind.FiniteField, 2048)]
    [InlineData(0x0104, "ffdhe8192", GroupKind.FiniteField, 8192)]
    [InlineData(0x0201, "MLKEM768", GroupKind.Unknown, 768)]
    [InlineData(0x11EB, "SecP256r1MLKEM768", GroupKind.Hybrid, 256)]
    [InlineData(0x11EC, "X25519MLKEM768", GroupKind.Hybrid, 255)]
    [InlineData(0x11ED, "SecP384r1MLKEM1024", GroupKind.Hybrid, 384)]
    [InlineData(0x6399, "X25519Kyber768Draft00", GroupKind.Hybrid, 255)]
    public void Spot_checks(int code, string name, GroupKind kind, int bits)
    {
        var g = NamedGroups.Get((ushort)code);
        Assert.True(g.Known);
        Assert.Equal(name, g.Name);
        Assert.Equal(kind, g.Kind);
        Assert.Equal(bits, g.Bits);
        Assert.True(NamedGroups.TryParse(name.ToUpperInvariant(), out var parsed));
        Assert.Same(g, parsed);
        Assert.True(NamedGroups.TryParse(g.Hex, out var byHex));
        Assert.Same(g, byHex);
    }

    [Fact]
    public void Post_quantum_groups_are_the_mlkem_and_kyber_ones()
    {
        Assert.Equal([0x0200, 0x0201, 0x0202, 0x11EB, 0x11EC, 0x11ED, 0x6399, 0x639A],
            NamedGroups.All.Where(g => g.IsPostQuantum()).Select(g => (int)g.Code));
        Assert.False(NamedGroups.Get(0x0A0A).IsPostQuantum());
    }

    [Theory]
    [InlineData("P-256", 0x0017)]
    [InlineData("prime256v1", 0x0017)]
    [InlineData("P-521", 0x0019)]
    [InlineData("X25519", 0x001D)]
    public void Aliases_still_resolve(string alias, int code)
    {
        Assert.True(NamedGroups.TryParse(alias, out var g));
        Assert.Equal((ushort)code, g.Code);
    }

    [Fact]
    public void Unknown_and_grease_groups_print_as_hex()
    {
        var g = NamedGroups.Get(0x0A0A);
        Assert.False(g.Known);
        Assert.Equal("0x0a0a", g.Name);
        Assert.Equal(GroupKind.Unknown, g.Kind);
        Assert.All(Enumerable.Range(0, 16), i => Assert.False(NamedGroups.Get((ushort)(0x0A0A + i * 0x1010)).Known));
    }
}

public class SignatureSchemeTests
{
    [Fact]
    public void Registry_has_all_tls12_pairs_and_tls13_schemes_with_unique_names()
    {
        // 7 hashes x 4 signatures, plus 29 TLS 1.3 code points that are not such pairs.
        Assert.Equal(28 + 29, SignatureSchemes.All.Count);
        var names = SignatureSchemes.All.Select(s => s.Name).ToArray();
        Assert.Equal(names.Length, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        for (var h = 0; h <= 6; h++)
            for (var s = 0; s <= 3; s++)
                Assert.True(SignatureSchemes.Get((ushort)((h << 8) | s)).Known, $"0x{h:x2}{s:x2}");
    }

    [Theory]
    [InlineData(0x0000, "anonymous_none", "none", "anonymous")]
    [InlineData(0x0101, "rsa_pkcs1_md5", "md5", "rsa")]
    [InlineData(0x0201, "rsa_pkcs1_sha1", "sha1", "rsa")]
    [InlineData(0x0202, "dsa_sha1", "sha1", "dsa")]
    [InlineData(0x0203, "ecdsa_sha1", "sha1", "ecdsa")]
    [InlineData(0x0301, "sha224_rsa", "sha224", "rsa")]
    [InlineData(0x0302, "sha224_dsa", "sha224", "dsa")]
    [InlineData(0x0303, "sha224_ecdsa", "sha224", "ecdsa")]
    [InlineData(0x0401, "rsa_pkcs1_sha256", "sha256", "rsa")]
    [InlineData(0x0402, "dsa_sha256", "sha256", "dsa")]
    [InlineData(0x0403, "ecdsa_secp256r1_sha256", "sha256", "ecdsa")]
    [InlineData(0x0503, "ecdsa_secp384r1_sha384", "sha384", "ecdsa")]
    [InlineData(0x0601, "rsa_pkcs1_sha512", "sha512", "rsa")]
    [InlineData(0x0603, "ecdsa_secp521r1_sha512", "sha512", "ecdsa")]
    [InlineData(0x0420, "rsa_pkcs1_sha256_legacy", "sha256", "rsa")]
    [InlineData(0x0708, "sm2sig_sm3", "sm3", "sm2")]
    [InlineData(0x0709, "gostr34102012_256a", "gostr34112012_256", "gostr34102012_256")]
    [InlineData(0x0804, "rsa_pss_rsae_sha256", "sha256", "rsa_pss")]
    [InlineData(0x0806, "rsa_pss_rsae_sha512", "sha512", "rsa_pss")]
    [InlineData(0x0807, "ed25519", "none", "ed25519")]
    [InlineData(0x0808, "ed448", "none", "ed448")]
    [InlineData(0x0809, "rsa_pss_pss_sha256", "sha256", "rsa_pss")]
    [InlineData(0x081A, "ecdsa_brainpoolP256r1tls13_sha256", "sha256", "ecdsa")]
    [InlineData(0x0905, "mldsa65", "none", "mldsa")]
    public void Spot_checks(int code, string name, string hash, string signature)
    {
        var s = SignatureSchemes.Get((ushort)code);
        Assert.True(s.Known);
        Assert.Equal(name, s.Name);
        Assert.Equal(hash, s.Hash);
        Assert.Equal(signature, s.Signature);
        Assert.True(SignatureSchemes.TryParse(name, out var parsed));
        Assert.Same(s, parsed);
        Assert.True(SignatureSchemes.TryParse(s.Hex, out var byHex));
        Assert.Same(s, byHex);
    }

    [Fact]
    public void Unknown_schemes_print_as_hex()
    {
        var s = SignatureSchemes.Get(0x0A0A);
        Assert.False(s.Known);
        Assert.Equal("0x0a0a", s.Name);
        Assert.False(SignatureSchemes.Get(0x0701).Known); // hash 7 was never a TLS 1.2 hash
        Assert.False(SignatureSchemes.Get(0x0204).Known); // signature 4 was never a TLS 1.2 signature
    }
}
