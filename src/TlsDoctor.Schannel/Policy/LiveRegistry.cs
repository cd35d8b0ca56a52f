using System.Runtime.Versioning;
using Microsoft.Win32;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Schannel.Policy;

/// <summary>Reads registry subtrees of the local Windows machine (compiled everywhere, callable only on Windows).</summary>
public static class LiveRegistry
{
    /// <summary>True where the live registry can be read.</summary>
    public static bool Available => OperatingSystem.IsWindows();

    /// <summary>Reads every key and value under the given HKLM paths (64-bit view); missing keys are skipped.</summary>
    [SupportedOSPlatform("windows")]
    public static RegistryState Read(IEnumerable<string> roots)
    {
        var state = RegistryState.Empty;
        using var hklm = RegistryKey.OpenBaseKey(RegistryHive.LocalMachine, RegistryView.Registry64);
        foreach (var root in roots)
        {
            var full = RegPath.Normalize(root) ?? throw new ArgumentException($"not a registry path: {root}");
            const string prefix = @"HKEY_LOCAL_MACHINE\";
            if (!full.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) continue;
            using var key = hklm.OpenSubKey(full[prefix.Length..]);
            if (key is not null) state = Walk(key, full, state, depth: 0);
        }
        return state;
    }

    [SupportedOSPlatform("windows")]
    private static RegistryState Walk(RegistryKey key, string path, RegistryState state, int depth)
    {
        // The CurrentVersion key has large unrelated subtrees; its own values are all the policy needs.
        var isCurrentVersion = path.Equals(RegistryPaths.CurrentVersion, StringComparison.OrdinalIgnoreCase);
        foreach (var name in key.GetValueNames())
        {
            var kind = key.GetValueKind(name);
            var data = key.GetValue(name, null, RegistryValueOptions.DoNotExpandEnvironmentNames);
            RegValue? v = (kind, data) switch
            {
                (Microsoft.Win32.RegistryValueKind.DWord, int i) => RegValue.DWord(name, unchecked((uint)i)),
                (Microsoft.Win32.RegistryValueKind.QWord, long l) => RegValue.QWord(name, unchecked((ulong)l)),
                (Microsoft.Win32.RegistryValueKind.String, string s) => RegValue.String(name, s),
                (Microsoft.Win32.RegistryValueKind.ExpandString, string s) => RegValue.String(name, s, Registry.RegValueKind.ExpandString),
                (Microsoft.Win32.RegistryValueKind.MultiString, string[] m) => RegValue.MultiString(name, m),
                (Microsoft.Win32.RegistryValueKind.Binary, byte[] b) => RegValue.Binary(name, b),
                (_, byte[] b) => RegValue.Binary(name, b, Registry.RegValueKind.None),
                _ => null,
            };
            if (v is not null) state = state.Set(path, v, "live registry");
        }
        if (!state.HasKey(path)) state = state.Apply(new RegDocument([new RegKeyBlock(path, false, [])]));
        if (isCurrentVersion || depth > 8) return state;
        foreach (var sub in key.GetSubKeyNames())
        {
            using var child = key.OpenSubKey(sub);
            if (child is not null) state = Walk(child, path + "\\" + sub, state, depth + 1);
        }
        return state;
    }
}
