using System.Collections.Immutable;

namespace TlsDoctor.Core;

/// <summary>How a client limit is known: seen on the wire (a hello field, the device's reaction on a learning connection) or assumed.</summary>
public enum LimitBasis
{
    /// <summary>Not observed: a default, a guess from the ClientHello, or what a recognised client family is documented to do.</summary>
    Assumed,
    /// <summary>Observed: the hello states it, or the device's reaction to a `listen --learn` answer showed it.</summary>
    Observed,
}

/// <summary>One limit of a client profile with how it is known and why (JSON: clientProfile.limits[]).</summary>
/// <param name="Name">minVersion, maxVersion, certificateHashes, rsaMaxBits, certificateKeys, checksTrust, dhMaxBits, terminalServerSuite.</param>
/// <param name="Value">The limit in words ("TLSv1.2", "sha1", "1024", "no limit").</param>
/// <param name="Source">The observation or the assumption, with the connection or the document it comes from.</param>
public sealed record ClientLimit(string Name, string Value, LimitBasis Basis, string Source);

/// <summary>The limit names and helpers shared by capture, learning and diagnosis.</summary>
public static class ClientLimits
{
    public const string MinVersion = "minVersion";
    public const string MaxVersion = "maxVersion";
    public const string CertificateHashes = "certificateHashes";
    public const string RsaMaxBits = "rsaMaxBits";
    public const string CertificateKeys = "certificateKeys";
    public const string ChecksTrust = "checksTrust";
    public const string DhMaxBits = "dhMaxBits";
    public const string TerminalServerSuite = "terminalServerSuite";

    /// <summary>"observed" or "assumed" (JSON).</summary>
    public static string Name(this LimitBasis basis) => basis == LimitBasis.Observed ? "observed" : "assumed";

    /// <summary>The basis for a JSON spelling; false for anything else.</summary>
    public static bool TryParse(string? text, out LimitBasis basis) => Spellings.TryParse(text, Name, out basis);

    /// <summary>The profile's limit of that name, or null.</summary>
    public static ClientLimit? Limit(this ClientProfile profile, string name)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return profile.Limits.IsDefault ? null : profile.Limits.FirstOrDefault(l => l.Name == name);
    }

    /// <summary>True when the profile marks the limit as assumed (a profile that says nothing about it is taken at its word).</summary>
    public static bool IsAssumed(this ClientProfile profile, string name) => profile.Limit(name)?.Basis == LimitBasis.Assumed;

    /// <summary>The profile with the limit replaced (or added).</summary>
    public static ClientProfile WithLimit(this ClientProfile profile, ClientLimit limit)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(limit);
        var list = profile.Limits.IsDefault ? [] : profile.Limits;
        for (var i = 0; i < list.Length; i++)
            if (list[i].Name == limit.Name) return profile with { Limits = list.SetItem(i, limit) };
        return profile with { Limits = list.Add(limit) };
    }
}
