namespace TlsDoctor.Core;

public static partial class CipherSuites
{
    // Placeholder table; the full IANA registry replaces it.
    private static IEnumerable<CipherSuite> BuildTable()
    {
        const TlsVersion S3 = TlsVersion.SSLv3, T12 = TlsVersion.TLSv1_2, T13 = TlsVersion.TLSv1_3;
        yield return new(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", KeyExchange.RSA, Authentication.RSA, "AES_128_CBC", 128, "SHA", S3, T12);
        yield return new(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", KeyExchange.RSA, Authentication.RSA, "AES_256_CBC", 256, "SHA", S3, T12);
        yield return new(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA-AES128-SHA", KeyExchange.DHE, Authentication.RSA, "AES_128_CBC", 128, "SHA", S3, T12);
        yield return new(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA", KeyExchange.DHE, Authentication.RSA, "AES_256_CBC", 256, "SHA", S3, T12);
        yield return new(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", KeyExchange.ECDHE, Authentication.RSA, "AES_128_GCM", 128, "SHA256", T12, T12);
        yield return new(0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", KeyExchange.Any, Authentication.Any, "AES_128_GCM", 128, "SHA256", T13, T13);
        yield return new(0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", null, KeyExchange.Null, Authentication.Null, "NULL", 0, "NULL", S3, T12, Scsv: true);
        yield return new(0x5600, "TLS_FALLBACK_SCSV", null, KeyExchange.Null, Authentication.Null, "NULL", 0, "NULL", S3, T12, Scsv: true);
    }
}
