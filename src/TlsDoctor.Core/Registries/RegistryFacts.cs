namespace TlsDoctor.Core;

/// <summary>RFC 8701 GREASE values: reserved code points a client sends to keep peers tolerant of unknown values.</summary>
public static class Grease
{
    /// <summary>True for the 16 GREASE values (0x0a0a, 0x1a1a … 0xfafa) used in cipher suites, groups, extensions, versions and signature schemes.</summary>
    public static bool IsGrease(ushort value) => (value & 0x0F0F) == 0x0A0A && (value >> 12) == ((value >> 4) & 0x0F);
}

/// <summary>Facts about registry entries that consumers ask often.</summary>
public static class RegistryFacts
{
    /// <summary>True for authenticated-encryption suites (GCM, CCM, ChaCha20-Poly1305, MGM, AEGIS), registered or derived from a name.</summary>
    public static bool IsAead(this CipherSuite suite) => !suite.Scsv && CipherSuiteNameParser.IsAead(suite.Cipher);

    /// <summary>
    /// True for suites no current client should negotiate: export-grade, NULL or under-128-bit ciphers (DES, 3DES, RC2),
    /// RC4 (RFC 7465), anonymous key exchange, or an MD5 MAC. Unknown code points are not judged.
    /// </summary>
    public static bool IsWeak(this CipherSuite suite) =>
        !suite.Scsv && suite.KeyExchange != KeyExchange.Unknown
        && (suite.Export || suite.CipherBits < 128 || suite.Cipher.StartsWith("RC4", StringComparison.Ordinal)
            || suite.Cipher.StartsWith("3DES", StringComparison.Ordinal) || suite.Authentication == Authentication.Anonymous || suite.Mac == "MD5");

    /// <summary>True for suites without encryption (NULL cipher), including the integrity-only TLS 1.3 suites.</summary>
    public static bool IsNullCipher(this CipherSuite suite) => suite.Known && !suite.Scsv && suite.Cipher == "NULL";

    /// <summary>True for groups with an ML-KEM or Kyber component (pure or hybrid).</summary>
    public static bool IsPostQuantum(this NamedGroup group) =>
        group.Known && (group.Name.Contains("MLKEM", StringComparison.Ordinal) || group.Name.Contains("Kyber", StringComparison.Ordinal));
}
