using System.Numerics;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe;

/// <summary>
/// What makes a server's DH parameters unusable for any client (RFC 7919 §3 and NIST SP 800-56A's public-key
/// checks): a prime that is not an odd number above 1, a generator or public value outside 2..p-2, or a prime larger
/// than any TLS stack accepts.
/// </summary>
public static class DhParameterCheck
{
    /// <summary>The largest prime a TLS stack accepts: OpenSSL stops at 10,000 bits, ffdhe8192 is the largest named group.</summary>
    public const int MaxPrimeBits = 10_000;

    /// <summary>Why the parameters cannot work, or null when they may (a real prime is not checked: that costs a primality test).</summary>
    public static string? Problem(DheParameters dh)
    {
        ArgumentNullException.ThrowIfNull(dh);
        var bits = dh.PrimeBits;
        if (bits > MaxPrimeBits) return $"p has {bits} bits, more than any TLS stack accepts ({MaxPrimeBits})";
        var p = Value(dh.P);
        if (p <= 1) return $"p is {p}";
        if (p.IsEven) return $"p ({bits} bits) is even, so not a prime";
        var g = Value(dh.G);
        if (g <= 1 || g >= p - 1) return $"g is {(g <= 1 ? g.ToString(System.Globalization.CultureInfo.InvariantCulture) : "p-1 or more")}, outside 2..p-2";
        var ys = Value(dh.Ys);
        if (ys <= 1 || ys >= p - 1) return $"Ys is {(ys <= 1 ? ys.ToString(System.Globalization.CultureInfo.InvariantCulture) : ys == p ? "p" : "p-1 or more")}, outside 2..p-2";
        return null;
    }

    // RFC 7919's primes, from BouncyCastle's table, by their IANA group code.
    private static readonly (ushort Code, byte[] Prime)[] Rfc7919 =
    [
        (0x0100, Org.BouncyCastle.Tls.Crypto.DHStandardGroups.rfc7919_ffdhe2048.P.ToByteArrayUnsigned()),
        (0x0101, Org.BouncyCastle.Tls.Crypto.DHStandardGroups.rfc7919_ffdhe3072.P.ToByteArrayUnsigned()),
        (0x0102, Org.BouncyCastle.Tls.Crypto.DHStandardGroups.rfc7919_ffdhe4096.P.ToByteArrayUnsigned()),
        (0x0103, Org.BouncyCastle.Tls.Crypto.DHStandardGroups.rfc7919_ffdhe6144.P.ToByteArrayUnsigned()),
        (0x0104, Org.BouncyCastle.Tls.Crypto.DHStandardGroups.rfc7919_ffdhe8192.P.ToByteArrayUnsigned()),
    ];

    /// <summary>The RFC 7919 group whose prime this is (leading zero bytes ignored), or null for a group of the server's own.</summary>
    public static Core.NamedGroup? Rfc7919Group(DheParameters dh)
    {
        ArgumentNullException.ThrowIfNull(dh);
        var p = dh.P.Span[dh.PrimeLeadingZeroBytes..];
        foreach (var (code, prime) in Rfc7919)
            if (p.SequenceEqual(prime)) return Core.NamedGroups.Get(code);
        return null;
    }

    private static BigInteger Value(ReadOnlyMemory<byte> bigEndian) => new(bigEndian.Span, isUnsigned: true, isBigEndian: true);
}
