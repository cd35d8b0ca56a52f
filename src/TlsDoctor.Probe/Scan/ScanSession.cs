using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics;
using TlsDoctor.Core;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe;

/// <summary>The mutable state of one target's scan; only <see cref="BuildProfile"/> leaves it, as immutable records.</summary>
internal sealed class ScanSession(ProbeTarget target, ProbeOptions options, HostGate gate, IProgress<ScanProgress>? progress)
{
    // How a hello is shaped after the tolerance ladder: full offers, small offers, or no extensions at all.
    private enum Shape { Full, Small, NoExtensions }

    // Old TLS stacks (F5 and some printer firmware) fail on hellos above 255 bytes; 40 suites keep it below.
    private const int SmallChunk = 40;

    private readonly List<ProbeAttempt> _attempts = [];
    private readonly Dictionary<TlsVersion, VersionState> _versions = TlsVersions.All.ToDictionary(v => v, v => new VersionState(v));
    private readonly List<byte[]> _certificates = [];
    private readonly List<Behaviour> _behaviours = [];
    private readonly List<NamedGroup> _groups = [];
    private readonly string? _sni = options.ServerName ?? (target.IsAddress ? null : target.Host);
    private Shape _shape = Shape.Full;
    private bool? _renegotiationInfo;
    // Set once the server proved it reads version negotiation right: it chose TLS 1.3 through supported_versions, or
    // answered a hello with a lower version than offered. Such a server's protocol_version alert is believed.
    private bool _negotiatesVersions;
    private ImmutableArray<int> _sslv2Kinds = [];

    public int Handshakes => _attempts.Count;
    public ImmutableArray<ProbeAttempt> Attempts => [.. _attempts];
    public bool Unreachable { get; private set; }
    public string? FatalError { get; private set; }

    private sealed class VersionState(TlsVersion version)
    {
        public TlsVersion Version { get; } = version;
        public bool? Supported { get; set; }
        public List<AcceptedSuite> Found { get; } = [];
        public List<ushort> Remaining { get; } = [.. OfferOrders[version]];
        public bool Exhausted { get; set; }
        public bool? ServerOrder { get; set; }
        public HandshakeCheck? FullHandshake { get; set; }
        public NamedGroup? FirstGroup { get; set; }
    }

    // Weakest first: a server that imposes its (usually strong-first) order then contradicts our order at once,
    // which proves server preference without an extra connection.
    // Computed once per process: a fleet scan starts thousands of sessions.
    private static readonly FrozenDictionary<TlsVersion, ImmutableArray<ushort>> OfferOrders = TlsVersions.All.ToFrozenDictionary(
        v => v,
        v => v == TlsVersion.SSLv2 ? [] : CipherSuites.ValidIn(v).OrderBy(Strength).ThenBy(s => s.Code).Select(s => s.Code).ToImmutableArray());

    private static int Strength(CipherSuite s) =>
        s.CipherBits
        + (s.KeyExchange is KeyExchange.DHE or KeyExchange.ECDHE or KeyExchange.Any ? 1000 : 0)
        + (s.Cipher.Contains("GCM") || s.Cipher.Contains("CHACHA") || s.Cipher.Contains("CCM") ? 500 : 0)
        - (s.Export ? 500 : 0);

    // Offered in the order common clients use, so a server that follows the client's order shows a familiar choice.
    private static readonly ImmutableArray<ushort> PreferredGroups = [0x001D, 0x0017, 0x0018, 0x0019, 0x001E];

    private static readonly ImmutableArray<ushort> EcGroups = [.. PreferredGroups, .. NamedGroups.All
        .Where(g => g.Kind == GroupKind.EllipticCurve && g.Code < 0x0100 && !PreferredGroups.Contains(g.Code)).Select(g => g.Code)];

    private static readonly ImmutableArray<ushort> AllGroups = [.. EcGroups, .. NamedGroups.All
        .Where(g => g.Kind != GroupKind.Unknown && g.Code is < 0xFE00 && !EcGroups.Contains(g.Code)).Select(g => g.Code)];

    private static readonly ImmutableArray<ushort> FfdheGroups = [0x0100, 0x0101, 0x0102, 0x0103, 0x0104];

    // Group enumeration costs one connection per accepted group, so it asks only about groups a Windows server or a
    // current client can use: the binary-field and other curves RFC 8422 deprecated would cost dozens of connections
    // on permissive stacks and change no verdict.
    private static readonly ImmutableArray<ushort> EcGroupCandidates =
        [0x001D, 0x0017, 0x0018, 0x0019, 0x001E, 0x001A, 0x001B, 0x001C, 0x0016];

    private static readonly ImmutableArray<ushort> Tls13GroupCandidates =
        [.. EcGroupCandidates, 0x001F, 0x0020, 0x0021, .. FfdheGroups, 0x11EC, 0x11EB, 0x11ED];

    // Broad enough that no server refuses for lack of a scheme: TLS 1.3 schemes plus the legacy SHA-1/MD5 pairs.
    private static readonly ImmutableArray<ushort> SignatureAlgorithms =
    [
        0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B,
        0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602, 0x0203, 0x0201, 0x0202, 0x0101,
    ];

    // The most common suites on embedded devices and Windows; the small shape offers these first.
    private static readonly ImmutableArray<ushort> CommonSuites =
    [
        0xC02F, 0xC030, 0xC02B, 0xC02C, 0xCCA8, 0xCCA9, 0xC013, 0xC014, 0xC009, 0xC00A, 0xC027, 0xC028, 0xC023, 0xC024,
        0x009E, 0x009F, 0x0033, 0x0039, 0x0067, 0x006B, 0x0016, 0x0032, 0x0038,
        0x009C, 0x009D, 0x002F, 0x0035, 0x003C, 0x003D, 0x000A, 0x0005, 0x0004,
        0xC012, 0xC011, 0x0013, 0x0066, 0x0009, 0x0003, 0x0008, 0x0014,
    ];

    public async Task RunAsync(CancellationToken ct)
    {
        // What the first full handshake would otherwise pay on the critical path is done on the spare core while the
        // first hellos wait for the device: under the JIT, compiling the handshake engine; natively compiled, only the
        // one-time loading (OpenSSL, which .NET on Linux uses for the randomness that seeds BouncyCastle: ~4 ms).
        var warm = !options.FullHandshakes ? Task.CompletedTask
            : System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeCompiled ? Task.Run(FullHandshakeProbe.WarmUp, CancellationToken.None)
            : Task.Run(FullHandshakeProbe.Load, CancellationToken.None);
        _ = warm.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);

        // 1. One hello offering every version and suite: the highest version and the server's first choice in it.
        Report("versions");
        var top = await HelloAsync("versions: highest", TlsVersion.TLSv1_3, AllTopSuites(), ct).ConfigureAwait(false);
        if (top.Outcome == HelloOutcome.Unreachable)
        {
            Unreachable = true;
            FatalError = top.Error;
            return;
        }
        if (top.Outcome == HelloOutcome.Malformed && !top.Accepted)
        {
            // A peer that answers with non-TLS bytes will not answer anything else with TLS.
            FatalError = top.Error;
            return;
        }
        if (top.Silent) await ToleranceLadderAsync(ct).ConfigureAwait(false);

        // 2. Versions the first answer did not settle, highest first; each answer may settle more.
        foreach (var v in new[] { TlsVersion.TLSv1_3, TlsVersion.TLSv1_2, TlsVersion.TLSv1_1, TlsVersion.TLSv1_0 })
        {
            if (_versions[v].Supported is not null) continue;
            if (v == TlsVersion.TLSv1_3 && _shape != Shape.Full) { _versions[v].Supported = false; continue; }
            var r = await HelloAsync($"versions: {v.Name()}", v, Chunk(_versions[v].Remaining), ct).ConfigureAwait(false);
            _versions[v].Supported ??= false;
            if (r.Outcome == HelloOutcome.Alert && r.Alert?.Description == AlertDescription.ProtocolVersion && _negotiatesVersions)
            {
                // RFC 5246 E.1: a server whose lowest version is above client_version answers protocol_version. Only a
                // server that has shown it negotiates versions correctly is believed: version-intolerant stacks send
                // the same alert for versions they would accept in a lower hello.
                var settled = _versions.Values.Where(s => s.Version < v && s.Version >= TlsVersion.SSLv3 && s.Supported is null).ToList();
                foreach (var lower in settled) lower.Supported = false;
                if (settled.Count > 0)
                    _attempts[^1] = _attempts[^1] with
                    {
                        Outcome = $"{_attempts[^1].Outcome}: nothing at or below {v.Name()}, so {string.Join(", ", settled.Select(x => x.Version.Name()))} are not supported either",
                    };
            }
        }
        if (_versions[TlsVersion.SSLv3].Supported is null)
        {
            await HelloAsync("versions: SSLv3", TlsVersion.SSLv3, Chunk(_versions[TlsVersion.SSLv3].Remaining), ct).ConfigureAwait(false);
            _versions[TlsVersion.SSLv3].Supported ??= false;
        }
        await Sslv2Async(ct).ConfigureAwait(false);

        if (!_versions.Values.Any(s => s.Supported == true))
        {
            FatalError ??= top.Error is { } e ? $"no TLS answer: {e}" : "the server accepted no protocol version";
            return;
        }
        NoteVersionIntolerance(top);

        // 3. Iterative removal per supported version.
        foreach (var state in _versions.Values.Where(s => s.Supported == true && s.Version != TlsVersion.SSLv2).OrderByDescending(s => s.Version))
        {
            Report($"cipher suites {state.Version.Name()}");
            await EnumerateAsync(state, ct).ConfigureAwait(false);
        }

        // 4. Groups, DH with FFDHE offered, full handshakes, remaining order checks.
        await EnumerateGroupsAsync(ct).ConfigureAwait(false);
        await FfdheCheckAsync(ct).ConfigureAwait(false);
        if (options.FullHandshakes) await FullHandshakesAsync(ct).ConfigureAwait(false);
        await OrderChecksAsync(ct).ConfigureAwait(false);
    }

    private IEnumerable<ushort> AllTopSuites() =>
        _versions[TlsVersion.TLSv1_3].Remaining
            .Concat(_versions[TlsVersion.TLSv1_2].Remaining)
            .Concat(_versions[TlsVersion.TLSv1_0].Remaining)
            .Distinct();

    private IEnumerable<ushort> Chunk(IEnumerable<ushort> suites) =>
        _shape == Shape.Full ? suites : suites.OrderBy(s => CommonSuites.IndexOf(s) is var i && i >= 0 ? i : int.MaxValue).Take(SmallChunk);

    private async Task ToleranceLadderAsync(CancellationToken ct)
    {
        // The big hello got no answer at all. Try what old stacks choke on, one thing at a time.
        _shape = Shape.Small;
        var small = await HelloAsync("tolerance: short hello", TlsVersion.TLSv1_2, Chunk(_versions[TlsVersion.TLSv1_0].Remaining), ct).ConfigureAwait(false);
        if (small.Accepted)
        {
            _behaviours.Add(new Behaviour(BehaviourKinds.ClientHelloSizeLimit,
                $"no answer to a {LastHelloSize.big}-byte ClientHello; answers a {LastHelloSize.small}-byte one (offers are split into chunks of {SmallChunk} suites)"));
            return;
        }
        _shape = Shape.NoExtensions;
        var bare = await HelloAsync("tolerance: no extensions", TlsVersion.TLSv1_2, Chunk(_versions[TlsVersion.TLSv1_0].Remaining), ct).ConfigureAwait(false);
        if (bare.Accepted)
        {
            _behaviours.Add(new Behaviour(BehaviourKinds.ExtensionIntolerance, "no answer to ClientHellos with extensions; answers one without any"));
            return;
        }
        _shape = Shape.Full;
    }

    private (int big, int small) LastHelloSize = (0, 0);

    private void NoteVersionIntolerance(HelloResponse top)
    {
        if (top.Accepted || _behaviours.Any(b => b.Kind is BehaviourKinds.ClientHelloSizeLimit or BehaviourKinds.ExtensionIntolerance)) return;
        var highest = _versions.Values.Where(s => s.Supported == true && s.Version >= TlsVersion.TLSv1_0).Select(s => s.Version).DefaultIfEmpty().Max();
        if (highest == default) return;
        var how = top.Alert is { } a ? $"fails with {a}" : top.Outcome.ToString().ToLowerInvariant();
        _behaviours.Add(new Behaviour(BehaviourKinds.VersionIntolerance,
            $"a ClientHello offering TLS 1.3/1.2 {how} instead of being answered with {highest.Name()}", highest));
    }

    private async Task EnumerateAsync(VersionState state, CancellationToken ct)
    {
        var guard = state.Remaining.Count + 2;
        while (!state.Exhausted && state.Remaining.Count > 0 && guard-- > 0)
        {
            var offer = Chunk(state.Remaining).ToList();
            var before = state.Found.Count;
            var r = await HelloAsync($"suites {state.Version.Name()}", state.Version, offer, ct).ConfigureAwait(false);
            if (state.Found.Count == before)
            {
                // No new suite: this offer (or chunk) is exhausted.
                if (_shape == Shape.Full || offer.Count == state.Remaining.Count || !r.Accepted && r.Outcome == HelloOutcome.Malformed)
                    state.Exhausted = true;
                else
                    state.Remaining.RemoveAll(offer.Contains);
            }
        }
    }

    private async Task EnumerateGroupsAsync(CancellationToken ct)
    {
        var tls13 = _versions[TlsVersion.TLSv1_3];
        VersionState? state = tls13.Supported == true && tls13.Found.Count > 0 ? tls13 : null;
        state ??= _versions.Values
            .Where(s => s.Supported == true && s.Version is >= TlsVersion.TLSv1_0 and <= TlsVersion.TLSv1_2 && s.Found.Any(f => f.Suite.KeyExchange.IsEllipticCurve()))
            .OrderByDescending(s => s.Version).FirstOrDefault();
        if (state is null) return;
        Report("groups");
        var candidates = (state.Version == TlsVersion.TLSv1_3 ? Tls13GroupCandidates : EcGroupCandidates).ToList();
        if (state.FirstGroup is { } first && candidates.Contains(first.Code))
        {
            _groups.Add(first);
            candidates.Remove(first.Code);
        }
        var suites = state.Version == TlsVersion.TLSv1_3
            ? state.Found.Select(f => f.Suite.Code).ToList()
            : state.Found.Where(f => f.Suite.KeyExchange.IsEllipticCurve()).Select(f => f.Suite.Code).ToList();
        var guard = candidates.Count + 1;
        while (candidates.Count > 0 && guard-- > 0)
        {
            var r = await RawAsync($"groups {state.Version.Name()}", state.Version, suites, candidates, ct).ConfigureAwait(false);
            if (!r.Accepted || r.Group is null || !candidates.Contains(r.Group.Code)) break;
            _groups.Add(r.Group);
            candidates.Remove(r.Group.Code);
        }
    }

    private async Task FfdheCheckAsync(CancellationToken ct)
    {
        var state = _versions.Values
            .Where(s => s.Supported == true && s.Version is >= TlsVersion.TLSv1_0 and <= TlsVersion.TLSv1_2 && s.Found.Any(f => f.DhBits is not null))
            .OrderByDescending(s => s.Version).FirstOrDefault();
        if (state is null) return;
        var dheSuites = state.Found.Where(f => f.Suite.KeyExchange.IsFiniteFieldDh()).Select(f => f.Suite.Code).ToList();
        var r = await RawAsync($"dh with ffdhe {state.Version.Name()}", state.Version, dheSuites, [.. EcGroups, .. FfdheGroups], ct).ConfigureAwait(false);
        if (!r.Accepted || r.DhBits is not { } withFfdhe) return;
        var chosen = state.Found.FirstOrDefault(f => f.Suite.Code == r.CipherSuite);
        if (chosen?.DhBits is not { } without || without == withFfdhe) return;
        _behaviours.Add(new Behaviour(BehaviourKinds.FfdheChangesDhGroup,
            $"offering FFDHE groups changes the DH prime from {without} to {withFfdhe} bits (measured on {chosen.Suite.Name}; SCHANNEL offers no FFDHE group and gets {without})",
            state.Version));
        foreach (var s in _versions.Values)
            for (var i = 0; i < s.Found.Count; i++)
                if (s.Found[i].Suite.KeyExchange.IsFiniteFieldDh() && s.Found[i].DhBits == without)
                    s.Found[i] = s.Found[i] with { DhBitsWithFfdhe = withFfdhe };
    }

    private async Task FullHandshakesAsync(CancellationToken ct)
    {
        foreach (var state in _versions.Values.Where(s => s.Supported == true && s.Version >= TlsVersion.TLSv1_0).OrderByDescending(s => s.Version))
        {
            var suites = state.Found.Select(f => f.Suite.Code).Where(c => FullHandshakeProbe.CanOffer(c, state.Version)).ToList();
            if (suites.Count == 0)
            {
                state.FullHandshake = new HandshakeCheck(false, FullHandshakeProbe.Stages.Connect, null,
                    Error: "not attempted: none of the accepted suites is implemented by the handshake engine");
                continue;
            }
            // Put the second-found suite first: the server's pick also tells its order, for free.
            if (suites.Count >= 2 && state.ServerOrder is null) (suites[0], suites[1]) = (suites[1], suites[0]);
            Report($"full handshake {state.Version.Name()}");
            var result = await FullHandshakeAsync(state.Version, suites, "full handshake", ct).ConfigureAwait(false);
            if (FailsAfterHello(result, state.Version) && result.CipherSuite is { } dhe && CipherSuites.Get(dhe).KeyExchange.IsFiniteFieldDh())
            {
                // A DHE handshake that fails once at Finished may be the 1-in-256 DH leading-zero case, not a version
                // problem: one more handshake tells the two apart, so the verdict does not depend on luck.
                var again = await FullHandshakeAsync(state.Version, suites, "full handshake (repeat)", ct).ConfigureAwait(false);
                if (again.Check.Completed)
                {
                    _behaviours.Add(new Behaviour(BehaviourKinds.DhLeadingZeroSuspected,
                        $"a {CipherSuites.Get(dhe).Name} handshake failed at Finished with {result.Check.Alert?.Name()} and the next one completed: "
                        + "the signature of the DH leading-zero bug (diagnose proves it with a forced leading zero)", state.Version));
                    result = again;
                }
            }
            var c = result.Check;
            state.FullHandshake = c;
            if (state.ServerOrder is null && suites.Count >= 2 && result.CipherSuite is { } chosen && result.Version == state.Version)
            {
                if (chosen == suites[0]) state.ServerOrder = false;
                else if (chosen == suites[1]) state.ServerOrder = true;
            }
            foreach (var der in result.Certificates) AddCertificate(der);
            if (FailsAfterHello(result, state.Version))
            {
                _behaviours.Add(new Behaviour(BehaviourKinds.HandshakeFailsAfterHello,
                    $"accepts {state.Version.Name()} in ServerHello, then fails the Finished exchange with {c.Alert?.Name()}", state.Version));
            }
        }
    }

    private static bool FailsAfterHello(FullHandshakeResult r, TlsVersion version) =>
        !r.Check.Completed && r.Version == version && r.Check.Stage == FullHandshakeProbe.Stages.Finished && !r.Check.AlertSentByUs
        && r.Check.Alert is AlertDescription.BadRecordMac or AlertDescription.DecryptError or AlertDescription.DecryptionFailed;

    private async Task<FullHandshakeResult> FullHandshakeAsync(TlsVersion version, IReadOnlyList<ushort> suites, string purpose, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        FullHandshakeResult result;
        using (await gate.EnterAsync(target.Host, ct).ConfigureAwait(false))
            result = await FullHandshakeProbe.RunAsync(target, version, suites, options, ct).ConfigureAwait(false);
        var c = result.Check;
        _attempts.Add(new ProbeAttempt(_attempts.Count + 1, $"{purpose} {version.Name()}", $"{version.Name()}, {suites.Count} suites",
            c.Completed ? $"completed with {c.CipherSuite}"
                : $"stopped at {c.Stage}{(c.Alert is { } al ? $", {(c.AlertSentByUs ? "sent" : "received")} {al.Name()}" : "")}{(c.Error is { } er ? $" ({er})" : "")}",
            clock.ElapsedMilliseconds) { Failure = result.Failure });
        return result;
    }

    private async Task OrderChecksAsync(CancellationToken ct)
    {
        foreach (var state in _versions.Values.Where(s => s.Supported == true && s.ServerOrder is null && s.Found.Count >= 2 && s.Version != TlsVersion.SSLv2))
        {
            var first = state.Found[0].Suite.Code;
            var second = state.Found[1].Suite.Code;
            var r = await RawAsync($"order {state.Version.Name()}", state.Version, [second, first], null, ct).ConfigureAwait(false);
            if (r.Accepted && r.CipherSuite == second) state.ServerOrder = false;
            else if (r.Accepted && r.CipherSuite == first) state.ServerOrder = true;
        }
    }

    private async Task Sslv2Async(CancellationToken ct)
    {
        var kinds = Sslv2CipherKinds.All.Select(k => k.Code).ToArray();
        var hello = Sslv2.BuildClientHello(kinds, "TlsDoctorSslv2Ch"u8);
        var clock = Stopwatch.StartNew();
        HelloResponse r;
        using (await gate.EnterAsync(target.Host, ct).ConfigureAwait(false))
            r = await RawHelloProbe.SendSslv2Async(target, hello, options, ct).ConfigureAwait(false);
        var state = _versions[TlsVersion.SSLv2];
        state.Supported = r.Accepted && r.Version == TlsVersion.SSLv2 && !r.Sslv2CipherKinds.IsDefaultOrEmpty;
        if (state.Supported == true)
        {
            _sslv2Kinds = r.Sslv2CipherKinds;
            foreach (var der in r.Certificates) AddCertificate(der);
        }
        _attempts.Add(new ProbeAttempt(_attempts.Count + 1, "versions: SSLv2", $"SSLv2 CLIENT-HELLO, {kinds.Length} cipher kinds",
            Describe(r), clock.ElapsedMilliseconds) { Failure = r.ErrorKind });
    }

    /// <summary>Sends a hello shaped for enumeration and folds the answer into the version states.</summary>
    private async Task<HelloResponse> HelloAsync(string purpose, TlsVersion max, IEnumerable<ushort> suites, CancellationToken ct)
    {
        var offer = suites.ToList();
        var r = await RawAsync(purpose, max, offer, null, ct).ConfigureAwait(false);
        Absorb(max, offer, r);
        return r;
    }

    private async Task<HelloResponse> RawAsync(string purpose, TlsVersion max, IReadOnlyList<ushort> suites, IReadOnlyList<ushort>? groups, CancellationToken ct)
    {
        var spec = BuildSpec(max, suites, groups);
        var record = ClientHelloBuilder.BuildRecord(spec);
        if (_shape == Shape.Full) LastHelloSize.big = record.Length; else LastHelloSize.small = record.Length;
        var clock = Stopwatch.StartNew();
        HelloResponse r;
        using (await gate.EnterAsync(target.Host, ct).ConfigureAwait(false))
            r = await RawHelloProbe.SendAsync(target, record, options, ct).ConfigureAwait(false);
        if (r.Accepted && r.Version is { } v && v <= TlsVersion.TLSv1_2 && max != TlsVersion.SSLv3) _renegotiationInfo ??= r.RenegotiationInfo;
        if (r.Accepted && !r.Certificates.IsDefaultOrEmpty) foreach (var der in r.Certificates) AddCertificate(der);
        _attempts.Add(new ProbeAttempt(_attempts.Count + 1, purpose,
            $"{max.Name()}, {suites.Count} suites{(groups is null ? "" : $", {groups.Count} groups")}, {record.Length} bytes", Describe(r), clock.ElapsedMilliseconds) { Failure = r.ErrorKind });
        return r;
    }

    private static string Describe(HelloResponse r) => r.Outcome switch
    {
        HelloOutcome.ServerHello when r.Version == TlsVersion.SSLv2 => $"SSLv2 SERVER-HELLO with {r.Sslv2CipherKinds.Length} cipher kinds",
        HelloOutcome.ServerHello => $"{(r.HelloRetry ? "HelloRetryRequest" : "ServerHello")} {r.Version?.Name()} {CipherSuites.Get(r.CipherSuite ?? 0).Name}"
            + (r.DhBits is { } d ? $", DH {d} bits" : "") + (r.Group is { } g ? $", {g.Name}" : "")
            + (r.AlertAfterHello is { } a ? $", then {a}" : "") + (r.Error is { } e ? $" ({e})" : ""),
        HelloOutcome.Alert => r.Alert?.ToString() ?? "alert",
        _ => r.Error ?? r.Outcome.ToString(),
    };

    private ClientHelloSpec BuildSpec(TlsVersion max, IReadOnlyList<ushort> suites, IReadOnlyList<ushort>? groups)
    {
        var list = suites.ToList();
        var tls13Only = max == TlsVersion.TLSv1_3 && list.All(IsTls13Suite);
        if (!tls13Only) list.Add(CipherSuites.EmptyRenegotiationInfoScsv);
        var spec = new ClientHelloSpec
        {
            LegacyVersion = max >= TlsVersion.TLSv1_2 ? (ushort)0x0303 : (ushort)max,
            CipherSuites = [.. list],
        };
        if (max == TlsVersion.SSLv3 || _shape == Shape.NoExtensions) return spec with { NoExtensions = true };
        var small = _shape == Shape.Small;
        spec = spec with
        {
            ServerName = _sni,
            SupportedGroups = groups is null ? (tls13Only ? AllGroups : small ? [0x001D, 0x0017, 0x0018, 0x0019] : EcGroups) : [.. groups],
            EcPointFormats = true,
            SignatureAlgorithms = max >= TlsVersion.TLSv1_2 ? (small ? [0x0401, 0x0501, 0x0201, 0x0403, 0x0503, 0x0203, 0x0804, 0x0601] : SignatureAlgorithms) : null,
            ExtendedMasterSecret = !small,
        };
        if (max == TlsVersion.TLSv1_3)
        {
            spec = spec with
            {
                SupportedVersions = tls13Only ? [0x0304] : [0x0304, 0x0303, 0x0302, 0x0301],
                // An empty key_share makes a TLS 1.3 server answer with a HelloRetryRequest that names suite and group.
                KeyShares = ImmutableArray<Wire.KeyShareEntry>.Empty,
                SignatureAlgorithms = SignatureAlgorithms,
            };
        }
        // Hellos of 256-511 bytes hang some load balancers and old stacks; RFC 7685 padding steps over them.
        var size = ClientHelloBuilder.MeasureHandshake(spec);
        if (!small && size is >= 256 and < 512) spec = spec with { PadToLength = 512 };
        return spec;
    }

    private static bool IsTls13Suite(ushort code) => CipherSuites.Get(code).ValidIn(TlsVersion.TLSv1_3);

    private void Absorb(TlsVersion maxOffered, IReadOnlyList<ushort> offered, HelloResponse r)
    {
        if (!r.Accepted || r.Version is not { } v) return;
        if (!TlsVersions.IsKnown((ushort)v) || v > maxOffered || v == TlsVersion.SSLv2)
        {
            _behaviours.Add(new Behaviour(BehaviourKinds.ProtocolViolation, $"answered a {maxOffered.Name()} hello with version {v.Name()}"));
            return;
        }
        var state = _versions[v];
        state.Supported = true;
        if (v < maxOffered || v == TlsVersion.TLSv1_3) _negotiatesVersions = true;
        // The server picked v although it was offered more: everything between v and the offer is absent.
        foreach (var other in _versions.Values.Where(s => s.Version > v && s.Version <= maxOffered && s.Version != TlsVersion.SSLv2))
            if (!(maxOffered == TlsVersion.TLSv1_3 && other.Version == TlsVersion.TLSv1_3 && _shape != Shape.Full))
                other.Supported ??= false;

        if (r.CipherSuite is not { } code) return;
        if (!offered.Contains(code))
        {
            _behaviours.Add(new Behaviour(BehaviourKinds.ProtocolViolation,
                $"chose {CipherSuites.Get(code).Name} ({CipherSuites.Get(code).Hex}), which was not offered", v));
            state.Exhausted = true;
            return;
        }
        if (!state.Remaining.Contains(code)) return; // already known
        var suite = CipherSuites.Get(code);
        // Proof of server order: it passed over a suite we listed earlier that it also accepts (found later).
        state.Remaining.Remove(code);
        state.Found.Add(new AcceptedSuite(suite, suite.KeyExchange.IsFiniteFieldDh() ? r.DhBits : null, null, r.Group));
        if (r.Group is not null && state.FirstGroup is null && (v != TlsVersion.TLSv1_3 || offered.All(IsTls13Suite)))
            state.FirstGroup = r.Group;
        _offerPositions[(v, code)] = offered.ToList();
        if (state.ServerOrder is null) state.ServerOrder = ProveServerOrder(state);
    }

    private readonly Dictionary<(TlsVersion, ushort), List<ushort>> _offerPositions = new();

    // True when some suite found later was listed before an earlier pick in that pick's offer; null when nothing is proven yet.
    private bool? ProveServerOrder(VersionState state)
    {
        for (var i = 0; i < state.Found.Count; i++)
        {
            var offer = _offerPositions[(state.Version, state.Found[i].Suite.Code)];
            var pickPos = offer.IndexOf(state.Found[i].Suite.Code);
            for (var j = i + 1; j < state.Found.Count; j++)
            {
                var pos = offer.IndexOf(state.Found[j].Suite.Code);
                if (pos >= 0 && pos < pickPos) return true;
            }
        }
        return null;
    }

    private void AddCertificate(byte[] der)
    {
        if (!_certificates.Any(c => c.AsSpan().SequenceEqual(der))) _certificates.Add(der);
    }

    private void Report(string step) => progress?.Report(new ScanProgress(target, step, Handshakes));

    public ServerProfile BuildProfile()
    {
        var protocols = ImmutableArray.CreateBuilder<ProtocolSupport>();
        foreach (var v in TlsVersions.All)
        {
            var s = _versions[v];
            if (v == TlsVersion.SSLv2)
            {
                protocols.Add(s.Supported == true
                    ? new ProtocolSupport(v, true, null, [.. _sslv2Kinds.Select(k => new AcceptedSuite(Sslv2CipherKinds.Get(k).AsSuite()))])
                    : ProtocolSupport.NotSupported(v));
                continue;
            }
            protocols.Add(new ProtocolSupport(v, s.Supported == true, s.Found.Count >= 2 ? s.ServerOrder : null, [.. s.Found], s.FullHandshake));
        }

        var behaviours = _behaviours.ToList();
        if (_renegotiationInfo is { } reneg)
            behaviours.Add(reneg
                ? new Behaviour(BehaviourKinds.SecureRenegotiation, "ServerHello carries renegotiation_info (RFC 5746)")
                : new Behaviour(BehaviourKinds.NoSecureRenegotiation, "ServerHello lacks renegotiation_info although the client sent the SCSV (RFC 5746)"));

        var certs = ImmutableArray.CreateBuilder<CertificateInfo>();
        foreach (var der in _certificates)
        {
            var info = CertificateInfo.TryFromDer(der, out var err);
            if (info is not null) certs.Add(info);
            else behaviours.Add(new Behaviour("undecodable-certificate", $"a certificate could not be decoded: {err}"));
        }
        return new ServerProfile(protocols.ToImmutable(), [.. _groups], [], certs.ToImmutable(), [.. behaviours]);
    }

}
