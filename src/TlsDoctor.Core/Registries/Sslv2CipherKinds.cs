using System.Collections.Frozen;

namespace TlsDoctor.Core;

/// <summary>One SSLv2 cipher kind: its three-byte code, its SSL_CK_ name and effective key bits.</summary>
/// <param name="Code">The three-byte code as an integer (0x010080).</param>
/// <param name="Name">The name from the SSLv2 draft (SSL_CK_RC4_128_WITH_MD5); hex for unknown codes.</param>
/// <param name="Bits">Effective symmetric key bits (40 for EXPORT40, 56 for DES, 112 for 3DES).</param>
/// <param name="Known">False when the code is not in the registry.</param>
public sealed record Sslv2CipherKind(int Code, string Name, int Bits, bool Known = true)
{
    /// <summary>Code as "0x010080".</summary>
    public string Hex => $"0x{Code:x6}";

    /// <summary>True for the 40-bit export kinds.</summary>
    public bool Export => Name.Contains("EXPORT40", StringComparison.Ordinal);

    /// <summary>
    /// The kind as a placeholder suite valid in SSLv2 only (TLS codes are two bytes, so Code is 0 and Hex gives the
    /// kind's own code): SSLv2 results then fit the per-version suite lists of a server profile.
    /// </summary>
    public CipherSuite AsSuite() =>
        new(0, Name, null, KeyExchange.RSA, Authentication.RSA, Name, Bits, "MD5", TlsVersion.SSLv2, TlsVersion.SSLv2, Export: Export, Known: Known)
        {
            Sslv2Code = Code,
        };

    public override string ToString() => Name;
}

/// <summary>The SSLv2 cipher kinds (draft-hickman-netscape-ssl-00 plus the ones OpenSSL and testssl.sh know).</summary>
public static class Sslv2CipherKinds
{
    private static readonly FrozenDictionary<int, Sslv2CipherKind> ByCode = new Sslv2CipherKind[]
    {
        new(0x010080, "SSL_CK_RC4_128_WITH_MD5", 128),
        new(0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5", 40),
        new(0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5", 128),
        new(0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5", 40),
        new(0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5", 128),
        new(0x060040, "SSL_CK_DES_64_CBC_WITH_MD5", 56),
        new(0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", 112),
        // Not in the SSLv2 draft, but implemented by old OpenSSL/SSLeay servers.
        new(0x080080, "SSL_CK_RC4_64_WITH_MD5", 64),
        new(0x000000, "SSL_CK_NULL_WITH_MD5", 0),
        new(0x060140, "SSL_CK_DES_64_CBC_WITH_SHA", 56),
        new(0x0701C0, "SSL_CK_DES_192_EDE3_CBC_WITH_SHA", 112),
        new(0xFF8000, "SSL_CK_DES_64_CFB64_WITH_MD5_1", 56),
        new(0xFF8010, "SSL_CK_NULL", 0),
    }.ToFrozenDictionary(k => k.Code);

    /// <summary>Every known kind, ordered by code.</summary>
    public static IReadOnlyList<Sslv2CipherKind> All { get; } = ByCode.Values.OrderBy(k => k.Code).ToArray();

    /// <summary>The kind for a code; an unknown code yields a placeholder named by its hex value.</summary>
    public static Sslv2CipherKind Get(int code) =>
        ByCode.TryGetValue(code, out var k) ? k : new Sslv2CipherKind(code, $"0x{code:x6}", 0, Known: false);

    /// <summary>The kind for the three wire bytes of a cipher spec.</summary>
    public static Sslv2CipherKind Get(ReadOnlySpan<byte> spec) =>
        spec.Length == 3 ? Get((spec[0] << 16) | (spec[1] << 8) | spec[2]) : throw new ArgumentException("an SSLv2 cipher spec is 3 bytes", nameof(spec));

    /// <summary>True when the code is in the registry.</summary>
    public static bool IsKnown(int code) => ByCode.ContainsKey(code);

    /// <summary>Looks a kind up by SSL_CK_ name (case-insensitive) or hex code ("0x0700c0").</summary>
    public static bool TryParse(string? text, out Sslv2CipherKind kind)
    {
        kind = null!;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim();
        foreach (var k in All)
            if (string.Equals(k.Name, t, StringComparison.OrdinalIgnoreCase)) { kind = k; return true; }
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) &&
            int.TryParse(t.AsSpan(2), System.Globalization.NumberStyles.HexNumber, null, out var code) && code is >= 0 and <= 0xFFFFFF)
        {
            kind = Get(code);
            return true;
        }
        return false;
    }
}
