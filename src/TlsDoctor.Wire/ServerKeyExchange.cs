namespace TlsDoctor.Wire;

/// <summary>ServerDHParams plus the signature over them (absent for anonymous DH).</summary>
public sealed record DheParameters(
    ReadOnlyMemory<byte> P,
    ReadOnlyMemory<byte> G,
    ReadOnlyMemory<byte> Ys,
    ushort? SignatureScheme,
    ReadOnlyMemory<byte> Signature)
{
    /// <summary>Bit length of the prime, ignoring leading zero bytes (some devices pad p).</summary>
    public int PrimeBits => ServerKeyExchangeReader.BitLength(P.Span);

    /// <summary>Count of leading zero bytes in the encoded prime (a non-minimal encoding).</summary>
    public int PrimeLeadingZeroBytes
    {
        get
        {
            var s = P.Span;
            var n = 0;
            while (n < s.Length && s[n] == 0) n++;
            return n;
        }
    }
}

/// <summary>ServerECDHParams plus signature; NamedCurve is 0 for explicit curves (CurveType 1 or 2).</summary>
public sealed record EcdheParameters(
    byte CurveType,
    ushort NamedCurve,
    ReadOnlyMemory<byte> Point,
    ushort? SignatureScheme,
    ReadOnlyMemory<byte> Signature)
{
    public const byte ExplicitPrime = 1;
    public const byte ExplicitChar2 = 2;
    public const byte NamedCurveType = 3;
}

/// <summary>Parses ServerKeyExchange bodies for DHE and ECDHE suites; never throws.</summary>
public static class ServerKeyExchangeReader
{
    // struct {
    //     opaque dh_p<1..2^16-1>;
    //     opaque dh_g<1..2^16-1>;
    //     opaque dh_Ys<1..2^16-1>;
    // } ServerDHParams;
    // struct {
    //     ServerDHParams params;
    //     digitally-signed struct { ... };   (absent for DH_anon)
    // } ServerKeyExchange;
    /// <param name="hasSignatureAlgorithm">TLS 1.2: the signature starts with a SignatureAndHashAlgorithm.</param>
    public static WireStatus TryReadDhe(ReadOnlySpan<byte> body, bool hasSignatureAlgorithm, out DheParameters parameters, out WireError error)
    {
        parameters = null!;
        var r = new TlsReader(body);
        var p = ReadNonEmpty16(ref r, "ServerDHParams.dh_p");
        var g = ReadNonEmpty16(ref r, "ServerDHParams.dh_g");
        var ys = ReadNonEmpty16(ref r, "ServerDHParams.dh_Ys");
        ReadSignature(ref r, hasSignatureAlgorithm, out var scheme, out var signature);
        if (r.Failed) return r.Finish(out error);
        parameters = new DheParameters(p.ToArray(), g.ToArray(), ys.ToArray(), scheme, signature);
        error = default;
        return WireStatus.Done;
    }

    // enum { explicit_prime (1), explicit_char2 (2), named_curve (3), (255) } ECCurveType;
    // struct { opaque a<1..2^8-1>; opaque b<1..2^8-1>; } ECCurve;
    // struct { opaque point<1..2^8-1>; } ECPoint;
    // struct {
    //     ECCurveType curve_type;
    //     select (curve_type) {
    //         case explicit_prime: opaque prime_p<1..2^8-1>; ECCurve curve; ECPoint base;
    //                              opaque order<1..2^8-1>; opaque cofactor<1..2^8-1>;
    //         case explicit_char2: uint16 m; ECBasisType basis;
    //                              select (basis) { case ec_trinomial: opaque k<1..2^8-1>;
    //                                               case ec_pentanomial: opaque k1, k2, k3 <1..2^8-1>; };
    //                              ECCurve curve; ECPoint base; opaque order<1..2^8-1>; opaque cofactor<1..2^8-1>;
    //         case named_curve:    NamedCurve namedcurve;
    //     };
    // } ECParameters;
    // struct { ECParameters curve_params; ECPoint public; } ServerECDHParams;
    public static WireStatus TryReadEcdhe(ReadOnlySpan<byte> body, bool hasSignatureAlgorithm, out EcdheParameters parameters, out WireError error)
    {
        parameters = null!;
        var r = new TlsReader(body);
        var typeAt = r.Offset;
        var curveType = r.ReadUInt8("ECParameters.curve_type");
        ushort named = 0;
        switch (curveType)
        {
            case EcdheParameters.NamedCurveType:
                named = r.ReadUInt16("ECParameters.namedcurve");
                break;
            case EcdheParameters.ExplicitPrime:
                ReadNonEmpty8(ref r, "ECParameters.prime_p");
                ReadExplicitTail(ref r);
                break;
            case EcdheParameters.ExplicitChar2:
                r.ReadUInt16("ECParameters.m");
                var basisAt = r.Offset;
                var basis = r.ReadUInt8("ECParameters.basis");
                if (basis == 1) ReadNonEmpty8(ref r, "ECParameters.k");
                else if (basis == 2)
                {
                    ReadNonEmpty8(ref r, "ECParameters.k1");
                    ReadNonEmpty8(ref r, "ECParameters.k2");
                    ReadNonEmpty8(ref r, "ECParameters.k3");
                }
                else if (!r.Failed) r.FailAt(WireStatus.Malformed, basisAt, "ECParameters.basis", $"unknown basis type {basis}");
                ReadExplicitTail(ref r);
                break;
            default:
                if (!r.Failed) r.FailAt(WireStatus.Malformed, typeAt, "ECParameters.curve_type", $"unknown curve type {curveType}");
                break;
        }
        var point = ReadNonEmpty8(ref r, "ServerECDHParams.public");
        ReadSignature(ref r, hasSignatureAlgorithm, out var scheme, out var signature);
        if (r.Failed) return r.Finish(out error);
        parameters = new EcdheParameters(curveType, named, point.ToArray(), scheme, signature);
        error = default;
        return WireStatus.Done;
    }

    private static void ReadExplicitTail(ref TlsReader r)
    {
        ReadNonEmpty8(ref r, "ECParameters.curve.a");
        ReadNonEmpty8(ref r, "ECParameters.curve.b");
        ReadNonEmpty8(ref r, "ECParameters.base");
        ReadNonEmpty8(ref r, "ECParameters.order");
        ReadNonEmpty8(ref r, "ECParameters.cofactor");
    }

    // digitally-signed struct: [SignatureAndHashAlgorithm algorithm;] opaque signature<0..2^16-1>;
    private static void ReadSignature(ref TlsReader r, bool hasAlgorithm, out ushort? scheme, out ReadOnlyMemory<byte> signature)
    {
        scheme = null;
        signature = ReadOnlyMemory<byte>.Empty;
        if (r.Failed || r.IsAtEnd) return; // anonymous key exchange: no signature at all
        if (hasAlgorithm) scheme = r.ReadUInt16("digitally-signed.algorithm");
        signature = r.ReadOpaque16("digitally-signed.signature").ToArray();
        r.ExpectEnd("ServerKeyExchange");
    }

    private static ReadOnlySpan<byte> ReadNonEmpty16(ref TlsReader r, string field)
    {
        var at = r.Offset;
        var v = r.ReadOpaque16(field);
        if (!r.Failed && v.Length == 0) r.FailAt(WireStatus.Malformed, at, field, "empty (minimum length 1)");
        return v;
    }

    private static ReadOnlySpan<byte> ReadNonEmpty8(ref TlsReader r, string field)
    {
        var at = r.Offset;
        var v = r.ReadOpaque8(field);
        if (!r.Failed && v.Length == 0) r.FailAt(WireStatus.Malformed, at, field, "empty (minimum length 1)");
        return v;
    }

    internal static int BitLength(ReadOnlySpan<byte> bigEndian)
    {
        var i = 0;
        while (i < bigEndian.Length && bigEndian[i] == 0) i++;
        if (i == bigEndian.Length) return 0;
        return (bigEndian.Length - i - 1) * 8 + (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)bigEndian[i]));
    }
}
