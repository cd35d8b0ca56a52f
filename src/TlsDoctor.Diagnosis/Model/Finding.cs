using System.Collections.Immutable;
using TlsDoctor.Core;

namespace TlsDoctor.Diagnosis;

/// <summary>One observation that supports a finding.</summary>
/// <param name="Text">What was observed, in one sentence.</param>
/// <param name="AttemptId">The probe connection that shows it (scan attempt id), when there is one.</param>
public sealed record Evidence(EvidenceSource Source, string Text, int? AttemptId = null)
{
    public static Evidence Probe(string text, int? attemptId = null) => new(EvidenceSource.Probe, text, attemptId);
    public static Evidence Policy(string text) => new(EvidenceSource.Policy, text);
    public static Evidence Capture(string text) => new(EvidenceSource.Capture, text);
    public static Evidence Simulation(string text) => new(EvidenceSource.Simulation, text);
}

/// <summary>A file a remedy ships (a .reg file, its undo, a text with the command to run).</summary>
public sealed record RemedyFile(string Name, string Content);

/// <summary>
/// One way to make the connection work. <see cref="Resimulated"/> is the handshake simulated again with the remedy
/// applied to the Windows policy or the profiles; null when the remedy cannot be modelled (a device-side change).
/// </summary>
/// <param name="EquivalenceKey">Equal keys mean the same fix (a fleet merges them): "TD001:client-min-dh-512".</param>
/// <param name="Risk">What the change costs in security or compatibility, in plain words.</param>
/// <param name="Steps">What the administrator does, in order.</param>
/// <param name="SideEffects">What else the change affects (machine-wide suites removed, versions enabled, …).</param>
public sealed record Remedy(
    RemedyKind Kind,
    string Title,
    string EquivalenceKey,
    ImmutableArray<RemedyFile> Files,
    string Risk,
    ImmutableArray<string> Steps,
    HandshakeOutcome? Resimulated,
    ImmutableArray<string> SideEffects)
{
    /// <summary>True when re-simulation shows a handshake that always completes.</summary>
    public bool Fixes => Resimulated is { Healthy: true };
}

/// <summary>An occurrence of a catalogued cause, with the evidence that shows it and the remedies, safest first.</summary>
/// <param name="Target">The endpoint or capture the finding is about (host:port, capture file).</param>
public sealed record Finding(
    FindingDescriptor Descriptor,
    Severity Severity,
    Direction Direction,
    string Target,
    string Title,
    ImmutableArray<Evidence> Evidence,
    ImmutableArray<Remedy> Remedies)
{
    public string Id => Descriptor.Id;
    public string Slug => Descriptor.Slug;
}
