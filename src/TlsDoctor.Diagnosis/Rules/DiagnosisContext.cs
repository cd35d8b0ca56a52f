using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Probe;
using TlsDoctor.Schannel.Policy;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Diagnosis;

/// <summary>
/// Everything a rule sees for one direction: the Windows side (policy and its inputs), the two profiles, the
/// simulated outcome, and the observations behind the device's profile (scan, leading-zero proof, capture).
/// </summary>
public sealed class DiagnosisContext
{
    public required Direction Direction { get; init; }
    /// <summary>host:port of the device or service, or the capture file.</summary>
    public required string Target { get; init; }
    public required WindowsSide Windows { get; init; }
    public required ClientProfile Client { get; init; }
    public required ServerProfile Server { get; init; }
    public required HandshakeOutcome Outcome { get; init; }
    public required NegotiationOptions Options { get; init; }
    /// <summary>The scan of the peer (outbound: the device or service; inbound: the Terminal Server when --server was given).</summary>
    public ScanResult? Scan { get; init; }
    public LeadingZeroProof? Proof { get; init; }
    /// <summary>Inbound only: the Terminal Server certificate used, and whether it is the assumed default one.</summary>
    public CertificateInfo? ServerCertificate { get; init; }
    public bool ServerCertificateAssumed { get; init; }
    /// <summary>Host name the peer was reached by (for the certificate name check).</summary>
    public string? Host { get; init; }
    /// <summary>The other directions of the same run, so a remedy can say which of them it would break.</summary>
    public ImmutableArray<DiagnosisContext> Others { get; set; } = [];

    public bool Outbound => Direction.IsOutbound();

    /// <summary>The device's (or service's) side: the server profile outbound, the client profile inbound.</summary>
    public IEnumerable<TlsVersion> PeerVersions => Outbound ? Server.SupportedVersions : Client.Versions;

    /// <summary>True when the outcome's first or a later problem has this reason.</summary>
    public bool Has(FailureReason reason) => Outcome.Reason == reason || Outcome.AdditionalReasons.Contains(reason);

    /// <summary>True when the outcome fails (first or later problem) for a reason the finding explains (<see cref="FindingDescriptor.Reasons"/>).</summary>
    public bool Explains(FindingDescriptor d) => d.Reasons.Any(Has);

    /// <summary>Simulates again with another Windows side (profiles recomputed from its policy).</summary>
    public HandshakeOutcome Resimulate(WindowsSide windows) => Outbound
        ? Negotiator.Simulate(windows.Policy.ToClientProfile(), Server, Options)
        : Negotiator.Simulate(Client, windows.Policy.ToServerProfile(ServerCertificate), Options);

    /// <summary>Simulates again with other profiles (a device-side or certificate change).</summary>
    public HandshakeOutcome Resimulate(ClientProfile? client = null, ServerProfile? server = null) =>
        Negotiator.Simulate(client ?? Client, server ?? Server, Options);

    /// <summary>The same direction with another client profile (an assumed limit taken at its worst), simulated again.</summary>
    public DiagnosisContext WithClient(ClientProfile client) => new()
    {
        Direction = Direction, Target = Target, Windows = Windows, Client = client, Server = Server,
        Outcome = Negotiator.Simulate(client, Server, Options), Options = Options, Scan = Scan, Proof = Proof,
        ServerCertificate = ServerCertificate, ServerCertificateAssumed = ServerCertificateAssumed, Host = Host, Others = Others,
    };

    /// <summary>The command that settles assumed device limits: learning over the device's next connections.</summary>
    public const string LearnCommand = "tlsdoctor listen --port 5012 --learn -o device.json (point the device at this machine and let it retry until the listener says it has learned enough), then tlsdoctor diagnose --client-hello device.json";

    /// <summary>A remedy that changes the Windows registry: the file, its undo, re-simulation and side effects.</summary>
    public Remedy RegistryRemedy(string equivalenceKey, string title, string fileName, RegDocument change, string risk, IEnumerable<string> steps, bool restart = false)
    {
        var after = Windows.WithRegistry(change, fileName);
        var outcome = Resimulate(after);
        var allSteps = new List<string>
        {
            $"Copy {fileName} and undo-{fileName} to the Terminal Server; keep undo-{fileName}: it restores the values this change overwrites (and deletes those that were absent).",
        };
        allSteps.AddRange(steps);
        allSteps.Add($"Double-click {fileName} (or run: reg import {fileName}) as an administrator.");
        allSteps.Add(restart ? "Restart the machine: SCHANNEL reads protocol settings at boot." : "Restart the Terminal Server service (SCHANNEL settings apply to new processes; a reboot is safest).");
        return new Remedy(RemedyKind.Registry, title, equivalenceKey, RegistryRemedies.Files(fileName, change, Windows.Inputs.Registry), risk,
            [.. allSteps], outcome, SideEffects(after));
    }

    /// <summary>A remedy that changes the Windows side without a file (product setting, update, release).</summary>
    public Remedy WindowsRemedy(RemedyKind kind, string equivalenceKey, string title, WindowsSide after, string risk, IEnumerable<string> steps,
        ImmutableArray<RemedyFile> files = default) =>
        new(kind, title, equivalenceKey, files.IsDefault ? [] : files, risk, [.. steps], Resimulate(after), SideEffects(after));

    /// <summary>Machine-wide differences plus the other directions of this run that the change would break or fix.</summary>
    public ImmutableArray<string> SideEffects(WindowsSide after)
    {
        var list = PolicyDiff.Describe(Windows.Policy, after.Policy).ToList();
        foreach (var o in Others)
        {
            var now = o.Outcome;
            var then = o.Resimulate(after);
            if (now.Healthy && !then.Healthy)
                list.Add($"BREAKS {o.Direction.Name()} {o.Target}: {then.Reason?.Name()} — {then.Explanation}");
            else if (!now.Healthy && then.Healthy)
                list.Add($"also fixes {o.Direction.Name()} {o.Target}");
        }
        return [.. list];
    }

    /// <summary>The id of the scan's first attempt of a step (for one version, when given).</summary>
    public int? AttemptId(ProbeStep step, TlsVersion? version = null) => Scan?.FirstAttempt(step, version)?.Id;

    /// <summary>The id of the attempt whose complete handshake the profile reports for a version.</summary>
    public int? HandshakeAttemptId(TlsVersion version) => Scan?.HandshakeAttempt(version)?.Id;

    /// <summary>The id of the first attempt that showed a suite accepted in a version.</summary>
    public int? SuiteAttemptId(TlsVersion version, CipherSuite suite) => Scan?.AttemptAccepting(version, suite.Code)?.Id;

    /// <summary>The id of the first attempt on which the peer sent a certificate.</summary>
    public int? CertificateAttemptId(CertificateInfo? certificate) => certificate is null ? null : Scan?.AttemptCarrying(certificate)?.Id;

    /// <summary>Evidence of the simulated outcome.</summary>
    public Evidence SimulationEvidence() => Evidence.Simulation(
        $"{Client.Name} → {(Outbound ? Target : "Terminal Server")}: " + (Outcome.Healthy ? Outcome.Explanation
            : $"{(Outcome.Completed ? "completes but" : "fails")} ({Outcome.Reason?.Name()}{(Outcome.Alert is { } a ? ", " + a.Name() : "")}{(Outcome.AbortingSide is { } s ? ", " + s.Name() + " aborts" : "")}): {Outcome.Explanation}"));

    /// <summary>
    /// Builds a finding for this direction with the descriptor's severity, or a lower one for a mere risk; remedies that
    /// re-simulate to a healthy handshake come first, otherwise in the rule's order (safest first).
    /// </summary>
    public Finding Make(FindingDescriptor d, string title, IEnumerable<Evidence> evidence, IEnumerable<Remedy> remedies, Severity? severity = null) =>
        new(d, severity ?? d.DefaultSeverity, Direction, Target, title, [.. evidence], [.. remedies.Select((r, i) => (r, i)).OrderBy(t => t.r.Resimulated is null ? 1 : t.r.Fixes ? 0 : 2).ThenBy(t => t.i).Select(t => t.r)]);
}

/// <summary>One rule per cause: looks at a direction and reports findings of its descriptor.</summary>
public interface IFindingRule
{
    FindingDescriptor Descriptor { get; }
    IEnumerable<Finding> Analyze(DiagnosisContext ctx);
}
