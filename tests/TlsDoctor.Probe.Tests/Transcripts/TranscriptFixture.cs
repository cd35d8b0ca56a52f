using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using TlsDoctor.Core;
using TlsDoctor.Probe.Json;

namespace TlsDoctor.Probe.Tests.Transcripts;

/// <summary>
/// A scan recorded once from a real peer: every connection's bytes (what we sent, what came back and how the reading
/// ended), the outcome of each full handshake (BouncyCastle's crypto cannot be replayed from bytes), and the scan JSON
/// the live run produced. Replaying it runs the real steps and folds with no socket.
/// </summary>
public sealed record TranscriptFixture(string Name, string Target, ImmutableArray<RecordedAttempt> Attempts, JsonNode Scan)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string Directory([System.Runtime.CompilerServices.CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Recorded");

    public static string PathOf(string name) => Path.Combine(Directory(), name + ".json");

    public static TranscriptFixture Load(string name) =>
        JsonSerializer.Deserialize<TranscriptFixture>(File.ReadAllText(PathOf(name)), Json) ?? throw new InvalidDataException(name);

    public void Save() => File.WriteAllText(PathOf(Name), JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>Records a live scan.</summary>
    public static TranscriptFixture From(string name, ScanResult scan) =>
        new(name, scan.Target.ToString(), [.. scan.Attempts.Select(RecordedAttempt.From)], ScanJson(scan));

    /// <summary>The scan JSON with what varies between runs of the same code removed (times).</summary>
    public static JsonNode ScanJson(ScanResult scan)
    {
        var node = JsonNode.Parse(ScanJsonMapper.Serialize(new ScanDocument([ScanJsonMapper.ToJson(scan)])))!["scans"]![0]!.DeepClone();
        node["elapsedMs"] = 0;
        foreach (var a in node["attempts"]!.AsArray()) a!["elapsedMs"] = 0;
        return node;
    }
}

/// <summary>One recorded connection.</summary>
/// <param name="Sent">Base64 of the bytes we sent (the hello; for handshakes, every byte we wrote).</param>
/// <param name="Received">Base64 of every byte the peer sent.</param>
/// <param name="EndedBy">How reading ended before the answer was complete (closed, read-timeout, reset…), or null.</param>
/// <param name="Handshake">For full handshakes: what BouncyCastle concluded.</param>
public sealed record RecordedAttempt(string Purpose, string Sent, string Received, string? EndedBy, string? EndMessage, RecordedHandshake? Handshake)
{
    public static RecordedAttempt From(ProbeAttempt a) => new(
        a.Purpose,
        Convert.ToBase64String(a.Transcript.Sent.Span),
        Convert.ToBase64String(a.Transcript.Received.Span),
        a.Transcript.EndedBy?.ToString(),
        a.Transcript.EndMessage,
        a.Answer is FullHandshakeResult f ? RecordedHandshake.From(f) : null);

    public Transcript Transcript => new(Convert.FromBase64String(Sent), Convert.FromBase64String(Received),
        EndedBy is null ? null : Enum.Parse<ProbeErrorKind>(EndedBy), EndMessage);
}

/// <summary>A full handshake's outcome as recorded.</summary>
public sealed record RecordedHandshake(bool Completed, string Stage, string? Alert, bool AlertSentByUs, string? CipherSuiteName, int? DhBits,
    string? Error, string? Version, string? CipherSuite, ImmutableArray<string> Certificates, string? Failure)
{
    public static RecordedHandshake From(FullHandshakeResult r) => new(
        r.Check.Completed, r.Check.Stage.Name(), r.Check.Alert?.Name(), r.Check.AlertSentByUs, r.Check.CipherSuite, r.Check.DhBits, r.Check.Error,
        r.Version?.Name(), r.CipherSuite is { } c ? $"0x{c:x4}" : null, [.. r.Certificates.Select(Convert.ToBase64String)], r.Failure?.ToString());

    public FullHandshakeResult ToResult() => new(
        new HandshakeCheck(Completed, HandshakeStages.TryParse(Stage, out var stage) ? stage : throw new InvalidDataException(Stage), AlertNames.TryParse(Alert, out var a) ? a : null, AlertSentByUs, CipherSuiteName, DhBits, Error),
        TlsVersions.TryParse(Version, out var v) ? v : null,
        CipherSuite is null ? null : Convert.ToUInt16(CipherSuite, 16),
        DhBits,
        [.. Certificates.Select(Convert.FromBase64String)])
    {
        Failure = Failure is null ? null : Enum.Parse<ProbeErrorKind>(Failure),
    };
}
