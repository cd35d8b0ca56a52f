using System.Collections.Immutable;
using System.Globalization;
using TlsDoctor.Core;
using TlsDoctor.Schannel.Policy;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Diagnosis;

/// <summary>The .reg documents the remedies write, and their undo files.</summary>
public static class RegistryRemedies
{
    /// <summary>dh.reg: the SCHANNEL client accepts DH groups down to <paramref name="bits"/>.</summary>
    public static RegDocument ClientMinDh(int bits) => Doc(RegistryPaths.DiffieHellman, RegValue.DWord("ClientMinKeyBitLength", (uint)bits));

    /// <summary>dh-server.reg: the SCHANNEL server uses a DH group of <paramref name="bits"/>.</summary>
    public static RegDocument ServerDh(int bits) => Doc(RegistryPaths.DiffieHellman, RegValue.DWord("ServerMinKeyBitLength", (uint)bits));

    /// <summary>dh-disable.reg: no DHE suite in either role, machine-wide.</summary>
    public static RegDocument DisableDh() => Doc(RegistryPaths.DiffieHellman, RegValue.DWord("Enabled", 0));

    /// <summary>The SCHANNEL registry's name of a role: the "Client" or "Server" subkey of a protocol.</summary>
    public static string RoleKey(Side role) => role == Side.Client ? "Client" : "Server";

    /// <summary>tls.reg: per version, Enabled / DisabledByDefault in the given role.</summary>
    public static RegDocument Protocols(Side role, IEnumerable<TlsVersion> enable, IEnumerable<TlsVersion> disable) => new(
    [
        .. disable.Order().Select(v => new RegKeyBlock(RegistryPaths.ProtocolKey(v, RoleKey(role)), false,
            [RegValueLine.Set(RegValue.DWord("Enabled", 0)), RegValueLine.Set(RegValue.DWord("DisabledByDefault", 1))])),
        .. enable.Order().Select(v => new RegKeyBlock(RegistryPaths.ProtocolKey(v, RoleKey(role)), false,
            [RegValueLine.Set(RegValue.DWord("Enabled", 1)), RegValueLine.Set(RegValue.DWord("DisabledByDefault", 0))])),
    ]);

    /// <summary>dotnet.reg: SchUseStrongCrypto=1 and SystemDefaultTlsVersions=1 for 64- and 32-bit .NET Framework 4 applications.</summary>
    public static RegDocument DotNetStrongCrypto() => new(
    [
        .. new[] { RegistryPaths.DotNet64, RegistryPaths.DotNet32 }.Select(k => new RegKeyBlock(k, false,
            [RegValueLine.Set(RegValue.DWord("SchUseStrongCrypto", 1)), RegValueLine.Set(RegValue.DWord("SystemDefaultTlsVersions", 1))])),
    ]);

    /// <summary>Characters Windows reads of the Functions value; the rest of a longer order is ignored.</summary>
    public const int FunctionsLimit = 1023;

    /// <summary>
    /// ciphers.reg: the cipher suite order policy (what the "SSL Cipher Suite Order" GPO writes), a comma-separated REG_SZ.
    /// RC4 and MD5 suites are never written (RFC 7465; a security review rejects them), and the value stays within
    /// <see cref="FunctionsLimit"/>: the tail of the order is left out, never the suites in <paramref name="keep"/>.
    /// </summary>
    public static RegDocument SuiteOrder(IEnumerable<string> windowsNames, IReadOnlyCollection<string>? keep = null)
    {
        var order = windowsNames.Where(Acceptable).Distinct(StringComparer.Ordinal).ToList();
        for (var i = order.Count - 1; i >= 0 && string.Join(",", order).Length > FunctionsLimit; i--)
            if (keep is null || !keep.Contains(order[i])) order.RemoveAt(i);
        return Doc(RegistryPaths.SuitePolicy, RegValue.String("Functions", string.Join(",", order)));
    }

    /// <summary>False for suites a generated order never holds: RC4 (RFC 7465) and MD5 MACs, by their Windows or IANA name.</summary>
    public static bool Acceptable(string windowsName) =>
        !windowsName.Contains("RC4", StringComparison.OrdinalIgnoreCase) && !windowsName.EndsWith("MD5", StringComparison.OrdinalIgnoreCase);

    /// <summary>curves.reg: the ECC curve order policy (REG_MULTI_SZ).</summary>
    public static RegDocument CurveOrder(IEnumerable<string> curves) => Doc(RegistryPaths.SuitePolicy, RegValue.MultiString("EccCurves", curves));

    /// <summary>The change file and its undo as remedy files: "dh.reg" and "undo-dh.reg" (regedit's UTF-16 text).</summary>
    public static ImmutableArray<RemedyFile> Files(string name, RegDocument change, RegistryState before) =>
    [
        new(name, RegFileWriter.ToText(change)),
        new("undo-" + name, RegFileWriter.ToText(RegUndo.Create(change, before))),
    ];

    /// <summary>"dword:00000200" spelling, for titles and steps.</summary>
    public static string DWordText(int value) => "dword:" + value.ToString("x8", CultureInfo.InvariantCulture);

    private static RegDocument Doc(string key, RegValue value) => new([new RegKeyBlock(key, false, [RegValueLine.Set(value)])]);
}

/// <summary>What a policy change does besides the fix: versions and suites gained or lost, in each role.</summary>
public static class PolicyDiff
{
    public static ImmutableArray<string> Describe(SchannelPolicy before, SchannelPolicy after)
    {
        var list = new List<string>();
        void Versions(string role, IEnumerable<TlsVersion> b, IEnumerable<TlsVersion> a)
        {
            var lost = b.Except(a).Order().ToList();
            var gained = a.Except(b).Order().ToList();
            if (lost.Count > 0) list.Add($"{role}: no longer uses {string.Join(", ", lost.Select(v => v.Name()))}");
            if (gained.Count > 0) list.Add($"{role}: now also uses {string.Join(", ", gained.Select(v => v.Name()))}");
        }
        Versions("outbound (every TLS client connection of this machine's applications)", before.OutboundVersions.Select(v => v.Value), after.OutboundVersions.Select(v => v.Value));
        Versions("inbound (every TLS server on this machine)", before.InboundVersions.Select(v => v.Value), after.InboundVersions.Select(v => v.Value));
        var b = before.EffectiveSuites.Select(s => s.Suite.Name).ToList();
        var a = after.EffectiveSuites.Select(s => s.Suite.Name).ToList();
        var removed = b.Except(a).ToList();
        var added = a.Except(b).ToList();
        if (removed.Count > 0) list.Add($"machine-wide, both roles: {removed.Count} cipher suite(s) removed ({string.Join(", ", removed)}); any peer that speaks only those fails");
        if (added.Count > 0) list.Add($"machine-wide, both roles: {added.Count} cipher suite(s) added ({string.Join(", ", added)})");
        if (after.DhClientMinBits.Value < before.DhClientMinBits.Value)
            list.Add($"every outbound connection now accepts DH groups of {after.DhClientMinBits.Value} bits (was {before.DhClientMinBits.Value}), including from servers that could do better (Logjam)");
        if (after.DhServerBits.Value != before.DhServerBits.Value)
            list.Add($"the inbound DH group changes from {before.DhServerBits.Value} to {after.DhServerBits.Value} bits for every client of this machine");
        if (after.StrongCrypto.Value != before.StrongCrypto.Value)
            list.Add(after.StrongCrypto.Value ? "SCH_USE_STRONG_CRYPTO now applies: RC4 / 3DES / other weak suites are no longer offered" : "SCH_USE_STRONG_CRYPTO no longer applies: weak suites are offered again");
        return [.. list];
    }
}
