using TlsDoctor.Core;
using TlsDoctor.Diagnosis;

namespace TlsDoctor.Fleet;

/// <summary>One finding about one device, as the fleet summarises it.</summary>
/// <param name="Id">Catalogue id (TD001…).</param>
/// <param name="Slug">Catalogue slug (weak-dh).</param>
/// <param name="Severity">error, warning or info.</param>
/// <param name="Title">One line for tables.</param>
public sealed record FleetFinding(string Id, string Slug, string Severity, string Title)
{
    /// <summary>The fleet's summary of a Diagnosis finding.</summary>
    public static FleetFinding From(Finding f) => new(f.Id, f.Slug, f.Severity.Name(), f.Title);
}

/// <summary>The Windows side a fleet is judged against: the Diagnosis model and its outbound client profile.</summary>
/// <param name="Client">The outbound client profile, its Origin naming the inputs (reg files, updates) for the report.</param>
public sealed record FleetPolicy(WindowsSide Side, ClientProfile Client)
{
    /// <summary>The policy with the side's own outbound client profile.</summary>
    public static FleetPolicy From(WindowsSide side) => new(side, side.Policy.ToClientProfile());

    /// <summary>The findings catalogue (every rule, stable ids) applied to a stored profile without network, one entry per id.</summary>
    public IEnumerable<FleetFinding> Findings(ServerProfile device) =>
        DiagnosisRunner.AnalyzeOutbound(Side, device, "fleet device").Select(FleetFinding.From).DistinctBy(f => f.Id);
}
