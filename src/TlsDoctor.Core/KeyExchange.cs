namespace TlsDoctor.Core;

/// <summary>Key exchange family of a cipher suite, as named in the IANA suite name.</summary>
public enum KeyExchange
{
    Unknown,
    Null,
    RSA,
    DH,
    DHE,
    ECDH,
    ECDHE,
    PSK,
    DHE_PSK,
    RSA_PSK,
    ECDHE_PSK,
    SRP,
    KRB5,
    ECCPWD,
    GOST,
    /// <summary>TLS 1.3 suites: the key exchange is negotiated separately (key_share).</summary>
    Any,
}

/// <summary>Authentication family of a cipher suite (the certificate key it needs).</summary>
public enum Authentication
{
    Unknown,
    Null,
    Anonymous,
    RSA,
    DSS,
    ECDSA,
    PSK,
    KRB5,
    SRP,
    GOST,
    /// <summary>TLS 1.3 suites: authentication is negotiated by signature_algorithms.</summary>
    Any,
}

/// <summary>JSON spellings of the key exchange and authentication enums.</summary>
public static class KeyExchangeNames
{
    public static string Name(this KeyExchange kx) => kx switch
    {
        KeyExchange.Any => "any",
        KeyExchange.Null => "NULL",
        KeyExchange.Unknown => "unknown",
        _ => kx.ToString(),
    };

    public static string Name(this Authentication au) => au switch
    {
        Authentication.Any => "any",
        Authentication.Null => "NULL",
        Authentication.Anonymous => "anon",
        Authentication.Unknown => "unknown",
        _ => au.ToString(),
    };

    /// <summary>True when the suite's server key exchange carries finite-field DH parameters.</summary>
    public static bool IsFiniteFieldDh(this KeyExchange kx) => kx is KeyExchange.DHE or KeyExchange.DH or KeyExchange.DHE_PSK;

    /// <summary>True when the suite uses an elliptic-curve key exchange (needs a common group).</summary>
    public static bool IsEllipticCurve(this KeyExchange kx) => kx is KeyExchange.ECDHE or KeyExchange.ECDH or KeyExchange.ECDHE_PSK;
}
