using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using TlsDoctor.Core;

namespace TlsDoctor.Probe.Capture;

/// <summary>The `listen --json` document. Field names are a contract (docs/json.md); `diagnose --client-hello` and `simulate --client` read it.</summary>
public sealed record ListenDocument(string Listen, string Stop, ImmutableArray<CaptureJson> Captures);

/// <summary>One accepted connection as JSON.</summary>
public sealed record CaptureJson(
    int Connection,
    string Remote,
    DateTimeOffset Time,
    string? Error,
    ClientHelloJson? ClientHello,
    string? Ja3,
    string? Ja3Hash,
    string? Ja4,
    ClientProfileJson? ClientProfile,
    string Response,
    CertificateAttemptJson? CertificateAttempt,
    ImmutableArray<CertificateAttemptJson> CertificateProbe,
    CertificateSummaryJson? CertificateSummary,
    long ElapsedMs)
{
    /// <summary>--learn: this connection's exchange; null without --learn or when the connection was refused.</summary>
    public LearnExchangeJson? LearnExchange { get; init; }
    /// <summary>--learn: connections the device still had to make right after this one.</summary>
    public int? ConnectionsNeeded { get; init; }
    /// <summary>--learn: everything learned about this device in the run (the same on each of its captures).</summary>
    public LearningJson? Learning { get; init; }
}

/// <summary>One learning exchange: the question, what was answered, the device's reaction and what it shows.</summary>
public sealed record LearnExchangeJson(int Connection, string Question, string? AnsweredVersion, string? AnsweredSuite, string Certificate,
    string Verdict, string? Alert, bool AlertSentByDevice, bool CertificateSent, string Detail, string Shows);

/// <summary>What `listen --learn` learned about one device.</summary>
public sealed record LearningJson(string Device, bool Complete, int ConnectionsNeeded, ImmutableArray<ClientLimitJson> Limits,
    ImmutableArray<LearnExchangeJson> Exchanges, string Explanation);

/// <summary>The ClientHello as sent, named: versions, IANA suite names, groups, RFC 8446 scheme names, extensions in order.</summary>
public sealed record ClientHelloJson(
    string Format,
    string? RecordVersion,
    string LegacyVersion,
    ImmutableArray<string> SupportedVersions,
    ImmutableArray<string> CipherSuites,
    ImmutableArray<string> Sslv2CipherKinds,
    ImmutableArray<int> CompressionMethods,
    ImmutableArray<string> Groups,
    ImmutableArray<string> SignatureAlgorithms,
    ImmutableArray<string> EcPointFormats,
    ImmutableArray<string> Extensions,
    string? ServerName,
    ImmutableArray<string> Alpn,
    bool Grease);

/// <summary>One presented certificate and the device's verdict as JSON.</summary>
public sealed record CertificateAttemptJson(
    int? Connection,
    string Certificate,
    string KeyAlgorithm,
    int KeyBits,
    string SignatureAlgorithm,
    string Sha256,
    string Verdict,
    string? Alert,
    bool AlertSentByDevice,
    bool CertificateSent,
    string? Version,
    string? CipherSuite,
    string Detail);

/// <summary>What the certificate attempts imply, as JSON.</summary>
public sealed record CertificateSummaryJson(
    string? Strongest,
    int? RsaMaxBits,
    ImmutableArray<string> AcceptedCertificateHashes,
    ImmutableArray<string> AcceptedCertificateKeys,
    bool? ChecksTrust,
    string Explanation);

/// <summary>
/// A <see cref="ClientProfile"/> as JSON (also a file format of its own: `simulate --client`, `diagnose --client-hello`,
/// read by <see cref="ClientProfileFiles"/>). Every property is optional when read; missing ones take the ClientProfile defaults.
/// </summary>
public sealed record ClientProfileJson
{
    public string? Name { get; init; }
    public string? Origin { get; init; }
    public ImmutableArray<string>? Versions { get; init; }
    public ImmutableArray<string>? CipherSuites { get; init; }
    public ImmutableArray<string>? Groups { get; init; }
    public ImmutableArray<string>? SignatureSchemes { get; init; }
    public ImmutableArray<string>? Extensions { get; init; }
    public int? DhMinBits { get; init; }
    public int? DhMaxBits { get; init; }
    public int? RsaMinBits { get; init; }
    public int? RsaMaxBits { get; init; }
    public ImmutableArray<string>? AcceptedCertificateKeys { get; init; }
    public ImmutableArray<string>? AcceptedCertificateHashes { get; init; }
    public bool? Sha512InTls12 { get; init; }
    public ImmutableArray<string>? TrustedCertificates { get; init; }
    public bool? StripsDhLeadingZero { get; init; }
    public bool? ChecksCertificateDates { get; init; }
    public bool? ChecksTrustAfterHandshake { get; init; }
    /// <summary>RFC alert name, or "none" when the client just closes.</summary>
    public string? DhRejectAlert { get; init; }
    /// <summary>The client family recognised from the hello (null when none).</summary>
    public string? ClientFamily { get; init; }
    /// <summary>Each limit with how it is known: observed (hello, learning connection) or assumed, and why.</summary>
    public ImmutableArray<ClientLimitJson>? Limits { get; init; }
}

/// <summary>One limit of a client profile as JSON: name, value, basis ("observed" / "assumed"), source.</summary>
public sealed record ClientLimitJson(string Name, string Value, string Basis, string Source);

/// <summary>Source-generated serializer settings for the listen document and profile files: camelCase, indented, nulls kept.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never, PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(ListenDocument))]
[JsonSerializable(typeof(ClientProfileJson))]
public sealed partial class ListenJsonContext : JsonSerializerContext;

/// <summary>Converts listen results and profiles to their JSON form.</summary>
public static class ListenJsonMapper
{
    /// <summary>The whole document of a run.</summary>
    public static ListenDocument ToJson(ListenResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var local = new ProbeTarget(result.Local.Address.ToString(), result.Local.Port).ToString();
        return new ListenDocument(local, StopName(result.Stop), [.. result.Captures.Select(ToJson)]);
    }

    /// <summary>count, timeout, cancelled, certificates-done, learned.</summary>
    public static string StopName(ListenStop stop) => stop switch
    {
        ListenStop.Count => "count",
        ListenStop.Timeout => "timeout",
        ListenStop.Cancelled => "cancelled",
        ListenStop.CertificatesDone => "certificates-done",
        ListenStop.Learned => "learned",
        _ => stop.ToString().ToLowerInvariant(),
    };

    public static CaptureJson ToJson(HelloCapture c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new CaptureJson(c.Connection, c.Remote, c.Time, c.Error, c.Hello is null ? null : ToJson(c.Hello),
            c.Ja3?.Text, c.Ja3?.Hash, c.Ja4, c.Profile is null ? null : ToJson(c.Profile), c.Response,
            c.Attempt is null ? null : ToJson(c.Attempt), [.. c.CertificateProbe.Select(ToJson)],
            c.CertificateSummary is { } s ? new CertificateSummaryJson(s.Strongest, s.RsaMaxBits, s.AcceptedCertificateHashes, s.AcceptedCertificateKeys, s.ChecksTrust, s.Explanation) : null,
            c.ElapsedMs)
        {
            LearnExchange = c.Exchange is null ? null : ToJson(c.Exchange),
            ConnectionsNeeded = c.ConnectionsNeeded,
            Learning = c.Learning is { } l
                ? new LearningJson(l.Device, l.Complete, l.ConnectionsNeeded, [.. l.Limits.Select(ToJson)], [.. l.Exchanges.Select(ToJson)], l.Explanation)
                : null,
        };
    }

    public static LearnExchangeJson ToJson(LearnExchange e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new LearnExchangeJson(e.Connection, e.Question.Name(), e.AnsweredVersion?.Name(), e.AnsweredSuite, e.Result.Certificate, e.Verdict,
            e.Result.Alert?.Name(), e.Result.AlertSentByDevice, e.Result.CertificateSent, e.Result.Detail, e.Shows);
    }

    public static ClientLimitJson ToJson(ClientLimit l)
    {
        ArgumentNullException.ThrowIfNull(l);
        return new ClientLimitJson(l.Name, l.Value, l.Basis.Name(), l.Source);
    }

    public static ClientHelloJson ToJson(ClientHelloFacts h)
    {
        ArgumentNullException.ThrowIfNull(h);
        static bool Real(ushort v) => !Grease.IsGrease(v);
        return new ClientHelloJson(
            h.Format == HelloFormat.Tls ? "tls" : "sslv2",
            h.RecordVersion is { } rv ? CaptureNames.Version(rv) : null,
            CaptureNames.Version(h.LegacyVersion),
            [.. h.SupportedVersions.Where(Real).Select(CaptureNames.Version)],
            [.. h.CipherSuites.Where(Real).Select(c => CipherSuites.Get(c).Name)],
            [.. h.Sslv2CipherKinds.Select(k => Sslv2CipherKinds.Get(k).Name)],
            [.. h.CompressionMethods.Select(m => (int)m)],
            [.. h.Groups.Where(Real).Select(g => NamedGroups.Get(g).Name)],
            [.. h.SignatureAlgorithms.Where(Real).Select(s => SignatureSchemes.Get(s).Name)],
            [.. h.EcPointFormats.Select(CaptureNames.PointFormat)],
            [.. h.Extensions.Where(Real).Select(CaptureNames.Extension)],
            h.ServerName,
            h.Alpn,
            h.Grease);
    }

    public static CertificateAttemptJson ToJson(CertificateProbeAttempt a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new CertificateAttemptJson(a.Connection, a.Certificate, a.KeyAlgorithm, a.KeyBits, a.SignatureAlgorithm, a.Sha256,
            VerdictName(a.Verdict), a.Alert?.Name(), a.AlertSentByDevice, a.CertificateSent, a.Version?.Name(), a.CipherSuite, a.Detail);
    }

    /// <summary>accepted, untrusted, rejected, not-applicable, error.</summary>
    public static string VerdictName(CertificateVerdict v) => v switch
    {
        CertificateVerdict.NotApplicable => "not-applicable",
        _ => v.ToString().ToLowerInvariant(),
    };

    /// <summary>The JSON form of a profile (every field written).</summary>
    public static ClientProfileJson ToJson(ClientProfile p)
    {
        ArgumentNullException.ThrowIfNull(p);
        static ImmutableArray<T> N<T>(ImmutableArray<T> a) => a.IsDefault ? [] : a;
        return new ClientProfileJson
        {
            Name = p.Name,
            Origin = p.Origin,
            Versions = [.. N(p.Versions).Select(v => v.Name())],
            CipherSuites = [.. N(p.CipherSuites).Select(s => s.Name)],
            Groups = [.. N(p.Groups).Select(g => g.Name)],
            SignatureSchemes = [.. N(p.SignatureSchemes).Select(s => s.Name)],
            Extensions = N(p.Extensions),
            DhMinBits = p.DhMinBits,
            DhMaxBits = p.DhMaxBits,
            RsaMinBits = p.RsaMinBits,
            RsaMaxBits = p.RsaMaxBits,
            AcceptedCertificateKeys = N(p.AcceptedCertificateKeys),
            AcceptedCertificateHashes = N(p.AcceptedCertificateHashes),
            Sha512InTls12 = p.Sha512InTls12,
            TrustedCertificates = p.TrustedCertificates,
            StripsDhLeadingZero = p.StripsDhLeadingZero,
            ChecksCertificateDates = p.ChecksCertificateDates,
            ChecksTrustAfterHandshake = p.ChecksTrustAfterHandshake,
            DhRejectAlert = p.DhRejectAlert?.Name() ?? "none",
            ClientFamily = p.Family,
            Limits = [.. (p.Limits.IsDefault ? [] : p.Limits).Select(ToJson)],
        };
    }

    // Device-sent text (SNI, ALPN, errors) may hold quotes: readable JSON beats \u0027 escapes (the file is not HTML).
    private static readonly ListenJsonContext Relaxed = new(new JsonSerializerOptions(ListenJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>The document serialized as the CLI writes it.</summary>
    public static string Serialize(ListenDocument doc) => JsonSerializer.Serialize(doc, Relaxed.ListenDocument);
}
