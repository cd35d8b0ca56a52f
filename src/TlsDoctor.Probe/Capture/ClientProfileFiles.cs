using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using TlsDoctor.Core;

namespace TlsDoctor.Probe.Capture;

/// <summary>A client profile file that cannot be used: missing, not JSON, no capture, unknown names. The message says which.</summary>
public sealed class ClientProfileFileException(string message, Exception? inner = null) : InputException(message, inner)
{
    /// <summary>True when the document holds no client profile at all (rather than a broken one), so a caller can list its other inputs.</summary>
    public bool NoProfileFound { get; init; }
}

/// <summary>
/// The one reader of ClientProfile JSON (`simulate --client`, `diagnose --client-hello`): the `listen --json` document
/// (its first capture with a ClientHello, or the capture at a given index), a single capture object, a plain
/// <see cref="ClientProfileJson"/>, or any object below the root that has "versions" and "cipherSuites". Property names
/// are case-insensitive; versions as TLSv1.2 / tls1.2 / 0x0303 / 771; suites as IANA or OpenSSL names, "0x002f",
/// numbers, or objects with "name" / "code"; groups, signature schemes and extensions as names, codes or objects with
/// "name" / "code".
/// </summary>
public static partial class ClientProfileFiles
{
    // Bit limits are RSA moduli and DH primes: nothing real comes near 64 Kibit, so larger values are typing mistakes.
    private const int MaxBits = 65536;

    // How deep below the root a wrapped profile is looked for; listen documents need 3, hand-made wrappers a few more.
    private const int MaxSearchDepth = 8;

    private static readonly ImmutableArray<string> WrapperNames = ["clientProfile", "profile", "captures", "clients", "hellos"];

    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>
    /// Loads the profile. index: 0-based position in the document's "captures" array; null = the first capture that holds
    /// a ClientHello. Throws <see cref="ClientProfileFileException"/> with a one-line reason on any problem.
    /// </summary>
    public static ClientProfile Load(string path, int? index = null)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ClientProfileFileException("no client profile file given");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            var reason = e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : e.Message;
            throw new ClientProfileFileException($"{path}: cannot read the file ({reason})", e);
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
        ArgumentNullException.ThrowIfNull(source);
        // A BOM survives when the text did not come through File.ReadAllText (stdin, a test string).
        var text = json.TrimStart('\uFEFF');
        if (string.IsNullOrWhiteSpace(text))
            throw new ClientProfileFileException($"{source}: the file is empty (expected a client profile or `listen --json` output)") { NoProfileFound = true };
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new ClientProfileFileException($"{source}: not valid JSON (line {(e.LineNumber ?? 0) + 1}: {ShortJsonMessage(e)})", e);
        }
        using (doc)
        {
            try
            {
                return FromDocument(doc.RootElement, source, index);
            }
            catch (InvalidOperationException e)
            {
                // JSON allows escapes such as "\ud800" that are no text (a lone UTF-16 surrogate); reading one as a string throws.
                throw new ClientProfileFileException($"{source}: a string in the profile is not valid text ({e.Message})", e);
            }
        }
    }

    /// <summary>Converts the JSON form back to a profile; unknown version or suite names and absurd numbers throw with the name.</summary>
    public static ClientProfile FromJson(ClientProfileJson json, string source = "profile")
    {
        ArgumentNullException.ThrowIfNull(json);
        var versions = ImmutableArray.CreateBuilder<TlsVersion>();
        foreach (var v in json.Versions ?? [])
        {
            if (!TryParseVersion(v, out var tv)) throw new ClientProfileFileException($"{source}: unknown protocol version '{v}' (use SSLv3, TLSv1.0 … TLSv1.3 or 0x0301 … 0x0304)");
            versions.Add(tv);
        }
        var suites = ImmutableArray.CreateBuilder<CipherSuite>();
        foreach (var s in json.CipherSuites ?? [])
        {
            if (!Vocabulary.TryParseSuite(s, out var suite)) throw new ClientProfileFileException($"{source}: unknown cipher suite '{s}' (use IANA or OpenSSL names or 0xNNNN)");
            suites.Add(suite);
        }
        if (versions.Count == 0) throw new ClientProfileFileException($"{source}: the profile lists no protocol versions");
        if (suites.Count == 0) throw new ClientProfileFileException($"{source}: the profile lists no cipher suites");
        CheckBits(json.DhMinBits, "dhMinBits", source);
        CheckBits(json.DhMaxBits, "dhMaxBits", source);
        CheckBits(json.RsaMinBits, "rsaMinBits", source);
        CheckBits(json.RsaMaxBits, "rsaMaxBits", source);
        CheckRange(json.DhMinBits, json.DhMaxBits, "dh", source);
        CheckRange(json.RsaMinBits, json.RsaMaxBits, "rsa", source);
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
            Family = json.ClientFamily,
            Limits = [.. (json.Limits ?? []).Select(l => ToLimit(l, source))],
        };
    }

    private static ClientLimit ToLimit(ClientLimitJson l, string source)
    {
        if (string.IsNullOrWhiteSpace(l.Name)) throw new ClientProfileFileException($"{source}: a limit has no \"name\"");
        if (!ClientLimits.TryParse(l.Basis, out var basis))
            throw new ClientProfileFileException($"{source}: limit '{l.Name}' has basis '{l.Basis}' (use \"observed\" or \"assumed\")");
        return new ClientLimit(l.Name, l.Value ?? "", basis, l.Source ?? "");
    }

    /// <summary>Writes a plain profile file (the format <see cref="Load"/> reads back).</summary>
    public static void Save(ClientProfile profile, string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(ListenJsonMapper.ToJson(profile), ListenJsonContext.Default.ClientProfileJson));

    private static ClientProfile FromDocument(JsonElement root, string source, int? index)
    {
        if (root.ValueKind == JsonValueKind.Object)
        {
            // The shapes TlsDoctor writes come first, so their messages can say which capture lacks a ClientHello.
            var captures = Property(root, "captures");
            if (captures is { ValueKind: JsonValueKind.Array } list) return FromCaptures(list, source, index);
            if (Property(root, "clientProfile") is { ValueKind: JsonValueKind.Object } single) return FromElement(single, source);
            if (Property(root, "versions") is not null || Property(root, "cipherSuites") is not null) return FromElement(root, source);
            if (FindProfile(root, 0) is { } wrapped) return FromElement(wrapped, source);
            if (captures is not null) throw new ClientProfileFileException($"{source}: \"captures\" is not an array");
            if (Property(root, "clientProfile") is not null)
                throw new ClientProfileFileException($"{source}: the capture holds no client profile ({Text(root, "error") ?? "no ClientHello"})");
            throw new ClientProfileFileException($"{source}: neither a listen document (\"captures\") nor a client profile (an object with \"versions\" and \"cipherSuites\")")
            {
                NoProfileFound = true,
            };
        }
        if (FindProfile(root, 0) is { } inArray) return FromElement(inArray, source);
        throw new ClientProfileFileException($"{source}: expected a JSON object (a listen capture document or a client profile), found {Kind(root)}")
        {
            NoProfileFound = true,
        };
    }

    private static ClientProfile FromCaptures(JsonElement captures, string source, int? index)
    {
        var count = captures.GetArrayLength();
        if (count == 0) throw new ClientProfileFileException($"{source}: the listen document holds no captures (nothing connected)");
        if (index is { } i)
        {
            if (i < 0 || i >= count) throw new ClientProfileFileException($"{source}: capture index {i} is out of range (the document holds {count}, numbered from 0)");
            var c = captures[i];
            if (ProfileOfCapture(c) is not { } p)
                throw new ClientProfileFileException($"{source}: capture {i} holds no ClientHello ({Text(c, "error") ?? "no profile"})");
            return FromElement(p, $"{source} capture {i}");
        }
        string? firstError = null;
        for (var k = 0; k < count; k++)
        {
            var c = captures[k];
            if (ProfileOfCapture(c) is { } p) return FromElement(p, $"{source} capture {k}");
            firstError ??= Text(c, "error");
        }
        throw new ClientProfileFileException($"{source}: none of the {count} capture(s) holds a ClientHello (first error: {firstError ?? "unknown"})");
    }

    // A capture that names its clientProfile is taken at its word (null = no ClientHello was read); other capture
    // lists (hand-made, other tools) may hold the profile itself or deeper.
    private static JsonElement? ProfileOfCapture(JsonElement capture)
    {
        if (capture.ValueKind == JsonValueKind.Object && capture.EnumerateObject().Any(p => p.Name.Equals("clientProfile", StringComparison.OrdinalIgnoreCase)))
            return Property(capture, "clientProfile") is { ValueKind: JsonValueKind.Object } named ? named : null;
        return FindProfile(capture, 1);
    }

    // Wrappers other tools and admins put around a profile: the first object with both "versions" and "cipherSuites",
    // looking under the usual names first so that a document with several candidates gives its main one.
    private static JsonElement? FindProfile(JsonElement e, int depth)
    {
        if (depth > MaxSearchDepth) return null;
        if (e.ValueKind == JsonValueKind.Object)
        {
            if (Property(e, "versions") is not null && Property(e, "cipherSuites") is not null) return e;
            foreach (var name in WrapperNames)
                if (Property(e, name) is { } child && FindProfile(child, depth + 1) is { } hit) return hit;
            foreach (var p in e.EnumerateObject())
                if (!WrapperNames.Contains(p.Name, StringComparer.OrdinalIgnoreCase) && FindProfile(p.Value, depth + 1) is { } hit) return hit;
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray())
                if (FindProfile(item, depth + 1) is { } hit) return hit;
        }
        return null;
    }

    private static ClientProfile FromElement(JsonElement element, string source)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new ClientProfileFileException($"{source}: the client profile is {Kind(element)}, not an object");
        var json = new ClientProfileJson
        {
            Name = String(element, "name", source) ?? String(element, "client", source),
            Origin = String(element, "origin", source),
            Versions = List(element, "versions", source, VersionText, "version names such as \"TLSv1.2\" or codes such as \"0x0303\""),
            CipherSuites = List(element, "cipherSuites", source, SuiteText, "suite names, codes such as \"0x002f\" or 47, or objects with \"name\" or \"code\""),
            Groups = List(element, "groups", source, CodeOrNameText, "group names such as \"secp256r1\", codes, or objects with \"name\""),
            SignatureSchemes = List(element, "signatureSchemes", source, CodeOrNameText, "scheme names such as \"rsa_pkcs1_sha256\", codes, or objects with \"name\""),
            Extensions = List(element, "extensions", source, ExtensionText, "extension names such as \"server_name\", codes, or objects with \"name\""),
            DhMinBits = Bits(element, "dhMinBits", source),
            DhMaxBits = Bits(element, "dhMaxBits", source),
            RsaMinBits = Bits(element, "rsaMinBits", source),
            RsaMaxBits = Bits(element, "rsaMaxBits", source),
            AcceptedCertificateKeys = List(element, "acceptedCertificateKeys", source, NameText, "key algorithm names such as \"RSA\""),
            AcceptedCertificateHashes = List(element, "acceptedCertificateHashes", source, NameText, "hash names such as \"sha1\""),
            Sha512InTls12 = Bool(element, "sha512InTls12", source),
            TrustedCertificates = List(element, "trustedCertificates", source, NameText, "SHA-256 fingerprints in hex"),
            StripsDhLeadingZero = Bool(element, "stripsDhLeadingZero", source),
            ChecksCertificateDates = Bool(element, "checksCertificateDates", source),
            ChecksTrustAfterHandshake = Bool(element, "checksTrustAfterHandshake", source),
            DhRejectAlert = String(element, "dhRejectAlert", source),
            ClientFamily = String(element, "clientFamily", source),
            Limits = Limits(element, source),
        };
        return FromJson(json, source);
    }
}
