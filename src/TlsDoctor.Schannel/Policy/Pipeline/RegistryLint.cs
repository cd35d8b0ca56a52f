using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Schannel.Policy.Pipeline;

/// <summary>
/// Registry content that Windows does not read as its author meant: keys and values SCHANNEL ignores (misspelt
/// names, a nested "RC4 128\128", hives other than HKLM, wrong value types). Windows ignores them silently; the
/// policy ignores them too, and says so with the file and line.
/// </summary>
internal static class RegistryLint
{
    private static readonly string[] ProtocolKeys =
        ["PCT 1.0", "SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3", "DTLS 1.0", "DTLS 1.2", "DTLS 1.3", "Multi-Protocol Unified Hello"];
    private static readonly string[] RoleKeys = ["Client", "Server"];
    private static readonly string[] ProtocolValues = ["Enabled", "DisabledByDefault"];

    // KB245030's key names [S16] and the AES keys hardening tools write (§1.3); "Triple DES 168/168" is the pre-Vista name.
    private static readonly string[] CipherKeys =
        ["NULL", "DES 56/56", "RC2 40/128", "RC2 56/128", "RC2 128/128", "RC4 40/128", "RC4 56/128", "RC4 64/128", "RC4 128/128", "Triple DES 168", "AES 128/128", "AES 256/256"];
    private static readonly string[] HashKeys = ["MD5", "SHA", "SHA256", "SHA384", "SHA512"];
    private static readonly string[] KeyExchangeKeys = ["Diffie-Hellman", "PKCS", "ECDH"];
    private static readonly string[] KeyExchangeValues = ["Enabled", "ClientMinKeyBitLength", "ClientMaxKeyBitLength", "ServerMinKeyBitLength"];

    /// <summary>Values the policy reads as REG_DWORD.</summary>
    private static readonly string[] DWordValues =
        ["Enabled", "DisabledByDefault", "ClientMinKeyBitLength", "ClientMaxKeyBitLength", "ServerMinKeyBitLength", "SchUseStrongCrypto", "SystemDefaultTlsVersions", "UBR"];

    /// <summary>One warning per ignored key or value, in registry order.</summary>
    public static IEnumerable<string> Check(RegistryState reg)
    {
        foreach (var key in reg.Keys)
        {
            var values = reg.ValuesOf(key).ToList();
            if (values.Count == 0) continue; // an empty key changes nothing
            var at = values.Select(v => v.Origin).FirstOrDefault(o => o is not null);
            var where = at is null ? "" : $" ({at})";
            if (!key.StartsWith(@"HKEY_LOCAL_MACHINE\", StringComparison.OrdinalIgnoreCase))
            {
                var hive = key.Split('\\')[0];
                yield return $"{key}{where} is under {hive}: SCHANNEL and the .NET Framework read their settings from HKEY_LOCAL_MACHINE only; ignored.";
                continue;
            }
            foreach (var w in CheckKey(key, where)) yield return w;
            foreach (var w in CheckValues(key, values)) yield return w;
        }
    }

    private static IEnumerable<string> CheckKey(string key, string where)
    {
        if (Below(key, RegistryPaths.Protocols) is { } p)
        {
            var parts = p.Split('\\');
            if (!Known(ProtocolKeys, parts[0]))
                yield return $@"Protocols\{parts[0]}{where} is not a protocol key SCHANNEL reads{Suggest(ProtocolKeys, parts[0])}; ignored.";
            else if (parts.Length < 2 || parts.Length > 2 || !Known(RoleKeys, parts[1]))
                yield return $@"Protocols\{p}{where}: SCHANNEL reads values only under Protocols\{parts[0]}\Client and \Server{(parts.Length > 1 ? Suggest(RoleKeys, parts[1]) : "")}; ignored.";
        }
        else if (Below(key, RegistryPaths.Ciphers) is { } c)
        {
            var slashed = c.Replace('\\', '/');
            if (c.Equals("Triple DES 168/168", StringComparison.OrdinalIgnoreCase))
                yield return $@"Ciphers\{c}{where} is the key name of Windows before Vista; Windows Server 2008 and later read Ciphers\Triple DES 168; ignored.";
            else if (c.Contains('\\') && Known(CipherKeys, slashed))
                yield return $@"Ciphers\{c}{where} is a key ""{c.Split('\\')[0]}"" with a subkey, not the key ""{slashed}"" (one name containing a slash, which is what SCHANNEL reads; PowerShell's New-Item makes this mistake); ignored.";
            else if (!Known(CipherKeys, c))
                yield return $@"Ciphers\{c}{where} is not a cipher key SCHANNEL reads{Suggest(CipherKeys, c)}; ignored.";
        }
        else if (Below(key, RegistryPaths.Hashes) is { } h && !Known(HashKeys, h))
            yield return $@"Hashes\{h}{where} is not a hash key SCHANNEL reads{Suggest(HashKeys, h)}; ignored.";
        else if (Below(key, RegistryPaths.KeyExchange) is { } k && !Known(KeyExchangeKeys, k))
            yield return $@"KeyExchangeAlgorithms\{k}{where} is not a key exchange key SCHANNEL reads{Suggest(KeyExchangeKeys, k)}; ignored.";
    }

    private static IEnumerable<string> CheckValues(string key, List<RegEntry> values)
    {
        string[]? expected = Below(key, RegistryPaths.Protocols) is { } p && p.Contains('\\') ? ProtocolValues
            : Below(key, RegistryPaths.Ciphers) is not null || Below(key, RegistryPaths.Hashes) is not null ? ["Enabled"]
            : Below(key, RegistryPaths.KeyExchange) is not null ? KeyExchangeValues
            : null;
        foreach (var e in values)
        {
            var name = e.Value.Name;
            var where = e.Origin is null ? "" : $" ({e.Origin})";
            if (expected is not null && !Known(expected, name))
                yield return $@"{Short(key)}\{name}{where} is not a value SCHANNEL reads{Suggest(expected, name)}; ignored.";
            else if (Known(DWordValues, name) && e.Value.Kind != RegValueKind.DWord && (expected is not null || IsDotNetOrVersion(key)))
                yield return $@"{Short(key)}\{name}{where} is {TypeName(e.Value.Kind)}, but Windows reads it only as a REG_DWORD; ignored.";
        }
    }

    private static bool IsDotNetOrVersion(string key) =>
        key.Equals(RegistryPaths.DotNet64, StringComparison.OrdinalIgnoreCase) || key.Equals(RegistryPaths.DotNet32, StringComparison.OrdinalIgnoreCase)
        || key.Equals(RegistryPaths.CurrentVersion, StringComparison.OrdinalIgnoreCase);

    /// <summary>The path below <paramref name="root"/> ("TLS 1.2\Client"), or null when the key is not below it.</summary>
    private static string? Below(string key, string root) =>
        key.StartsWith(root + @"\", StringComparison.OrdinalIgnoreCase) ? key[(root.Length + 1)..] : null;

    private static bool Known(string[] names, string name) => names.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>" (did you mean TLS 1.0?)" when a known name differs only in spaces, dots, case, a plural or one letter.</summary>
    private static string Suggest(string[] names, string given)
    {
        static string Squash(string s) => new([.. s.ToLowerInvariant().Where(char.IsLetterOrDigit)]);
        var g = Squash(given);
        var match = names.FirstOrDefault(n => Squash(n) == g || Squash(n) + "s" == g)
                    // A different version number is another protocol, not a typo.
                    ?? names.FirstOrDefault(n => !g.Any(char.IsDigit) && g.Length > 3 && Distance(Squash(n), g) <= 2);
        return match is null ? "" : $" (did you mean {match}?)";
    }

    /// <summary>Edit distance with transpositions (Enabeld → Enabled is 1).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    private static string Short(string key) => key.Replace("HKEY_LOCAL_MACHINE", "HKLM", StringComparison.Ordinal);

    private static string TypeName(RegValueKind k) => k switch
    {
        RegValueKind.String => "a REG_SZ",
        RegValueKind.ExpandString => "a REG_EXPAND_SZ",
        RegValueKind.MultiString => "a REG_MULTI_SZ",
        RegValueKind.QWord => "a REG_QWORD",
        RegValueKind.Binary => "a REG_BINARY",
        _ => $"type {(int)k}",
    };
}
