using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using TlsDoctor.Core;
using TlsDoctor.Probe.Capture;

namespace TlsDoctor.Diagnosis;

/// <summary>A capture file that cannot be turned into a ClientProfile.</summary>
public sealed class CaptureFormatException(string message) : FormatException(message);

/// <summary>Turns a capture file into the device's ClientProfile (inbound diagnosis).</summary>
public interface IClientProfileLoader
{
    /// <summary>Reads the profile; throws <see cref="CaptureFormatException"/> for content it cannot use.</summary>
    ClientProfile Load(string json, string origin);
}

/// <summary>
/// Reads a ClientProfile from JSON, tolerant of the wrapper around it: the profile object itself, or any object below
/// the root (e.g. captures[0].clientProfile of `listen --json`) that has both "versions" and "cipherSuites". The
/// profile's fields are ClientProfile's in camelCase; versions as TLSv1.2 / tls1.2 / 0x0303; suites as IANA or OpenSSL
/// names, "0x002f", numbers, or objects with "name" / "code"; groups and signature schemes as IANA names or objects
/// with "name". Optional: dhMinBits, dhMaxBits, rsaMinBits, rsaMaxBits, acceptedCertificateKeys,
/// acceptedCertificateHashes, trustedCertificates (SHA-256 hex), sha512InTls12, stripsDhLeadingZero.
/// </summary>
public sealed class ClientProfileJsonLoader : IClientProfileLoader
{
    public static ClientProfileJsonLoader Instance { get; } = new();

    public ClientProfile Load(string json, string origin)
    {
        // The `listen --json` document and ClientProfile JSON are read by the capture helper's own reader first, so
        // the two stay in step; this reader only adds tolerance (suite objects, numeric codes, other wrappers).
        try
        {
            var p = ClientProfileFiles.Parse(json, origin);
            return p.Origin is null ? p with { Origin = origin } : p;
        }
        catch (ClientProfileFileException first)
        {
            try { return LoadTolerant(json, origin); }
            catch (CaptureFormatException) { throw new CaptureFormatException(first.Message.StartsWith(origin, StringComparison.Ordinal) ? first.Message : $"{origin}: {first.Message}"); }
        }
    }

    private static ClientProfile LoadTolerant(string json, string origin)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new CaptureFormatException($"{origin}: not JSON ({e.Message})");
        }
        using (doc)
        {
            var p = FindProfile(doc.RootElement, 0)
                    ?? throw new CaptureFormatException($"{origin}: no client profile found (expected an object with \"versions\" and \"cipherSuites\")");
            var versions = Array(p, "versions").Select(v => Version(v, origin)).Distinct().Order().ToImmutableArray();
            if (versions.IsEmpty) throw new CaptureFormatException($"{origin}: \"versions\" is empty");
            var suites = Array(p, "cipherSuites").Select(s => Suite(s, origin)).Where(s => !s.Scsv).ToImmutableArray();
            if (suites.IsEmpty) throw new CaptureFormatException($"{origin}: \"cipherSuites\" is empty");
            var profile = new ClientProfile(
                Str(p, "name") ?? Str(p, "client") ?? $"capture {Path.GetFileName(origin)}",
                versions,
                suites,
                [.. Array(p, "groups").Select(NameOf).OfType<string>().Select(Vocabulary.Group)],
                [.. Array(p, "signatureSchemes").Select(NameOf).OfType<string>().Select(Vocabulary.Scheme)],
                [.. Array(p, "extensions").Select(NameOf).OfType<string>()])
            {
                Origin = origin,
            };
            if (Int(p, "dhMinBits") is { } dmin) profile = profile with { DhMinBits = dmin };
            if (Int(p, "dhMaxBits") is { } dmax) profile = profile with { DhMaxBits = dmax };
            if (Int(p, "rsaMinBits") is { } rmin) profile = profile with { RsaMinBits = rmin };
            if (Int(p, "rsaMaxBits") is { } rmax) profile = profile with { RsaMaxBits = rmax };
            if (p.TryGetProperty("acceptedCertificateKeys", out _)) profile = profile with { AcceptedCertificateKeys = [.. Array(p, "acceptedCertificateKeys").Select(NameOf).OfType<string>()] };
            if (p.TryGetProperty("acceptedCertificateHashes", out _)) profile = profile with { AcceptedCertificateHashes = [.. Array(p, "acceptedCertificateHashes").Select(NameOf).OfType<string>().Select(h => h.ToLowerInvariant())] };
            if (p.TryGetProperty("trustedCertificates", out var tc) && tc.ValueKind == JsonValueKind.Array)
                profile = profile with { TrustedCertificates = [.. Array(p, "trustedCertificates").Select(NameOf).OfType<string>()] };
            if (Bool(p, "sha512InTls12") is { } sha) profile = profile with { Sha512InTls12 = sha };
            if (Bool(p, "stripsDhLeadingZero") is { } lz) profile = profile with { StripsDhLeadingZero = lz };
            return profile;
        }
    }

    /// <summary>Reads a file; unreadable files throw <see cref="CaptureFormatException"/> too.</summary>
    public ClientProfile LoadFile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CaptureFormatException($"{path}: cannot read ({e.Message})");
        }
        return Load(text, path);
    }

    private static JsonElement? FindProfile(JsonElement e, int depth)
    {
        if (depth > 6) return null;
        if (e.ValueKind == JsonValueKind.Object)
        {
            if (e.TryGetProperty("versions", out _) && e.TryGetProperty("cipherSuites", out _)) return e;
            foreach (var name in new[] { "clientProfile", "profile", "captures", "clients", "hellos" })
                if (e.TryGetProperty(name, out var child) && FindProfile(child, depth + 1) is { } hit) return hit;
            foreach (var prop in e.EnumerateObject())
                if (FindProfile(prop.Value, depth + 1) is { } hit) return hit;
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray())
                if (FindProfile(item, depth + 1) is { } hit) return hit;
        }
        return null;
    }

    private static IEnumerable<JsonElement> Array(JsonElement o, string name) =>
        o.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray().ToArray() : [];

    private static string? NameOf(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Object => Str(e, "name") ?? Str(e, "code"),
        _ => null,
    };

    private static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Int(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

    private static bool? Bool(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    private static TlsVersion Version(JsonElement e, string origin)
    {
        var text = e.ValueKind == JsonValueKind.Object ? Str(e, "version") ?? Str(e, "name") : e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetUInt16(out var n) && TlsVersions.IsKnown(n)) return (TlsVersion)n;
        if (TlsVersions.TryParse(text, out var v)) return v;
        if (text is not null && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && ushort.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var w) && TlsVersions.IsKnown(w))
            return (TlsVersion)w;
        throw new CaptureFormatException($"{origin}: \"{e}\" is not a protocol version");
    }

    private static CipherSuite Suite(JsonElement e, string origin)
    {
        if (e.ValueKind == JsonValueKind.Number && e.TryGetUInt16(out var n)) return CipherSuites.Get(n);
        if (e.ValueKind == JsonValueKind.Object)
        {
            if (Str(e, "code") is { } code && CipherSuites.TryParse(code, out var byCode)) return byCode;
            if (Str(e, "name") is { } name && Vocabulary.TryParseSuite(name, out var byName)) return byName;
        }
        if (e.ValueKind == JsonValueKind.String && Vocabulary.TryParseSuite(e.GetString(), out var s)) return s;
        throw new CaptureFormatException($"{origin}: \"{e}\" is not a cipher suite name or code");
    }
}
