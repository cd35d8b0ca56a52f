using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using TlsDoctor.Core;

namespace TlsDoctor.Probe.Json;

/// <summary>The `scan --json` document: one entry per target. Field names are a contract (docs/json.md).</summary>
public sealed record ScanDocument(ImmutableArray<ScanJson> Scans)
{
    /// <summary>Version of this document's shape; raised when a field changes meaning or goes away.</summary>
    public const int CurrentSchemaVersion = 2;

    /// <summary>Shape version (absent in documents written before it existed).</summary>
    [JsonPropertyOrder(-4), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? SchemaVersion { get; init; }

    /// <summary>"tlsdoctor".</summary>
    [JsonPropertyOrder(-3), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Tool { get; init; }

    /// <summary>The version of the tool that wrote the document.</summary>
    [JsonPropertyOrder(-2), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ToolVersion { get; init; }

    /// <summary>When the document was written (UTC).</summary>
    [JsonPropertyOrder(-1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? Generated { get; init; }
}

/// <summary>One scanned target as JSON.</summary>
public sealed record ScanJson(
    string Target,
    string Host,
    int Port,
    bool Reachable,
    string? Error,
    ImmutableArray<ProtocolJson> Protocols,
    ImmutableArray<string> Groups,
    ImmutableArray<CertificateJson> Certificates,
    ImmutableArray<BehaviourJson> Behaviours,
    int Handshakes,
    long ElapsedMs,
    ImmutableArray<AttemptJson>? Attempts = null)
{
    /// <summary>The endpoint's security grade (written by `scan`; absent in stored fleet profiles, which grade on reading).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SecurityGrade? Rating { get; init; }

    /// <summary>True for a target whose scan Ctrl+C stopped before it finished (its facts are missing, not absent).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Cancelled { get; init; }
}

/// <summary>One protocol version as JSON.</summary>
/// <param name="OrderKind">server, client, client-dependent (server order except between AES-GCM and ChaCha20-Poly1305), or null.</param>
/// <param name="FfdheGroups">RFC 7919 groups accepted for finite-field DHE in this version, with the DH size each yields.</param>
public sealed record ProtocolJson(
    string Version,
    bool Supported,
    bool? ServerOrder,
    ImmutableArray<SuiteJson> CipherSuites,
    HandshakeJson? FullHandshake,
    string? OrderKind = null,
    ImmutableArray<FfdheGroupJson>? FfdheGroups = null);

/// <summary>An RFC 7919 group and the DH size the server used with it.</summary>
public sealed record FfdheGroupJson(string Group, int DhBits);

/// <summary>One accepted suite as JSON; dhBits is what a client offering no FFDHE group gets.</summary>
public sealed record SuiteJson(string Name, string Code, string KeyExchange, int? DhBits = null, int? DhBitsWithFfdhe = null, string? Group = null);

/// <summary>A full handshake's outcome as JSON.</summary>
public sealed record HandshakeJson(bool Completed, string Stage, string? Alert, bool AlertSentByUs = false, string? CipherSuite = null, int? DhBits = null, string? Error = null);

/// <summary>A certificate as JSON.</summary>
public sealed record CertificateJson(
    string Subject,
    string Issuer,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string KeyAlgorithm,
    int KeyBits,
    string? Curve,
    string SignatureAlgorithm,
    ImmutableArray<string> SubjectAlternativeNames,
    bool SelfSigned,
    string Sha256,
    string? Der = null);

/// <summary>An observed behaviour as JSON.</summary>
/// <param name="AttemptIds">The connections (attempt ids) that show it; older files have none.</param>
public sealed record BehaviourJson(string Kind, string Detail, string? Version = null, ImmutableArray<int>? AttemptIds = null);

/// <summary>One connection of the scan as JSON.</summary>
/// <param name="Failure">Why the connection gave no TLS answer (refused, connect-timeout, read-timeout, closed, reset…); null when the peer answered.</param>
public sealed record AttemptJson(int Id, string Purpose, string Offered, string Outcome, long ElapsedMs, string? Failure = null);

/// <summary>Source-generated serializer settings for every scan JSON type: camelCase, indented, nulls kept.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(ScanDocument))]
public sealed partial class ScanJsonContext : JsonSerializerContext;

// Writing only: the generated fast path writes straight to the Utf8JsonWriter without building property metadata,
// which is most of the JSON cost of a one-shot `scan --json` process.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never, GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(ScanDocument))]
internal sealed partial class ScanJsonWriter : JsonSerializerContext;

/// <summary>Converts between scan results and their JSON form, both ways (a saved scan feeds `simulate`).</summary>
public static class ScanJsonMapper
{
    /// <summary>The JSON form of one scan; attempts only when asked (they are long).</summary>
    public static ScanJson ToJson(ScanResult r, bool includeAttempts = true) => ToJson(r.Target, r.Reachable, r.Error, r.Profile, r.Handshakes,
        (long)r.Elapsed.TotalMilliseconds, includeAttempts ? [.. r.Attempts.Select(a => new AttemptJson(a.Id, a.Purpose, a.Offered, a.Outcome, a.ElapsedMs, FailureName(a.Failure)))] : null);

    public static ScanJson ToJson(ProbeTarget target, bool reachable, string? error, ServerProfile p, int handshakes, long elapsedMs, ImmutableArray<AttemptJson>? attempts) => new(
        target.ToString(), target.Host, target.Port, reachable, error,
        [.. p.Protocols.Select(ToJson)],
        [.. p.Groups.Select(g => g.Name)],
        [.. p.Certificates.Select(ToJson)],
        [.. p.Behaviours.Select(b => new BehaviourJson(b.Kind.Name(), b.Detail, b.Version?.Name(), b.AttemptIds))],
        handshakes, elapsedMs, attempts);

    public static ProtocolJson ToJson(ProtocolSupport p) => new(
        p.Version.Name(), p.Supported, p.ServerOrder,
        [.. p.CipherSuites.Select(s => new SuiteJson(
            s.Suite.Name,
            s.Suite.Hex,
            s.Suite.KeyExchange.Name(), s.DhBits, s.DhBitsWithFfdhe, s.Group?.Name))],
        p.FullHandshake is { } h ? new HandshakeJson(h.Completed, h.Stage.Name(), h.Alert?.Name(), h.AlertSentByUs, h.CipherSuite, h.DhBits, h.Error) : null,
        p.ServerOrder switch { null => null, false => "client", true => p.ClientDependentOrder ? "client-dependent" : "server" },
        [.. p.FfdheGroups.Select(g => new FfdheGroupJson(g.Group.Name, g.DhBits))]);

    /// <summary>The JSON spelling of a failure kind: ReadTimeout → "read-timeout".</summary>
    public static string? FailureName(ProbeErrorKind? kind) => kind switch
    {
        null => null,
        ProbeErrorKind.Refused => "refused",
        ProbeErrorKind.ConnectTimeout => "connect-timeout",
        ProbeErrorKind.NameResolution => "name-resolution",
        ProbeErrorKind.Unreachable => "unreachable",
        ProbeErrorKind.ReadTimeout => "read-timeout",
        ProbeErrorKind.Closed => "closed",
        ProbeErrorKind.Reset => "reset",
        ProbeErrorKind.Malformed => "malformed",
        ProbeErrorKind.Deadline => "deadline",
        _ => kind.ToString()!.ToLowerInvariant(),
    };

    public static CertificateJson ToJson(CertificateInfo c) => new(
        c.Subject, c.Issuer, c.NotBefore, c.NotAfter, c.KeyAlgorithm, c.KeyBits, c.Curve, c.SignatureAlgorithm,
        c.SubjectAlternativeNames, c.SelfSigned, c.Sha256, c.Der);

    /// <summary>Rebuilds a server profile from a saved scan; unknown names are kept as unknown codes where possible.</summary>
    public static ServerProfile ToProfile(ScanJson s)
    {
        var protocols = ImmutableArray.CreateBuilder<ProtocolSupport>();
        foreach (var p in s.Protocols.IsDefault ? [] : s.Protocols)
        {
            if (p is null) throw new FormatException("protocols holds a null entry");
            if (!TlsVersions.TryParse(p.Version, out var v)) throw new FormatException($"unknown protocol version '{p.Version}'");
            var suites = ImmutableArray.CreateBuilder<AcceptedSuite>();
            foreach (var cs in p.CipherSuites.IsDefault ? [] : p.CipherSuites)
            {
                if (cs is null) throw new FormatException($"{p.Version} cipherSuites holds a null entry");
                if (v == TlsVersion.SSLv2)
                {
                    if (!Sslv2CipherKinds.TryParse(cs.Name, out var kind) && !Sslv2CipherKinds.TryParse(cs.Code, out kind))
                        throw new FormatException($"unknown SSLv2 cipher kind '{cs.Name}' ({cs.Code})");
                    suites.Add(new AcceptedSuite(kind.AsSuite()));
                    continue;
                }
                if (!CipherSuites.TryParse(cs.Name, out var suite) && !CipherSuites.TryParse(cs.Code, out suite))
                    throw new FormatException($"unknown cipher suite '{cs.Name}' ({cs.Code})");
                NamedGroup? group = cs.Group is not null && NamedGroups.TryParse(cs.Group, out var g) ? g : null;
                suites.Add(new AcceptedSuite(suite, cs.DhBits, cs.DhBitsWithFfdhe, group));
            }
            HandshakeCheck? hs = p.FullHandshake is { } h
                ? new HandshakeCheck(h.Completed, HandshakeStages.TryParse(h.Stage, out var stage) ? stage : throw new FormatException($"unknown handshake stage '{h.Stage}'"), AlertNames.TryParse(h.Alert, out var a) ? a : null, h.AlertSentByUs, h.CipherSuite, h.DhBits, h.Error)
                : null;
            protocols.Add(new ProtocolSupport(v, p.Supported, p.ServerOrder, suites.ToImmutable(), hs)
            {
                ClientDependentOrder = p.OrderKind == "client-dependent",
                FfdheGroups = [.. (p.FfdheGroups ?? []).Select(g => g is null ? throw new FormatException("a null ffdheGroups entry") : new GroupDhBits(
                    NamedGroups.TryParse(g.Group, out var fg) ? fg : throw new FormatException($"unknown group '{g.Group}'"), g.DhBits))],
            });
        }
        var groups = (s.Groups.IsDefault ? [] : s.Groups).Select(n => NamedGroups.TryParse(n, out var g) ? g : throw new FormatException($"unknown group '{n}'"));
        var certs = ImmutableArray.CreateBuilder<CertificateInfo>();
        foreach (var c in s.Certificates.IsDefault ? [] : s.Certificates)
        {
            if (c is null) throw new FormatException("certificates holds a null entry");
            if (c.Der is { Length: > 0 } der)
            {
                try { certs.Add(CertificateInfo.FromDer(Convert.FromBase64String(der))); continue; }
                catch (FormatException) { /* fall back to the fields */ }
                catch (System.Security.Cryptography.CryptographicException) { }
            }
            certs.Add(new CertificateInfo(c.Subject, c.Issuer, c.NotBefore, c.NotAfter, c.KeyAlgorithm, c.KeyBits, c.Curve, c.SignatureAlgorithm,
                c.SubjectAlternativeNames.IsDefault ? [] : c.SubjectAlternativeNames, c.SelfSigned, c.Sha256, ""));
        }
        var behaviours = (s.Behaviours.IsDefault ? [] : s.Behaviours)
            .Select(b => b is null ? throw new FormatException("behaviours holds a null entry")
                : new Behaviour(BehaviourKinds.TryParse(b.Kind, out var kind) ? kind : throw new FormatException($"unknown behaviour kind '{b.Kind}'"), b.Detail, TlsVersions.TryParse(b.Version, out var bv) ? bv : null)
                {
                    AttemptIds = b.AttemptIds ?? [],
                });
        return new ServerProfile(protocols.ToImmutable(), [.. groups], [], certs.ToImmutable(), [.. behaviours]);
    }

    // Certificates carry base64 and subjects carry '+' and '<'; the output is a file, not HTML, so keep them readable.
    private static readonly JsonWriterOptions Relaxed = new()
    {
        Indented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Serializes a scan document as the `scan --json` output.</summary>
    public static string Serialize(ScanDocument doc)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(16 * 1024);
        using (var writer = new Utf8JsonWriter(buffer, Relaxed))
            ScanJsonWriter.Default.ScanDocument.SerializeHandler!(writer, doc);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads a `scan --json` document; throws <see cref="JsonException"/> or <see cref="FormatException"/> with a reason.</summary>
    public static ScanDocument Read(string json) =>
        JsonSerializer.Deserialize(json, ScanJsonContext.Default.ScanDocument) ?? throw new JsonException("empty document");
}
