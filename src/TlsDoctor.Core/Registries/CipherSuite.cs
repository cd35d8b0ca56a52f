namespace TlsDoctor.Core;

/// <summary>One TLS cipher suite: its code point, names and the algorithms it combines.</summary>
/// <param name="Code">The two-byte IANA code point.</param>
/// <param name="Name">The IANA name (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256); hex for unknown codes.</param>
/// <param name="OpenSslName">OpenSSL's name (ECDHE-RSA-AES128-GCM-SHA256), or null when OpenSSL has none.</param>
/// <param name="Cipher">Bulk cipher as in the IANA name (AES_128_GCM, 3DES_EDE_CBC, RC4_128, NULL).</param>
/// <param name="CipherBits">Effective symmetric key bits (40 for export, 112 for 3DES, 0 for NULL).</param>
/// <param name="Mac">MAC or PRF hash as in the IANA name (SHA, SHA256, SHA384, MD5); AEAD suites name their PRF hash.</param>
/// <param name="MinVersion">Oldest version in which the suite may be negotiated.</param>
/// <param name="MaxVersion">Newest version in which the suite may be negotiated.</param>
/// <param name="Export">True for export-grade suites (EXPORT, EXPORT1024).</param>
/// <param name="Scsv">True for signalling values that are not real suites (TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV).</param>
/// <param name="Known">False when the code is not in the registry.</param>
public sealed record CipherSuite(
    ushort Code,
    string Name,
    string? OpenSslName,
    KeyExchange KeyExchange,
    Authentication Authentication,
    string Cipher,
    int CipherBits,
    string Mac,
    TlsVersion MinVersion,
    TlsVersion MaxVersion,
    bool Export = false,
    bool Scsv = false,
    bool Known = true)
{
    /// <summary>The three-byte code when this is the placeholder of an SSLv2 cipher kind (<see cref="Sslv2CipherKind.AsSuite"/>).</summary>
    public int? Sslv2Code { get; init; }

    /// <summary>Code as "0x00ff"; for an SSLv2 cipher kind its three-byte code ("0x010080").</summary>
    public string Hex => Sslv2Code is { } kind ? $"0x{kind:x6}" : $"0x{Code:x4}";

    /// <summary>True when the suite may be negotiated in <paramref name="version"/>.</summary>
    public bool ValidIn(TlsVersion version) =>
        !Scsv && version != TlsVersion.SSLv2 && version >= MinVersion && version <= MaxVersion;

    public override string ToString() => Name;
}
