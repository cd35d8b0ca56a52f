namespace TlsDoctor.Core;

/// <summary>
/// Name lookups that never fail: the registries first, then (for suites) the registry's own name rules, so that data
/// files (Windows suite lists, user-written profiles) stay usable while a registry lacks an entry.
/// </summary>
public static class Vocabulary
{
    /// <summary>The suite for an IANA name; when the registry lacks it, a record derived from the name with the given code.</summary>
    public static CipherSuite Suite(string ianaName, ushort? code = null)
    {
        if (CipherSuites.TryParse(ianaName, out var s) && s.Known) return s;
        if (code is { } c && CipherSuites.IsKnown(c)) return CipherSuites.Get(c);
        return CipherSuiteNameParser.TryDerive(ianaName, code ?? 0, out var derived)
            ? derived
            : new CipherSuite(code ?? 0, ianaName, null, KeyExchange.Unknown, Authentication.Unknown, "unknown", 0, "unknown",
                TlsVersion.SSLv3, TlsVersion.TLSv1_2, Known: false);
    }

    /// <summary>The suite for a name or hex code; false when neither the registry nor the name's shape tells what it is.</summary>
    public static bool TryParseSuite(string? text, out CipherSuite suite)
    {
        suite = null!;
        if (string.IsNullOrWhiteSpace(text)) return false;
        if (CipherSuites.TryParse(text, out suite)) return true;
        var t = text.Trim();
        if (!t.StartsWith("TLS_", StringComparison.OrdinalIgnoreCase) && !t.StartsWith("SSL_", StringComparison.OrdinalIgnoreCase)) return false;
        return CipherSuiteNameParser.TryDerive(t.ToUpperInvariant(), 0, out suite);
    }

    /// <summary>The signature scheme for an IANA name or alias; a placeholder (code 0, Known = false) for a name no registry entry has.</summary>
    public static SignatureScheme Scheme(string name) =>
        SignatureSchemes.TryParse(name, out var s) ? s : new SignatureScheme(0, name, "unknown", "unknown", Known: false);

    /// <summary>The group for a name or alias; a placeholder (code 0, Known = false) for a name no registry entry has.</summary>
    public static NamedGroup Group(string name) =>
        NamedGroups.TryParse(name, out var g) ? g : new NamedGroup(0, name, GroupKind.Unknown, 0, Known: false);
}
