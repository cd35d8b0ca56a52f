using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Schannel.Knowledge;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Schannel.Policy.Pipeline;

/// <summary>
/// Where a named assumption is listed. The policy lists its assumptions by topic in this order, whatever stage named
/// them, so that a stage can be added or moved without reordering the output.
/// </summary>
internal enum AssumptionSlot
{
    Release,
    Updates,
    Protocols,
    /// <summary>Named for the release's default suite list; dropped when the registry replaces the list.</summary>
    DefaultSuiteList,
    SuiteOrder,
    SuiteStrongCrypto,
    SuiteTable,
    SuiteSwitches,
    DhClientUpdate,
    DhRegistry,
    /// <summary>Named for the release's DH server size; dropped when the registry sets ServerMinKeyBitLength.</summary>
    DhServerDefault,
    Rsa,
    Sha512Update,
    Sha512Release,
    LeadingZeroUpdate,
    LeadingZeroModel,
    SignatureSchemes,
    DotNet,
    ProductSetting,
    Roles,
}

/// <summary>A suite of the chosen list, before curve variants are merged.</summary>
internal sealed record DraftSuite(SuiteRow Row, Source Source);

/// <summary>What the Terminal Server's .NET asks SCHANNEL for outbound.</summary>
/// <param name="Explicit">True when versions are named (so "disabled by default" ones are usable).</param>
/// <param name="Versions">The versions named; empty when the system chooses.</param>
internal sealed record OutboundRequest(Sourced<bool> Explicit, ImmutableArray<TlsVersion> Versions, Source Source);

/// <summary>The policy while the stages build it: each stage returns a changed copy.</summary>
internal sealed record PolicyDraft
{
    public required SchannelKnowledge Knowledge { get; init; }
    public required PolicyInputs Inputs { get; init; }
    public RegistryState Registry => Inputs.Registry;
    public required WindowsRelease Release { get; init; }
    public required int Build { get; init; }
    public int? Ubr { get; init; }
    public ImmutableArray<string> Updates { get; init; } = [];
    public bool UpdatesKnown { get; init; }
    /// <summary>The listed KBs that are rollups or cumulative updates of this release.</summary>
    public ImmutableArray<Rollup> InstalledRollups { get; init; } = [];
    public ImmutableArray<ProtocolSetting> ClientProtocols { get; init; } = [];
    public ImmutableArray<ProtocolSetting> ServerProtocols { get; init; } = [];
    /// <summary>The suite list before curve variants are merged (release default, then the registry's order).</summary>
    public ImmutableArray<DraftSuite> SuiteList { get; init; } = [];
    /// <summary>The merged list after the registry's switches.</summary>
    public ImmutableArray<PolicySuite> CipherSuites { get; init; } = [];
    public ImmutableArray<Sourced<NamedGroup>> Groups { get; init; } = [];
    public ImmutableArray<SignatureScheme> SignatureSchemes { get; init; } = [];
    public Source SignatureSchemesSource { get; init; } = new(Source.AssumptionKind, "");
    public required Sourced<int> DhClientMinBits { get; init; }
    public required Sourced<int?> DhClientMaxBits { get; init; }
    public required Sourced<int> DhServerBits { get; init; }
    public required Sourced<int> RsaClientMinBits { get; init; }
    public required Sourced<int?> RsaClientMaxBits { get; init; }
    public required Sourced<bool> Sha512InTls12 { get; init; }
    public required Sourced<bool> DhLeadingZeroFixed { get; init; }
    public Sourced<DotNetFramework>? DotNet { get; init; }
    public Sourced<bool>? SchUseStrongCrypto { get; init; }
    public Sourced<bool>? SystemDefaultTlsVersions { get; init; }
    public OutboundRequest? Request { get; init; }
    public Sourced<bool>? StrongCrypto { get; init; }
    public Sourced<bool>? InboundStrongCrypto { get; init; }
    public ImmutableList<(AssumptionSlot Slot, string Id)> Notes { get; init; } = [];
    public ImmutableList<string> Warnings { get; init; } = [];

    /// <summary>"Windows Server 2012 R2 default".</summary>
    public string ReleaseLabel => $"{Release.Name} default";

    /// <summary>True when the update is in the installed (or assumed) set.</summary>
    public bool Installed(string kb) => Knowledge.Update(kb)?.FromBuild is { } from ? Build >= from : Updates.Contains(kb, StringComparer.OrdinalIgnoreCase);

    public PolicyDraft Assume(AssumptionSlot slot, string? id) => id is null ? this : this with { Notes = Notes.Add((slot, id)) };

    /// <summary>Drops what was assumed in a slot (the value it was about has been replaced).</summary>
    public PolicyDraft Retract(AssumptionSlot slot) => this with { Notes = Notes.RemoveAll(n => n.Slot == slot) };

    public PolicyDraft Warn(string text) => this with { Warnings = Warnings.Add(text) };

    public PolicyDraft Warn(IEnumerable<string> texts) => this with { Warnings = Warnings.AddRange(texts) };

    /// <summary>The assumption ids in listing order, each once.</summary>
    public IEnumerable<string> AssumptionIds => Notes.Select((n, i) => (n, i)).OrderBy(t => t.n.Slot).ThenBy(t => t.i).Select(t => t.n.Id).Distinct();

    /// <summary>
    /// The source of a value an update brought, naming the update; also names the update's assumption in the slot of
    /// that value.
    /// </summary>
    public (PolicyDraft Draft, Source Source) CreditUpdate(string kb, AssumptionSlot slot)
    {
        var u = Knowledge.Update(kb);
        var source = new Source(Source.Update, $"{kb}{(u is null ? "" : " — " + u.Title)}{(UpdatesKnown ? "" : " (assumed installed)")}", u?.Source);
        return (Assume(slot, u?.Assumption), source);
    }
}
