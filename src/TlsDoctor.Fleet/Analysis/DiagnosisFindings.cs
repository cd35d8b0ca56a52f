using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Diagnosis;

namespace TlsDoctor.Fleet;

/// <summary>Findings from the TlsDoctor.Diagnosis catalogue (every rule, stable ids), applied to stored profiles without network.</summary>
public sealed class DiagnosisFindings(WindowsSide windows) : IFleetFindings
{
    /// <summary>The Windows side the rules judge against.</summary>
    public WindowsSide Windows { get; } = windows;

    public ImmutableArray<FleetFinding> Evaluate(ServerProfile device, ClientProfile windowsClient, HandshakeOutcome outcome) =>
        [.. DiagnosisRunner.AnalyzeOutbound(Windows, device, "fleet device")
            .Select(f => new FleetFinding(f.Id, f.Slug, f.Severity.Name(), f.Title))
            .DistinctBy(f => f.Id)];
}
