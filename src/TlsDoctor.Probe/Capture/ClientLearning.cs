using System.Collections.Immutable;
using TlsDoctor.Core;

namespace TlsDoctor.Probe.Capture;

/// <summary>What one `listen --learn` connection asks the device.</summary>
public enum LearnQuestion
{
    /// <summary>Answer one version below the last one the device accepted: does it continue, or send protocol_version / close?</summary>
    LowerVersion,
    /// <summary>Present the next certificate of the ladder.</summary>
    Certificate,
    /// <summary>Serve the suite (and version, and DH size) the modelled Terminal Server would choose.</summary>
    TerminalServerSuite,
}

/// <summary>The Terminal Server the suite check imitates: its name and its inbound (SCHANNEL server) profile.</summary>
public sealed record TerminalServerModel(string Name, ServerProfile Server);

/// <summary>What the listener answers on one learning connection.</summary>
public sealed record LearnStep(LearnQuestion Question, ProbeCertificate Certificate, ServeRestrictions Restrictions, string Why);

/// <summary>One learning exchange, kept as evidence: what we answered, what the device did, and what it shows.</summary>
/// <param name="Verdict">accepted, rejected, inconclusive (silence or a failure that says nothing), not-applicable.</param>
public sealed record LearnExchange(int Connection, LearnQuestion Question, TlsVersion? AnsweredVersion, string? AnsweredSuite, CertificateProbeAttempt Result, string Verdict, string Shows);

/// <summary>
/// Everything `listen --learn` knows about one device: every exchange, the limits (each observed or assumed), the
/// connections still needed, and the learned client profile.
/// </summary>
public sealed record ClientLearning(
    string Device,
    ImmutableArray<LearnExchange> Exchanges,
    ImmutableArray<ClientLimit> Limits,
    int ConnectionsNeeded,
    bool Complete,
    ClientProfile Profile,
    string Explanation);

/// <summary>JSON spellings of the learning vocabulary.</summary>
public static class LearnNames
{
    /// <summary>lower-version, certificate, terminal-server-suite.</summary>
    public static string Name(this LearnQuestion q) => q switch
    {
        LearnQuestion.LowerVersion => "lower-version",
        LearnQuestion.Certificate => "certificate",
        _ => "terminal-server-suite",
    };
}

/// <summary>
/// The learning state of one device (one remote address), driven by the listener under its lock: hands out the next
/// question, records each exchange, and folds them into limits. A question handed out and not answered (silence,
/// reset) is asked again once; after that its limit stays assumed.
/// </summary>
public sealed class DeviceLearning
{
    private const int MaxTries = 2;
    private readonly ImmutableArray<ProbeCertificate> _ladder;
    private readonly TerminalServerModel? _server;
    private readonly List<LearnExchange> _exchanges = [];
    private readonly Dictionary<string, int> _tries = [];
    private readonly HashSet<string> _pending = [];
    private readonly List<CertificateProbeAttempt> _certificates = [];
    private readonly List<TlsVersion> _versionCandidates;
    private TlsVersion? _lowestAccepted;
    private (TlsVersion Version, int Connection, string What)? _rejected;
    private (int Connection, string Text)? _lowestEvidence;
    private LearnExchange? _suiteResult;
    private string? _suiteUntestable;

    public DeviceLearning(string device, ClientHelloFacts hello, ClientProfile helloProfile, ImmutableArray<ProbeCertificate> ladder, TerminalServerModel? server)
    {
        Device = device;
        Hello = hello;
        HelloProfile = helloProfile;
        _ladder = ladder;
        _server = server;
        var max = helloProfile.MaxVersion ?? TlsVersion.TLSv1_0;
        // A supported_versions list states every version; without it, every version below the maximum down to TLS 1.0
        // (BouncyCastle serves no SSLv3) is a question.
        _versionCandidates = hello.Has(Wire.ExtensionType.SupportedVersions) || hello.Format == HelloFormat.Sslv2 && hello.LegacyVersion == 0x0002
            ? []
            : [.. TlsVersions.All.Where(v => v >= TlsVersion.TLSv1_0 && v < max).OrderDescending()];
        for (var i = 0; i < _ladder.Length; i++)
            if (!CertificateProbe.IsApplicable(_ladder[i], hello))
            {
                var c = _ladder[i];
                _certificates.Add(new CertificateProbeAttempt(null, c.Label, c.Info.KeyAlgorithm, c.Info.KeyBits, c.Info.SignatureAlgorithm, c.Info.Sha256,
                    CertificateVerdict.NotApplicable, null, false, false, null, null, "the device offers no cipher suite or version usable with this certificate"));
            }
    }

    public string Device { get; }
    public ClientHelloFacts Hello { get; }
    public ClientProfile HelloProfile { get; }

    /// <summary>Every certificate verdict so far (ladder and other learning connections), for the certificate summary.</summary>
    public IReadOnlyList<CertificateProbeAttempt> Certificates => _certificates;

    private TlsVersion Max => HelloProfile.MaxVersion ?? TlsVersion.TLSv1_0;

    private IEnumerable<TlsVersion> OpenVersions => _rejected is not null ? []
        : _versionCandidates.Where(v => (_lowestAccepted is null || v < _lowestAccepted) && Tries("v" + v) < MaxTries);

    private bool CertificateSettled(ProbeCertificate c) =>
        _certificates.Any(a => a.Certificate == c.Label && (a.Verdict != CertificateVerdict.Error || a.Connection is null)) || Tries("c" + c.Label) >= MaxTries;

    private IEnumerable<ProbeCertificate> OpenCertificates => _ladder.Where(c => !CertificateSettled(c));

    private bool SuiteOpen => _server is not null && _suiteResult is null && _suiteUntestable is null && Tries("s") < MaxTries;

    /// <summary>Upper bound of the connections still needed.</summary>
    public int ConnectionsNeeded => (OpenVersions.Any() ? OpenVersions.Count() : 0) + OpenCertificates.Count() + (SuiteOpen ? 1 : 0) - _pending.Count;

    /// <summary>True when every question is settled (or given up).</summary>
    public bool Complete => !OpenVersions.Any() && !OpenCertificates.Any() && !SuiteOpen && _pending.Count == 0;

    private int Tries(string key) => _tries.GetValueOrDefault(key);

    /// <summary>The next question, or null when nothing is left (the connection is then refused).</summary>
    public LearnStep? Next()
    {
        // Versions are asked one at a time, highest first: the first refusal settles the minimum.
        var open = OpenVersions.ToList();
        if (open.Count > 0 && !_pending.Contains("v" + open[0]))
        {
            var version = open[0];
            var cert = OpenCertificates.FirstOrDefault(c => CertificateProbe.IsApplicable(c, Hello)) ?? _ladder[0];
            return Take("v" + version, new LearnStep(LearnQuestion.LowerVersion, cert, new ServeRestrictions(version, null, null),
                $"answering {version.Name()}, one below {(_lowestAccepted ?? Max).Name()}: does the device continue?"));
        }
        foreach (var c in OpenCertificates.Where(c => !_pending.Contains("c" + c.Label)))
            return Take("c" + c.Label, new LearnStep(LearnQuestion.Certificate, c, new ServeRestrictions(null, null, null), $"presenting {c.Label}"));
        if (OpenCertificates.Any() || !SuiteOpen || _pending.Contains("s")) return null;
        return SuiteStep() is { } s ? Take("s", s) : null;
    }

    private LearnStep Take(string key, LearnStep step)
    {
        _tries[key] = Tries(key) + 1;
        _pending.Add(key);
        return step;
    }

    // The suite, version and DH size the modelled Terminal Server picks for this device, served with the strongest
    // certificate the device processed: the certificate verdicts are already known, this asks about the key exchange.
    private LearnStep? SuiteStep()
    {
        var learned = LearnedProfile() with { AcceptedCertificateHashes = [], AcceptedCertificateKeys = [], RsaMaxBits = null, TrustedCertificates = null };
        var outcome = Negotiator.Simulate(learned, _server!.Server);
        if (outcome.Version is not { } v || outcome.CipherSuite is not { } suite)
        {
            _suiteUntestable = $"the modelled {_server.Name} would not choose a suite for this device ({outcome.Reason?.Name()}: {outcome.Explanation})";
            return null;
        }
        var processed = _certificates.Where(a => a.Verdict is CertificateVerdict.Accepted or CertificateVerdict.Untrusted).Select(a => a.Certificate).ToHashSet();
        var want = suite.Authentication == Authentication.ECDSA;
        var cert = _ladder.FirstOrDefault(c => c.IsEc == want && processed.Contains(c.Label)) ?? _ladder.FirstOrDefault(c => c.IsEc == want);
        if (cert is null || !CertificateProbe.ServedSuites(cert).Contains(suite.Code) && v != TlsVersion.TLSv1_3)
        {
            _suiteUntestable = $"the listener cannot serve {suite.Name}, which the modelled {_server.Name} would choose";
            return null;
        }
        int? dh = suite.KeyExchange == KeyExchange.DHE ? outcome.KeyExchangeBits : null;
        return new LearnStep(LearnQuestion.TerminalServerSuite, cert, new ServeRestrictions(v, [suite.Code], dh),
            $"serving {suite.Name} in {v.Name()}{(dh is { } b ? $" with a {b}-bit DH group" : "")}, as the modelled {_server.Name} would");
    }

    /// <summary>Records what the device did on a learning connection.</summary>
    public LearnExchange Record(int connection, LearnStep step, CertificateProbeAttempt result)
    {
        var key = step.Question switch
        {
            LearnQuestion.LowerVersion => "v" + step.Restrictions.Version,
            LearnQuestion.Certificate => "c" + step.Certificate.Label,
            _ => "s",
        };
        _pending.Remove(key);
        var gotPastHello = PastServerHello(result);
        if (gotPastHello && step.Question != LearnQuestion.TerminalServerSuite || step.Question == LearnQuestion.Certificate) _certificates.Add(result);
        string verdict, shows;
        switch (step.Question)
        {
            case LearnQuestion.LowerVersion:
                (verdict, shows) = RecordVersion(connection, step.Restrictions.Version!.Value, result, gotPastHello);
                break;
            case LearnQuestion.Certificate:
                verdict = result.Verdict == CertificateVerdict.Error ? "inconclusive" : ListenJsonMapper.VerdictName(result.Verdict);
                shows = result.Detail;
                break;
            default:
                verdict = result.Verdict switch
                {
                    CertificateVerdict.Accepted => "accepted",
                    CertificateVerdict.Untrusted => "accepted",
                    CertificateVerdict.NotApplicable => "not-applicable",
                    CertificateVerdict.Error when result.TimedOut => "inconclusive",
                    _ => "rejected",
                };
                shows = verdict == "accepted"
                    ? $"the device completes the key exchange with {result.CipherSuite} in {result.Version?.Name()}{(result.Verdict == CertificateVerdict.Untrusted ? " up to its trust check (unknown_ca)" : "")}"
                    : $"the device does not complete {SuiteName(step) ?? "the suite"}: {result.Detail}";
                break;
        }
        var exchange = new LearnExchange(connection, step.Question, step.Restrictions.Version ?? result.Version,
            result.CipherSuite ?? SuiteName(step), result, verdict, shows);
        if (step.Question == LearnQuestion.TerminalServerSuite && verdict != "inconclusive") _suiteResult = exchange;
        _exchanges.Add(exchange);
        return exchange;
    }

    // The server's first flight (ServerHello, Certificate, …) goes out before the device answers, so "the certificate
    // was sent" says nothing. The device's answer does: protocol_version, handshake_failure or a bare close is a refusal
    // of the ServerHello; a certificate alert (bad_certificate, unknown_ca, …) or a completed handshake means it took it.
    private static bool PastServerHello(CertificateProbeAttempt r) =>
        r.Verdict is CertificateVerdict.Accepted or CertificateVerdict.Untrusted
        || r.Verdict == CertificateVerdict.Rejected && r.AlertSentByDevice && r.Alert is not (AlertDescription.ProtocolVersion or AlertDescription.HandshakeFailure);

    private static string? SuiteName(LearnStep step) =>
        step.Restrictions.Suites is { Length: > 0 } only ? CipherSuites.Get((ushort)only[0]).Name : null;

    private (string Verdict, string Shows) RecordVersion(int connection, TlsVersion v, CertificateProbeAttempt r, bool accepted)
    {
        if (accepted)
        {
            _lowestAccepted = v;
            _lowestEvidence = (connection, $"connection {connection}: answered {v.Name()}, the device continued the handshake");
            return ("accepted", $"the device accepts {v.Name()}");
        }
        if (r.Verdict == CertificateVerdict.NotApplicable)
        {
            _rejected = (v, connection, $"it offers no cipher suite usable in {v.Name()}");
            return ("rejected", $"the device offers no cipher suite usable in {v.Name()}");
        }
        if (r.TimedOut || r.Alert is null && r.Detail.Contains("timed out", StringComparison.OrdinalIgnoreCase))
            return ("inconclusive", $"the device went silent after a {v.Name()} ServerHello: asked again on its next connection");
        var what = r.Alert is { } a ? $"sent {a.Name()}" : "closed the connection";
        _rejected = (v, connection, what);
        return ("rejected", $"the device {what} on a {v.Name()} ServerHello: it does not accept {v.Name()}");
    }

    /// <summary>The profile with everything learned so far applied, each limit marked observed or assumed.</summary>
    public ClientProfile LearnedProfile()
    {
        var p = HelloProfile;
        var limits = p.Limits.IsDefault ? [] : p.Limits;
        if (_rejected is not null || _versionCandidates.Count > 0 && _lowestAccepted == _versionCandidates[^1])
        {
            var min = _rejected is { } r ? TlsVersions.All.Where(x => x > r.Version && x <= Max).DefaultIfEmpty(Max).Min() : _lowestAccepted!.Value;
            var source = _rejected is { } rj
                ? $"connection {rj.Connection}: answered {rj.Version.Name()}, the device {rj.What}" + (_lowestEvidence is { } e ? $"; {e.Text}" : "")
                : $"{_lowestEvidence!.Value.Text} (TLS 1.0 is the lowest the listener can answer; SSLv3 was not tried)";
            p = p with { Versions = [.. p.Versions.Where(x => x >= min)] };
            p = p.WithLimit(new ClientLimit(ClientLimits.MinVersion, min.Name(), LimitBasis.Observed, source));
        }
        var tried = _certificates.Where(a => a.Connection is not null && a.Verdict != CertificateVerdict.Error).ToList();
        if (tried.Count > 0)
        {
            var summary = CertificateProbeSummary.From(_certificates);
            p = summary.ApplyTo(p);
            var connections = string.Join(", ", tried.Select(a => $"{a.Connection}: {a.Certificate} {ListenJsonMapper.VerdictName(a.Verdict)}"));
            var hashes = !summary.AcceptedCertificateHashes.IsEmpty ? string.Join(", ", summary.AcceptedCertificateHashes)
                : tried.Any(a => a.Verdict is CertificateVerdict.Accepted or CertificateVerdict.Untrusted) ? "any tried" : null;
            if (hashes is not null) p = p.WithLimit(new ClientLimit(ClientLimits.CertificateHashes, hashes, LimitBasis.Observed, $"certificate ladder (connection {connections})"));
            if (summary.RsaMaxBits is { } bits) p = p.WithLimit(new ClientLimit(ClientLimits.RsaMaxBits, bits.ToString(System.Globalization.CultureInfo.InvariantCulture), LimitBasis.Observed, $"certificate ladder (connection {connections})"));
            if (!summary.AcceptedCertificateKeys.IsEmpty) p = p.WithLimit(new ClientLimit(ClientLimits.CertificateKeys, string.Join(", ", summary.AcceptedCertificateKeys), LimitBasis.Observed, $"certificate ladder (connection {connections})"));
            if (summary.ChecksTrust is { } t) p = p.WithLimit(new ClientLimit(ClientLimits.ChecksTrust, t ? "yes" : "no", LimitBasis.Observed, $"certificate ladder (connection {connections})"));
        }
        if (_suiteResult is { } s)
            p = p.WithLimit(new ClientLimit(ClientLimits.TerminalServerSuite, s.Verdict == "accepted" ? $"completes with {s.AnsweredSuite} in {s.AnsweredVersion?.Name()}" : $"fails with {s.AnsweredSuite}",
                LimitBasis.Observed, $"connection {s.Connection}: {s.Shows}"));
        else if (_server is not null)
            p = p.WithLimit(new ClientLimit(ClientLimits.TerminalServerSuite, "not tested", LimitBasis.Assumed, _suiteUntestable ?? $"the suite the modelled {_server.Name} would choose was not served yet"));
        if (_suiteResult is { Verdict: "accepted", Result.CipherSuite: { } cs } ok && CipherSuites.TryParse(cs, out var served) && served.KeyExchange == KeyExchange.DHE
            && ok.Question == LearnQuestion.TerminalServerSuite && p.Limit(ClientLimits.DhMaxBits) is { Basis: LimitBasis.Assumed })
            p = p.WithLimit(new ClientLimit(ClientLimits.DhMaxBits, "accepts the Terminal Server's DH group", LimitBasis.Observed, $"connection {ok.Connection}: {ok.Shows}")) with { DhMaxBits = null };
        return p;
    }

    /// <summary>The state as a result record.</summary>
    public ClientLearning Summary()
    {
        var profile = LearnedProfile();
        var needed = Math.Max(0, ConnectionsNeeded);
        var assumed = profile.Limits.Where(l => l.Basis == LimitBasis.Assumed).Select(l => l.Name).ToList();
        var text = Complete
            ? $"learned from {_exchanges.Count} connection(s); {(assumed.Count == 0 ? "every limit observed" : "still assumed: " + string.Join(", ", assumed))}"
            : $"{_exchanges.Count} learning connection(s) so far; the device must connect up to {needed} more time(s) to settle {string.Join(", ", assumed)}";
        return new ClientLearning(Device, [.. _exchanges], profile.Limits, needed, Complete, profile, text);
    }
}
