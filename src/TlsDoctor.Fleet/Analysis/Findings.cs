using System.Collections.Immutable;
using TlsDoctor.Core;

namespace TlsDoctor.Fleet;

/// <summary>One finding about one device, as the fleet summarises it.</summary>
/// <param name="Id">Catalogue id (TD001…) when known; otherwise the simulator's failure reason.</param>
/// <param name="Slug">Catalogue slug (weak-dh) or the failure reason.</param>
/// <param name="Severity">error, warning or info.</param>
/// <param name="Title">One line for tables.</param>
public sealed record FleetFinding(string Id, string Slug, string Severity, string Title);

/// <summary>
/// Turns a device and its simulated outcome against the Windows policy into findings. The seam for TlsDoctor.Diagnosis:
/// once its catalogue is ready, an implementation that calls it replaces <see cref="OutcomeFindings"/>.
/// </summary>
public interface IFleetFindings
{
    ImmutableArray<FleetFinding> Evaluate(ServerProfile device, ClientProfile windows, HandshakeOutcome outcome);
}

/// <summary>Findings from the outcome's failure reason alone, mapped to the catalogue ids of DESIGN.md §6 where they match.</summary>
public sealed class OutcomeFindings : IFleetFindings
{
    /// <summary>Shared instance (stateless).</summary>
    public static OutcomeFindings Instance { get; } = new();

    private static readonly ImmutableDictionary<string, (string Id, string Slug)> Catalogue = new Dictionary<string, (string, string)>
    {
        [FailureReasons.DhTooSmall] = ("TD001", "weak-dh"),
        [FailureReasons.DhLeadingZero] = ("TD002", "broken-dh"),
        [FailureReasons.HandshakeFailsAfterHello] = ("TD003", "tls12-intolerance"),
        [FailureReasons.Sha512Tls12Unpatched] = ("TD004", "sha512-unpatched"),
        [FailureReasons.NoCommonProtocol] = ("TD005", "no-common-protocol"),
    }.ToImmutableDictionary();

    public ImmutableArray<FleetFinding> Evaluate(ServerProfile device, ClientProfile windows, HandshakeOutcome outcome)
    {
        if (outcome.Reason is not { } reason) return [];
        var (id, slug) = Catalogue.TryGetValue(reason, out var c) ? c : (reason, reason);
        var severity = outcome.Completed ? "warning" : "error";
        var title = FailureReasons.All.FirstOrDefault(r => r.Code == reason).Description ?? reason;
        if (outcome.FailureRate is { } rate) title += $" (about {rate:P1} of handshakes fail)";
        return [new FleetFinding(id, slug, severity, title)];
    }
}
