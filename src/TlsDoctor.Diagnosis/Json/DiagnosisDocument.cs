using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using TlsDoctor.Core;

namespace TlsDoctor.Diagnosis.Json;

/// <summary>The `diagnose --json` document. Field names are a contract (docs/json.md).</summary>
public sealed record DiagnosisDocument(
    string Windows,
    ImmutableArray<NotScannedJson> NotScanned,
    ImmutableArray<FindingJson> Findings,
    ImmutableArray<AssumptionJson> Assumptions,
    ImmutableArray<ProbeJson> Probes,
    ImmutableArray<DirectionJson> Outcomes,
    ImmutableArray<LeadingZeroJson> LeadingZero,
    ImmutableArray<string> Unreachable,
    ImmutableArray<string> FilesWritten,
    DateTimeOffset At,
    ImmutableArray<ModelCheckJson> ModelChecks);

/// <summary>One real SCHANNEL handshake compared with the model (Windows only).</summary>
public sealed record ModelCheckJson(string Direction, string Target, string Status, string Model, string Schannel, string Protocols);

public sealed record FindingJson(
    string Id, string Slug, string Severity, string Direction, string Target, string Title,
    ImmutableArray<EvidenceJson> Evidence, ImmutableArray<RemedyJson> Remedies, string HelpLink);

/// <summary>A target that could not be checked: role, target, reason (unreachable, not-tls) and what the probe saw.</summary>
public sealed record NotScannedJson(string Role, string Target, string Reason, string Error);

public sealed record EvidenceJson(string Source, string Text, int? AttemptId);

public sealed record RemedyJson(
    string Kind, string Title, string EquivalenceKey, ImmutableArray<FileJson> Files, string Risk, ImmutableArray<string> Steps,
    OutcomeJson? Resimulated, ImmutableArray<string> SideEffects);

public sealed record FileJson(string Name, string Content);

/// <summary>A simulated handshake: completed and healthy (completed with no intermittent failure), what was negotiated or why it failed.</summary>
public sealed record OutcomeJson(
    bool Completed, bool Healthy, string? Version, string? CipherSuite, string? KeyExchange, int? KeyExchangeBits, string? Group,
    string? Reason, string? AbortingSide, string? Alert, double? FailureRate, ImmutableArray<string> AdditionalReasons, string Explanation);

public sealed record AssumptionJson(string Id, string Text);

public sealed record ProbeJson(string Role, string Target, bool Reachable, string? Error, ImmutableArray<string> Versions, int Handshakes, long ElapsedMs);

public sealed record DirectionJson(string Direction, string Target, string Client, string Server, OutcomeJson Outcome);

public sealed record LeadingZeroJson(string Target, string Verdict, ImmutableArray<LeadingZeroHandshakeJson> Handshakes, int? StressHandshakes, int? StressFailures);

public sealed record LeadingZeroHandshakeJson(string Mode, bool Completed, string Stage, string? Alert, bool AlertFromServer, string? Version,
    string? CipherSuite, int? DhBits, bool SharedSecretHadLeadingZero, bool ClientPublicHadLeadingZero, string Reason, int? AttemptId);

/// <summary>Source-generated serializer settings: camelCase, indented, nulls kept.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(DiagnosisDocument))]
public sealed partial class DiagnosisJsonContext : JsonSerializerContext;

/// <summary>Maps a report to its JSON form.</summary>
public static class DiagnosisJson
{
    public static DiagnosisDocument ToJson(DiagnosisReport r, ImmutableArray<string> filesWritten = default) => new(
        r.Windows,
        [.. r.NotScanned.Select(n => new NotScannedJson(n.Role.Name(), n.Target, n.Reason.Name(), n.Error))],
        [.. r.Findings.Select(ToJson)],
        [.. r.Assumptions.Select(a => new AssumptionJson(a.Id, a.Text))],
        [.. r.Probes.Select(p => new ProbeJson(p.Role.Name(), p.Target, p.Reachable, p.Error, [.. p.Versions.Select(v => v.Name())], p.Handshakes, p.ElapsedMs))],
        [.. r.Outcomes.Select(o => new DirectionJson(o.Direction.Name(), o.Target, o.ClientName, o.ServerName, ToJson(o.Outcome)))],
        [.. r.LeadingZero.Select(l => new LeadingZeroJson(l.Target, l.Verdict.Name(), [.. l.Handshakes.Select(h => new LeadingZeroHandshakeJson(
            h.Mode, h.Completed, h.Stage.Name(), h.Alert?.Name(), h.AlertFromServer, h.Version?.Name(), h.CipherSuite, h.DhBits,
            h.SharedSecretHadLeadingZero, h.ClientPublicHadLeadingZero, h.Reason, h.AttemptId))], l.StressHandshakes, l.StressFailures))],
        r.Unreachable,
        filesWritten.IsDefault ? [] : filesWritten,
        r.At,
        [.. (r.ModelChecks.IsDefault ? [] : r.ModelChecks).Select(c => new ModelCheckJson(c.DirectionName, c.Target, c.Status, c.Model, c.Schannel, c.Protocols))]);

    public static FindingJson ToJson(Finding f) => new(
        f.Id, f.Slug, f.Severity.Name(), f.Direction.Name(), f.Target, f.Title,
        [.. f.Evidence.Select(e => new EvidenceJson(e.Source.Name(), e.Text, e.AttemptId))],
        [.. f.Remedies.Select(m => new RemedyJson(m.Kind.Name(), m.Title, m.EquivalenceKey, [.. m.Files.Select(x => new FileJson(x.Name, x.Content))], m.Risk, m.Steps,
            m.Resimulated is null ? null : ToJson(m.Resimulated), m.SideEffects))],
        f.Descriptor.HelpLink);

    public static OutcomeJson ToJson(HandshakeOutcome o) => new(
        o.Completed, o.Healthy, o.Version?.Name(), o.CipherSuite?.Name, o.KeyExchange?.Name(), o.KeyExchangeBits, o.Group?.Name,
        o.Reason?.Name(), o.AbortingSide?.Name(), o.Alert?.Name(), o.FailureRate, o.AdditionalReasons.IsDefault ? [] : [.. o.AdditionalReasons.Select(r => r.Name())], o.Explanation);

    // Remedy files hold .reg text full of quotes and backslashes: relaxed escaping keeps them readable in the JSON.
    private static readonly DiagnosisJsonContext Relaxed = new(new JsonSerializerOptions(DiagnosisJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static string Serialize(DiagnosisDocument d) => JsonSerializer.Serialize(d, Relaxed.DiagnosisDocument);
}
