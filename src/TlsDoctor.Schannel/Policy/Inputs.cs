using System.Collections.Immutable;
using System.Text.RegularExpressions;
using TlsDoctor.Core;
using TlsDoctor.Schannel.Knowledge;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Schannel.Policy;

/// <summary>Everything the effective policy is computed from.</summary>
public sealed record PolicyInputs
{
    /// <summary>The release; null = read it from the registry's CurrentVersion values.</summary>
    public WindowsRelease? Release { get; init; }
    public int? Build { get; init; }
    public int? Ubr { get; init; }
    /// <summary>True when the build was mapped to the nearest release (an assumption the policy lists).</summary>
    public bool BuildMappedToNearest { get; init; }
    /// <summary>Installed updates; null = unknown (every known update for the release is assumed installed).</summary>
    public ImmutableArray<string>? Updates { get; init; }
    public RegistryState Registry { get; init; } = RegistryState.Empty;
    /// <summary>Where the registry came from, for explanations (".reg files", "live registry", "snapshot x.json").</summary>
    public string RegistryOrigin { get; init; } = "registry";
    /// <summary>The Terminal Server's .NET Framework generation; null = assumed 4.7+.</summary>
    public DotNetFramework? DotNet { get; init; }
    public ProductSetting? ProductSetting { get; init; }
}

/// <summary>.NET Framework generations whose TLS defaults differ.</summary>
public enum DotNetFramework { Net45, Net46, Net47Plus }

/// <summary>Parsing of --dotnet values.</summary>
public static class DotNetFrameworks
{
    /// <summary>Accepts 4.5 / 4.5.2 / 4.6 / 4.6.2 / 4.7+ / 4.7.2 / 4.8 / 4.8.1.</summary>
    public static bool TryParse(string? text, out DotNetFramework framework)
    {
        framework = DotNetFramework.Net47Plus;
        var t = text?.Trim().TrimEnd('+').ToLowerInvariant().TrimStart('v');
        if (string.IsNullOrEmpty(t)) return false;
        if (t.StartsWith("4.5", StringComparison.Ordinal)) { framework = DotNetFramework.Net45; return true; }
        if (t.StartsWith("4.6", StringComparison.Ordinal)) { framework = DotNetFramework.Net46; return true; }
        if (t.StartsWith("4.7", StringComparison.Ordinal) || t.StartsWith("4.8", StringComparison.Ordinal)) { framework = DotNetFramework.Net47Plus; return true; }
        return false;
    }

    /// <summary>4.5, 4.6 or 4.7+ (the ids of dotnet.json).</summary>
    public static string Id(this DotNetFramework f) => f switch { DotNetFramework.Net45 => "4.5", DotNetFramework.Net46 => "4.6", _ => "4.7+" };
}

/// <summary>A bad value of securityProtocolTypesForOutboundCommunication.</summary>
public sealed class ProductSettingException(string message, string? token) : InputException(message)
{
    /// <summary>The offending name, when one is to blame.</summary>
    public string? Token { get; } = token;
}

/// <summary>The product setting securityProtocolTypesForOutboundCommunication: SecurityProtocolType names, contiguous.</summary>
/// <param name="Raw">The value as given.</param>
/// <param name="Versions">The versions it names, oldest first; empty for "SystemDefault".</param>
public sealed record ProductSetting(string Raw, ImmutableArray<TlsVersion> Versions)
{
    public const string Name = "securityProtocolTypesForOutboundCommunication";

    /// <summary>True when the value leaves the choice to the system ("SystemDefault").</summary>
    public bool IsSystemDefault => Versions.IsEmpty;

    private static readonly (string Name, TlsVersion Version)[] Names =
    [
        ("Ssl3", TlsVersion.SSLv3), ("Tls", TlsVersion.TLSv1_0), ("Tls11", TlsVersion.TLSv1_1),
        ("Tls12", TlsVersion.TLSv1_2), ("Tls13", TlsVersion.TLSv1_3),
    ];

    /// <summary>The SecurityProtocolType name of a version (Tls12).</summary>
    public static string EnumName(TlsVersion v) => Names.First(n => n.Version == v).Name;

    /// <summary>
    /// Parses "Tls11, Tls12": comma-separated SecurityProtocolType names (Ssl3, Tls, Tls11, Tls12, Tls13, or
    /// SystemDefault alone); the versions must be contiguous (Tls + Tls12 without Tls11 is rejected [S32]).
    /// </summary>
    public static ProductSetting Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ProductSettingException($"{Name} is empty; give names such as \"Tls12, Tls13\"", null);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var versions = new SortedSet<TlsVersion>();
        var systemDefault = false;
        foreach (var p in parts)
        {
            if (p.Length == 0) throw new ProductSettingException($"{Name} has an empty entry in \"{text}\"", "");
            if (p.Equals("SystemDefault", StringComparison.OrdinalIgnoreCase)) { systemDefault = true; continue; }
            var match = Names.FirstOrDefault(n => n.Name.Equals(p, StringComparison.OrdinalIgnoreCase));
            if (match.Name is null)
                throw new ProductSettingException(
                    $"\"{p}\" is not a SecurityProtocolType name; use Ssl3, Tls, Tls11, Tls12, Tls13 (Tls means TLS 1.0)", p);
            versions.Add(match.Version);
        }
        if (systemDefault && versions.Count > 0)
            throw new ProductSettingException("SystemDefault cannot be combined with explicit versions", "SystemDefault");
        var ordered = Names.Select(n => n.Version).ToList();
        var idx = versions.Select(v => ordered.IndexOf(v)).ToList();
        for (var i = 1; i < idx.Count; i++)
            if (idx[i] != idx[i - 1] + 1)
                throw new ProductSettingException(
                    $"the versions must be contiguous: {EnumName(ordered[idx[i - 1]])} and {EnumName(ordered[idx[i]])} are given without {EnumName(ordered[idx[i - 1] + 1])}",
                    EnumName(ordered[idx[i - 1] + 1]));
        return new ProductSetting(text.Trim(), [.. versions]);
    }

    /// <summary>Non-throwing <see cref="Parse"/>.</summary>
    public static bool TryParse(string? text, out ProductSetting? setting, out string? error)
    {
        try
        {
            setting = Parse(text ?? "");
            error = null;
            return true;
        }
        catch (ProductSettingException e)
        {
            setting = null;
            error = e.Message;
            return false;
        }
    }
}

/// <summary>Parses --updates values and --updates-file content (Get-HotFix tables, systeminfo output).</summary>
public static partial class UpdateLists
{
    /// <summary>KB ids from --updates arguments ("KB2919355,KB2975719", repeatable; "none" for an empty installed set); a token that is not a KB id throws <see cref="FormatException"/>.</summary>
    public static ImmutableArray<string> ParseIds(IEnumerable<string> arguments)
    {
        var result = new List<string>();
        foreach (var arg in arguments)
            foreach (var token in arg.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (token.Equals("none", StringComparison.OrdinalIgnoreCase)) continue; // "--updates none": known to have none
                var m = IdPattern().Match(token);
                if (!m.Success) throw new FormatException($"\"{token}\" is not a KB id (expected e.g. KB2975719)");
                result.Add("KB" + m.Groups["n"].Value);
            }
        return [.. result.Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>
    /// KB ids found in Get-HotFix / wmic qfe table output or in systeminfo output (only its "Hotfix(s)" section
    /// when present). Order of first appearance, no duplicates.
    /// </summary>
    public static ImmutableArray<string> ParseText(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var start = Array.FindIndex(lines, l => HotfixLabel().IsMatch(l));
        IEnumerable<string> scope = lines;
        if (start >= 0)
        {
            // systeminfo: the label line, then indented "[01]: KB…" lines until the next "Label:" line.
            var section = new List<string> { lines[start] };
            for (var i = start + 1; i < lines.Length && (lines[i].Length == 0 || char.IsWhiteSpace(lines[i][0])); i++) section.Add(lines[i]);
            scope = section;
        }
        return [.. scope.SelectMany(l => KbPattern().Matches(l)).Select(m => "KB" + m.Groups["n"].Value).Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    [GeneratedRegex(@"^(?:KB)?(?<n>\d{6,7})$", RegexOptions.IgnoreCase)]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"\bKB(?<n>\d{6,7})\b", RegexOptions.IgnoreCase)]
    private static partial Regex KbPattern();

    [GeneratedRegex(@"^\s*Hotfix\(s\)\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex HotfixLabel();
}
