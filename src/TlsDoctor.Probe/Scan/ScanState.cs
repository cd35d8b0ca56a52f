using System.Collections.Immutable;
using TlsDoctor.Core;

namespace TlsDoctor.Probe;

/// <summary>What a scan knows about one protocol version so far.</summary>
internal sealed record VersionState(TlsVersion Version)
{
    /// <summary>True once answered in this version, false once shown absent, null while unknown.</summary>
    public bool? Supported { get; init; }
    /// <summary>Accepted suites in the order they were found (the server's order when it has one).</summary>
    public ImmutableArray<AcceptedSuite> Found { get; init; } = [];
    /// <summary>Suites not yet accepted, in our offer order.</summary>
    public ImmutableArray<ushort> Remaining { get; init; } = HelloShapes.OfferOrders[Version];
    /// <summary>Iterative removal found everything it can.</summary>
    public bool Exhausted { get; init; }
    /// <summary>Hellos iterative removal may still spend on this version; null before its first one.</summary>
    public int? EnumerationBudget { get; init; }
    public bool? ServerOrder { get; init; }
    /// <summary>Some suite was found by a hello that did not offer all remaining suites: the found order is not the server's.</summary>
    public bool FoundInChunks { get; init; }
    /// <summary>The chunk-order pass: the server's picks so far among the found suites; null before it starts.</summary>
    public ImmutableArray<ushort>? Reordered { get; init; }
    public bool ReorderDone { get; init; }
    /// <summary>Every pick of the chunk-order pass so far was the first suite offered.</summary>
    public bool ReorderFollowsClient { get; init; } = true;
    /// <summary>The order probe ran (it may have settled nothing).</summary>
    public bool OrderChecked { get; init; }
    /// <summary>The AES-GCM / ChaCha20-Poly1305 probe ran.</summary>
    public bool ClientDependenceChecked { get; init; }
    public bool ClientDependentOrder { get; init; }
    public HandshakeCheck? FullHandshake { get; init; }
    /// <summary>A full handshake that failed like the DH leading-zero bug, waiting for its repeat.</summary>
    public ProbeAttempt? PendingHandshake { get; init; }
    /// <summary>A full handshake the server closed before its ServerHello, waiting for the try without status_request.</summary>
    public ProbeAttempt? ClosedOnStatusRequest { get; init; }
    /// <summary>Full handshakes in this version go without status_request: the server closes on it.</summary>
    public bool WithoutStatusRequest { get; init; }
    public NamedGroup? FirstGroup { get; init; }
    /// <summary>The DHE hello offering FFDHE groups was made in this version.</summary>
    public bool FfdheMeasured { get; init; }
    /// <summary>RFC 7919 groups still to offer in this version; null when the server does not use them here.</summary>
    public ImmutableArray<ushort>? FfdheCandidates { get; init; }
    public ImmutableArray<GroupDhBits> FfdheGroups { get; init; } = [];
    /// <summary>For each found suite, the suites offered in the hello that found it (server-order proof).</summary>
    public ImmutableDictionary<ushort, ImmutableArray<ushort>> OfferOf { get; init; } = ImmutableDictionary<ushort, ImmutableArray<ushort>>.Empty;
}

/// <summary>How far the tolerance ladder went.</summary>
internal enum ToleranceProgress { NotNeeded, Needed, ShortHelloFailed, Done, Failed }

/// <summary>The group enumeration's own bookkeeping.</summary>
internal sealed record GroupProbe(TlsVersion Version, ImmutableArray<ushort> Suites, ImmutableArray<ushort> Candidates, int Budget, bool Done = false);

/// <summary>
/// Everything a scan of one target knows after some connections: immutable, so every step is a pure function from
/// one state and one attempt to the next state, and a recorded sequence of attempts replays to the same profile.
/// </summary>
internal sealed record ScanState
{
    public required ProbeTarget Target { get; init; }
    /// <summary>The SNI the raw hellos carry.</summary>
    public string? ServerName { get; init; }
    public ImmutableArray<VersionState> Versions { get; init; } = [.. TlsVersions.All.Select(v => new VersionState(v))];
    public HelloShape Shape { get; init; } = HelloShape.Full;
    public ImmutableArray<ProbeAttempt> Attempts { get; init; } = [];
    /// <summary>The first id this scan's attempts are numbered from, minus one (a proof continues a scan's numbering).</summary>
    public int FirstId { get; init; }
    public ImmutableArray<byte[]> Certificates { get; init; } = [];
    public ImmutableArray<Behaviour> Behaviours { get; init; } = [];
    public ImmutableArray<NamedGroup> Groups { get; init; } = [];
    public bool? RenegotiationInfo { get; init; }
    /// <summary>The attempt whose ServerHello settled <see cref="RenegotiationInfo"/>.</summary>
    public int RenegotiationAttemptId { get; init; }
    /// <summary>Set once the server proved it reads version negotiation right: it chose TLS 1.3 through supported_versions,
    /// or answered a hello with a lower version than offered. Such a server's protocol_version alert is believed.</summary>
    public bool NegotiatesVersions { get; init; }
    public ImmutableArray<int> Sslv2Kinds { get; init; } = [];
    /// <summary>The answer to the first hello (every version, every suite).</summary>
    public HelloResponse? Top { get; init; }
    public ToleranceProgress Tolerance { get; init; }
    /// <summary>A version whose full-size hello was refused the way size-limited stacks refuse (decode_error,
    /// illegal_parameter, a close): it gets one short hello before it counts as unsupported.</summary>
    public ProbeAttempt? SizeRetry { get; init; }
    /// <summary>A short hello did not help once: later refusals are taken as they are.</summary>
    public bool SizeRetryFailed { get; init; }
    /// <summary>Sizes of the last full-shape and small-shape hellos, for the size-limit behaviour.</summary>
    public int FullHelloBytes { get; init; }
    public int SmallHelloBytes { get; init; }
    /// <summary>Versions iterative removal walks, highest first (fixed when the step starts).</summary>
    public ImmutableArray<TlsVersion> EnumerationOrder { get; init; } = [];
    public GroupProbe? GroupProbe { get; init; }
    /// <summary>Versions whose full handshake is still to run, highest first.</summary>
    public ImmutableArray<TlsVersion> HandshakeOrder { get; init; } = [];
    public LeadingZeroProbe? LeadingZero { get; init; }
    /// <summary>Attempts made but not kept (stress handshakes): they still use up ids.</summary>
    public int Tallied { get; init; }
    public bool Unreachable { get; init; }
    public string? FatalError { get; init; }
    /// <summary>No further connection makes sense (unreachable, not TLS, nothing accepted).</summary>
    public bool Stopped { get; init; }

    public VersionState this[TlsVersion version] => Versions[Index(version)];

    public ScanState With(VersionState version) => this with { Versions = Versions.SetItem(Index(version.Version), version) };

    /// <summary>Applies a change to one version.</summary>
    public ScanState With(TlsVersion version, Func<VersionState, VersionState> change) => With(change(this[version]));

    /// <summary>The next attempt's id.</summary>
    public int NextId => FirstId + Attempts.Length + Tallied + 1;

    public ScanState Stop(string? error, bool unreachable = false) => this with { Stopped = true, FatalError = error, Unreachable = unreachable };

    /// <summary>Adds a behaviour with the attempts that show it.</summary>
    public ScanState AddBehaviour(Behaviour b, params IEnumerable<int> attemptIds) =>
        this with { Behaviours = Behaviours.Add(b with { AttemptIds = [.. attemptIds] }) };

    /// <summary>Adds a behaviour unless the same one (kind, version, detail) is already known: many hellos show the same defect.</summary>
    public ScanState AddBehaviourOnce(Behaviour b, params IEnumerable<int> attemptIds) =>
        Behaviours.Any(x => x.Kind == b.Kind && x.Version == b.Version && x.Detail == b.Detail) ? this : AddBehaviour(b, attemptIds);

    /// <summary>The first hello's attempt (every version, every suite).</summary>
    public int TopAttemptId => Attempts.Length > 0 ? Attempts[0].Id : 0;

    public ScanState AddCertificates(IEnumerable<byte[]> ders)
    {
        var list = Certificates;
        foreach (var der in ders)
            if (!list.Any(c => c.AsSpan().SequenceEqual(der))) list = list.Add(der);
        return this with { Certificates = list };
    }

    /// <summary>Replaces the outcome text of the last attempt with what the scan concluded from it.</summary>
    public ScanState AmendLastOutcome(string outcome) =>
        this with { Attempts = Attempts.SetItem(Attempts.Length - 1, Attempts[^1] with { Outcome = outcome }) };

    private static int Index(TlsVersion v) => v switch
    {
        TlsVersion.SSLv2 => 0,
        TlsVersion.SSLv3 => 1,
        TlsVersion.TLSv1_0 => 2,
        TlsVersion.TLSv1_1 => 3,
        TlsVersion.TLSv1_2 => 4,
        TlsVersion.TLSv1_3 => 5,
        _ => throw new ArgumentOutOfRangeException(nameof(v), v, "not a version a scan tracks"),
    };
}
