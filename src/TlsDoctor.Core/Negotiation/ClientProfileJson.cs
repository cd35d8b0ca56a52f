using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TlsDoctor.Core;

/// <summary>
/// The JSON file format of a <see cref="ClientProfile"/> (docs/json.md "ClientProfile JSON"): versions, suites, groups
/// and schemes by name, tolerances as plain fields. Written by <see cref="ClientProfileJsonMapper.ToJson"/>.
/// </summary>
public sealed record ClientProfileJson(
    string Name,
    ImmutableArray<string> Versions,
    ImmutableArray<string> CipherSuites,
    ImmutableArray<string> Groups,
    ImmutableArray<string> SignatureSchemes,
    ImmutableArray<string> Extensions,
    int DhMinBits,
    int? DhMaxBits,
    int RsaMinBits,
    int? RsaMaxBits,
    ImmutableArray<string> AcceptedCertificateKeys,
    ImmutableArray<string> AcceptedCertificateHashes,
    bool Sha512InTls12,
    ImmutableArray<string>? TrustedCertificates,
    bool StripsDhLeadingZero,
    bool ChecksCertificateDates,
    bool ChecksTrustAfterHandshake,
    string? DhRejectAlert,
    string? Origin);

/// <summary>Source-generated serializer settings of the ClientProfile JSON format: camelCase, indented, nulls kept.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ClientProfileJson))]
public sealed partial class ClientProfileJsonContext : JsonSerializerContext;

/// <summary>
/// Converts client profiles to and from JSON. Reading is tolerant, because profiles come from users and from other
/// commands: list items may be names, hex codes ("0x0039"), numbers or objects with a "name" / "code" / "version";
/// every tolerance field is optional and defaults as in <see cref="ClientProfile"/>.
/// </summary>
public static class ClientProfileJsonMapper
{
    /// <summary>The JSON form of a profile.</summary>
    public static ClientProfileJson ToJson(ClientProfile p) => new(
        p.Name,
        [.. Norm(p.Versions).Select(v => v.Name())],
        [.. Norm(p.CipherSuites).Select(s => s.Name)],
        [.. Norm(p.Groups).Select(g => g.Name)],
        [.. Norm(p.SignatureSchemes).Select(s => s.Name)],
        Norm(p.Extensions),
        p.DhMinBits, p.DhMaxBits, p.RsaMinBits, p.RsaMaxBits,
        Norm(p.AcceptedCertificateKeys), Norm(p.AcceptedCertificateHashes),
        p.Sha512InTls12, p.TrustedCertificates,
        p.StripsDhLeadingZero, p.ChecksCertificateDates, p.ChecksTrustAfterHandshake,
        p.DhRejectAlert?.Name(), p.Origin);

    /// <summary>Serializes a profile as an indented ClientProfile JSON document.</summary>
    public static string Serialize(ClientProfile p) => JsonSerializer.Serialize(ToJson(p), ClientProfileJsonContext.Default.ClientProfileJson);

    /// <summary>True when the object looks like a client profile: a "versions" array and a "cipherSuites" array.</summary>
    public static bool IsClientProfile(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object
        && e.TryGetProperty("versions", out var v) && v.ValueKind == JsonValueKind.Array
        && e.TryGetProperty("cipherSuites", out var s) && s.ValueKind == JsonValueKind.Array;

    /// <summary>
    /// The first object in the document (itself, then its properties and array items, depth first) that looks like a
    /// client profile; lets wrappers such as {"profile": {…}} or {"captures": [{"clientProfile": {…}}]} be read as well.
    /// </summary>
    public static bool TryFind(JsonElement root, out JsonElement profile) => TryFind(root, out profile, depth: 0);

    private static bool TryFind(JsonElement e, out JsonElement profile, int depth)
    {
        profile = default;
        if (depth > 8) return false;
        if (IsClientProfile(e)) { profile = e; return true; }
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
                if (TryFind(p.Value, out profile, depth + 1)) return true;
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray())
                if (TryFind(item, out profile, depth + 1)) return true;
        }
        return false;
    }

    /// <summary>Reads a profile object; a value that cannot be understood throws <see cref="FormatException"/> naming the field.</summary>
    public static ClientProfile FromJson(JsonElement e, string defaultName)
    {
        if (!IsClientProfile(e)) throw new FormatException("not a client profile: it needs a \"versions\" array and a \"cipherSuites\" array");
        var versions = Items(e, "versions", new[] { "version", "name" }).Select(t =>
            TlsVersions.TryParse(t, out var v) ? v : ParseVersionCode(t) ?? throw new FormatException($"versions: unknown protocol version \"{t}\""));
        var suites = Items(e, "cipherSuites", new[] { "name", "code" }).Select(t =>
            CipherSuites.TryParse(t, out var s) || Vocabulary.TryParseSuite(t, out s) ? s : throw new FormatException($"cipherSuites: unknown cipher suite \"{t}\""));
        var groups = Items(e, "groups", new[] { "name", "code" }).Select(t =>
            NamedGroups.TryParse(t, out var g) ? g : Vocabulary.Group(t));
        var schemes = Items(e, "signatureSchemes", new[] { "name", "code" }).Select(t =>
            SignatureSchemes.TryParse(t, out var s) ? s : Vocabulary.Scheme(t));
        var name = Str(e, "name") ?? defaultName;
        var profile = new ClientProfile(name, [.. versions.Distinct()], [.. suites], [.. groups], [.. schemes], [.. Items(e, "extensions", new[] { "name" })]);

        if (Int(e, "dhMinBits") is { } dhMin) profile = profile with { DhMinBits = dhMin };
        if (Has(e, "dhMaxBits")) profile = profile with { DhMaxBits = Int(e, "dhMaxBits") };
        if (Int(e, "rsaMinBits") is { } rsaMin) profile = profile with { RsaMinBits = rsaMin };
        if (Has(e, "rsaMaxBits")) profile = profile with { RsaMaxBits = Int(e, "rsaMaxBits") };
        if (Has(e, "acceptedCertificateKeys")) profile = profile with { AcceptedCertificateKeys = [.. Items(e, "acceptedCertificateKeys", new[] { "name" })] };
        if (Has(e, "acceptedCertificateHashes")) profile = profile with { AcceptedCertificateHashes = [.. Items(e, "acceptedCertificateHashes", new[] { "name" })] };
        if (Bool(e, "sha512InTls12") is { } sha512) profile = profile with { Sha512InTls12 = sha512 };
        if (Has(e, "trustedCertificates"))
            profile = profile with { TrustedCertificates = e.GetProperty("trustedCertificates").ValueKind == JsonValueKind.Null ? null : [.. Items(e, "trustedCertificates", new[] { "sha256" })] };
        if (Bool(e, "stripsDhLeadingZero") is { } strips) profile = profile with { StripsDhLeadingZero = strips };
        if (Bool(e, "checksCertificateDates") is { } dates) profile = profile with { ChecksCertificateDates = dates };
        if (Bool(e, "checksTrustAfterHandshake") is { } after) profile = profile with { ChecksTrustAfterHandshake = after };
        if (Has(e, "dhRejectAlert"))
        {
            var a = Str(e, "dhRejectAlert");
            profile = profile with
            {
                DhRejectAlert = a is null ? null
                    : AlertNames.TryParse(a, out var alert) ? alert
                    : throw new FormatException($"dhRejectAlert: unknown alert \"{a}\" (use an RFC name such as insufficient_security, or null)"),
            };
        }
        profile = profile with { Origin = Str(e, "origin") ?? profile.Origin };
        return profile;
    }

    /// <summary>Reads the ClientProfile JSON document text (the profile itself or any wrapper holding one).</summary>
    public static ClientProfile Parse(string json, string defaultName)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!TryFind(doc.RootElement, out var e)) throw new FormatException("no client profile found: expected an object with \"versions\" and \"cipherSuites\" arrays");
        return FromJson(e, defaultName);
    }

    private static TlsVersion? ParseVersionCode(string t) =>
        t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && ushort.TryParse(t.AsSpan(2), NumberStyles.HexNumber, null, out var code)
            && Enum.IsDefined((TlsVersion)code) ? (TlsVersion)code : null;

    private static bool Has(JsonElement e, string name) => e.TryGetProperty(name, out _);

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Null => null,
            _ => throw new FormatException($"{name}: expected a string, got {v.ValueKind.ToString().ToLowerInvariant()}"),
        } : null;

    private static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.Number when v.TryGetInt32(out var i) && i >= 0 => i,
            JsonValueKind.Null => null,
            _ => throw new FormatException($"{name}: expected a non-negative integer or null, got {v.GetRawText()}"),
        } : null;

    private static bool? Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => null,
            _ => throw new FormatException($"{name}: expected true or false, got {v.GetRawText()}"),
        } : null;

    /// <summary>The items of an array property as text: strings as they are, numbers as hex codes, objects by their first named key.</summary>
    private static IEnumerable<string> Items(JsonElement e, string name, string[] keys)
    {
        if (!e.TryGetProperty(name, out var a) || a.ValueKind == JsonValueKind.Null) yield break;
        if (a.ValueKind != JsonValueKind.Array) throw new FormatException($"{name}: expected an array");
        var i = 0;
        foreach (var item in a.EnumerateArray())
        {
            var text = item.ValueKind switch
            {
                JsonValueKind.String => item.GetString(),
                JsonValueKind.Number when item.TryGetUInt16(out var code) => $"0x{code:x4}",
                JsonValueKind.Object => keys.Select(k => item.TryGetProperty(k, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null)
                    .FirstOrDefault(s => !string.IsNullOrWhiteSpace(s)),
                _ => null,
            };
            if (string.IsNullOrWhiteSpace(text)) throw new FormatException($"{name}[{i}]: expected a name, a code or an object with \"{keys[0]}\", got {item.GetRawText()}");
            i++;
            yield return text.Trim();
        }
    }

    private static ImmutableArray<T> Norm<T>(ImmutableArray<T> a) => a.IsDefault ? [] : a;
}
