namespace TlsDoctor.Core;

/// <summary>A protocol version, valued as it appears in the wire's version fields.</summary>
public enum TlsVersion : ushort
{
    SSLv2 = 0x0002,
    SSLv3 = 0x0300,
    TLSv1_0 = 0x0301,
    TLSv1_1 = 0x0302,
    TLSv1_2 = 0x0303,
    TLSv1_3 = 0x0304,
}

/// <summary>Names, ordering and parsing for <see cref="TlsVersion"/>.</summary>
public static class TlsVersions
{
    /// <summary>Every version, oldest first.</summary>
    public static IReadOnlyList<TlsVersion> All { get; } =
        [TlsVersion.SSLv2, TlsVersion.SSLv3, TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2, TlsVersion.TLSv1_3];

    /// <summary>The spelling used in JSON and tables: SSLv2 … TLSv1.3.</summary>
    public static string Name(this TlsVersion version) => version switch
    {
        TlsVersion.SSLv2 => "SSLv2",
        TlsVersion.SSLv3 => "SSLv3",
        TlsVersion.TLSv1_0 => "TLSv1.0",
        TlsVersion.TLSv1_1 => "TLSv1.1",
        TlsVersion.TLSv1_2 => "TLSv1.2",
        TlsVersion.TLSv1_3 => "TLSv1.3",
        _ => $"0x{(ushort)version:x4}",
    };

    /// <summary>Accepts the JSON spelling and common aliases (tls1.2, TLS 1.2, 1.2, ssl3).</summary>
    public static bool TryParse(string? text, out TlsVersion version)
    {
        version = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim().ToLowerInvariant().Replace(" ", "").Replace("_", ".").Replace("v", "");
        switch (t)
        {
            case "ssl2" or "ssl2.0": version = TlsVersion.SSLv2; return true;
            case "ssl3" or "ssl3.0": version = TlsVersion.SSLv3; return true;
            case "tls1" or "tls1.0" or "1.0": version = TlsVersion.TLSv1_0; return true;
            case "tls1.1" or "1.1": version = TlsVersion.TLSv1_1; return true;
            case "tls1.2" or "1.2": version = TlsVersion.TLSv1_2; return true;
            case "tls1.3" or "1.3": version = TlsVersion.TLSv1_3; return true;
        }
        return false;
    }

    /// <summary>True for a wire value that names one of the versions we know.</summary>
    public static bool IsKnown(ushort wire) => Enum.IsDefined(typeof(TlsVersion), wire);
}
