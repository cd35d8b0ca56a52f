using System.Collections.Immutable;
using System.Text.Json;
using TlsDoctor.Core;

namespace TlsDoctor.Probe.Capture;

/// <summary>A client profile file that cannot be used: missing, not JSON, no capture, unknown names. The message says which.</summary>
public sealed class ClientProfileFileException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Reads a <see cref="ClientProfile"/> from a file: the `listen --json` document (its first capture with a
/// ClientHello, or the capture at a given index), a single capture object, or a plain ClientProfile JSON
/// (<see cref="ClientProfileJson"/>).
/// </summary>
public static class ClientProfileFiles
{
    /// <summary>
    /// Loads the profile. index: 0-based position in the document's "captures" array; null = the first capture that holds
    /// a ClientHello. Throws <see cref="ClientProfileFileException"/> with a one-line reason on any problem.
    /// </summary>
    public static ClientProfile Load(string path, int? index = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ClientProfileFileException($"{path}: cannot read the file ({e.Message})", e);
        }
        return Parse(text, path, index);
    }

    /// <summary>Like <see cref="Load"/> but returns false with the reason instead of throwing.</summary>
    public static bool TryLoad(string path, out ClientProfile? profile, out string? error, int? index = null)
    {
        try
        {
            profile = Load(path, index);
            error = null;
            return true;
        }
        catch (ClientProfileFileException e)
        {
            profile = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>Parses file content; source names the file in messages.</summary>
    public static ClientProfile Parse(string json, string source, int? index = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new ClientProfileFileException($"{source}: not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ClientProfileFileException($"{source}: expected a JSON object (a listen capture document or a client profile)");
            if (Property(root, "captures") is { } captures) return FromCaptures(captures, source, index);
            if (Property(root, "clientProfile") is { } single)
            {
                if (single.ValueKind != JsonValueKind.Object)
                    throw new ClientProfileFileException($"{source}: the capture holds no client profile ({Text(root, "error") ?? "no ClientHello"})");
                return FromElement(single, source);
            }
            if (Property(root, "versions") is not null || Property(root, "cipherSuites") is not null) return FromElement(root, source);
            throw new ClientProfileFileException($"{source}: neither a listen document (\"captures\") nor a client profile (\"versions\", \"cipherSuites\")");
        }
    }

    /// <summary>Converts the JSON form back to a profile; unknown version or suite names throw with the name.</summary>
    public static ClientProfile FromJson(ClientProfileJson json, string source = "profile")
    {
        ArgumentNullException.ThrowIfNull(json);
        var versions = ImmutableArray.CreateBuilder<TlsVersion>();
        foreach (var v in json.Versions ?? [])
        {
            if (!TlsVersions.TryParse(v, out var tv)) throw new ClientProfileFileException($"{source}: unknown protocol version '{v}' (use SSLv3, TLSv1.0 … TLSv1.3)");
            versions.Add(tv);
        }
        var suites = ImmutableArray.CreateBuilder<CipherSuite>();
        foreach (var s in json.CipherSuites ?? [])
        {
            if (!Vocabulary.TryParseSuite(s, out var suite)) throw new ClientProfileFileException($"{source}: unknown cipher suite '{s}' (use IANA names or 0xNNNN)");
            suites.Add(suite);
        }
        if (versions.Count == 0) throw new ClientProfileFileException($"{source}: the profile lists no protocol versions");
        if (suites.Count == 0) throw new ClientProfileFileException($"{source}: the profile lists no cipher suites");
        var defaults = new ClientProfile("", [], [], [], [], []);
        var dhAlert = defaults.DhRejectAlert;
        if (json.DhRejectAlert is { } a)
        {
            if (string.Equals(a, "none", StringComparison.OrdinalIgnoreCase)) dhAlert = null;
            else if (AlertNames.TryParse(a, out var parsed)) dhAlert = parsed;
            else throw new ClientProfileFileException($"{source}: unknown alert '{a}' in dhRejectAlert");
        }
        return new ClientProfile(
            json.Name ?? "client profile from " + source,
            versions.ToImmutable(),
            suites.ToImmutable(),
            [.. (json.Groups ?? []).Select(Vocabulary.Group)],
            [.. (json.SignatureSchemes ?? []).Select(Vocabulary.Scheme)],
            json.Extensions ?? [])
        {
            Origin = json.Origin ?? source,
            DhMinBits = json.DhMinBits ?? defaults.DhMinBits,
            DhMaxBits = json.DhMaxBits,
            RsaMinBits = json.RsaMinBits ?? defaults.RsaMinBits,
            RsaMaxBits = json.RsaMaxBits,
            AcceptedCertificateKeys = json.AcceptedCertificateKeys ?? [],
            AcceptedCertificateHashes = json.AcceptedCertificateHashes ?? [],
            Sha512InTls12 = json.Sha512InTls12 ?? defaults.Sha512InTls12,
            TrustedCertificates = json.TrustedCertificates,
            StripsDhLeadingZero = json.StripsDhLeadingZero ?? defaults.StripsDhLeadingZero,
            ChecksCertificateDates = json.ChecksCertificateDates ?? defaults.ChecksCertificateDates,
            ChecksTrustAfterHandshake = json.ChecksTrustAfterHandshake ?? defaults.ChecksTrustAfterHandshake,
            DhRejectAlert = dhAlert,
        };
    }

    /// <summary>Writes a plain profile file (the format <see cref="Load"/> reads back).</summary>
    public static void Save(ClientProfile profile, string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(ListenJsonMapper.ToJson(profile), ListenJsonContext.Default.ClientProfileJson));

    private static ClientProfile FromCaptures(JsonElement captures, string source, int? index)
    {
        if (captures.ValueKind != JsonValueKind.Array) throw new ClientProfileFileException($"{source}: \"captures\" is not an array");
        var count = captures.GetArrayLength();
        if (count == 0) throw new ClientProfileFileException($"{source}: the listen document holds no captures (nothing connected)");
        if (index is { } i)
        {
            if (i < 0 || i >= count) throw new ClientProfileFileException($"{source}: capture index {i} is out of range (the document holds {count}, numbered from 0)");
            var c = captures[i];
            if (Property(c, "clientProfile") is not { ValueKind: JsonValueKind.Object } p)
                throw new ClientProfileFileException($"{source}: capture {i} holds no ClientHello ({Text(c, "error") ?? "no profile"})");
            return FromElement(p, $"{source} capture {i}");
        }
        string? firstError = null;
        for (var k = 0; k < count; k++)
        {
            var c = captures[k];
            if (Property(c, "clientProfile") is { ValueKind: JsonValueKind.Object } p) return FromElement(p, $"{source} capture {k}");
            firstError ??= Text(c, "error");
        }
        throw new ClientProfileFileException($"{source}: none of the {count} capture(s) holds a ClientHello (first error: {firstError ?? "unknown"})");
    }

    private static ClientProfile FromElement(JsonElement element, string source)
    {
        ClientProfileJson? json;
        try
        {
            json = element.Deserialize(ListenJsonContext.Default.ClientProfileJson);
        }
        catch (JsonException e)
        {
            throw new ClientProfileFileException($"{source}: the client profile has a field of the wrong type ({e.Message})", e);
        }
        if (json is null) throw new ClientProfileFileException($"{source}: empty client profile");
        return FromJson(json, source);
    }

    // Property names are matched case-insensitively: hand-written files vary.
    private static JsonElement? Property(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object) return null;
        foreach (var p in obj.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) return p.Value.ValueKind == JsonValueKind.Null ? null : p.Value;
        return null;
    }

    private static string? Text(JsonElement obj, string name) => Property(obj, name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;
}
