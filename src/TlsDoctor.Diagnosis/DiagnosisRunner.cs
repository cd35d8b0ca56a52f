using System.Collections.Immutable;
using System.Security.Authentication;
using TlsDoctor.Core;
using TlsDoctor.Probe;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Diagnosis;

/// <summary>What to diagnose and how gently.</summary>
public sealed record DiagnoseOptions
{
    /// <summary>Outbound to a device (its HTTPS port).</summary>
    public ProbeTarget? Device { get; init; }
    /// <summary>Outbound to the payment service.</summary>
    public ProbeTarget? Payment { get; init; }
    /// <summary>Inbound: the device's captured ClientHello as a profile (see <see cref="ClientProfileJsonLoader"/>).</summary>
    public ClientProfile? ClientHello { get; init; }
    /// <summary>Name of the capture file, for findings.</summary>
    public string? ClientHelloOrigin { get; init; }
    /// <summary>The Terminal Server's inbound endpoint, scanned for its real certificate.</summary>
    public ProbeTarget? Server { get; init; }
    /// <summary>How the Windows side is described (--os, --updates, --reg, --dotnet, --product-setting).</summary>
    public PolicyOptions Policy { get; init; } = new();
    /// <summary>A Windows side built beforehand (overrides <see cref="Policy"/>).</summary>
    public WindowsSide? Windows { get; init; }
    public ProbeOptions Probe { get; init; } = ProbeOptions.Default;
    /// <summary>Run the deterministic DH leading-zero proof against a device that negotiates DHE.</summary>
    public bool ProveLeadingZero { get; init; } = true;
    /// <summary>Random-mode DHE handshakes to run against the device (0 = none).</summary>
    public int DhStress { get; init; }
    /// <summary>Clock for certificate validity; null = now.</summary>
    public DateTimeOffset? Now { get; init; }
    /// <summary>
    /// On Windows, when the policy is this machine's own (read from its registry), check the model with one real
    /// SCHANNEL handshake per outbound target (SslStream).
    /// </summary>
    public bool SelfCheck { get; init; } = true;
    /// <summary>The real handshake of the self-check; null = SslStream on Windows, none elsewhere (tests inject outcomes).</summary>
    public Func<ProbeTarget, SslProtocols, TimeSpan, CancellationToken, Task<SystemHandshakeResult>>? Handshake { get; init; }
    /// <summary>Where the CLI writes remedy files (the runner itself writes nothing; see <see cref="RemedyWriter"/>).</summary>
    public string? OutDirectory { get; init; }
}

/// <summary>The bad input a diagnosis cannot start with.</summary>
public sealed class DiagnoseInputException(string message) : InputException(message);

/// <summary>
/// Runs a diagnosis: probes the endpoints, models the Windows side, simulates each direction, applies every rule and
/// re-simulates each remedy. Prints nothing; returns an immutable report.
/// </summary>
public sealed class DiagnosisRunner
{
    /// <summary>The rules, one per cause, in catalogue order.</summary>
    public static ImmutableArray<IFindingRule> Rules { get; } =
    [
        new WeakDhRule(), new BrokenDhRule(), new Tls12IntoleranceRule(), new Sha512UnpatchedRule(), new NoCommonProtocolRule(),
        new UntrustedCertificateRule(), new UnsupportedCertificateRule(), new NoCommonCipherSuiteRule(), new NoCommonGroupRule(),
        new DhTooLargeRule(), new CertificateExpiredRule(), new CertificateNameMismatchRule(), new LegacyOnlyRule(), new Tls13OnlyRule(),
        new DotNetNoTls12Rule(),
    ];

    /// <summary>Every rule applied to one direction, then the catalogue's precedence (<see cref="Findings.Precedence"/>).</summary>
    public static IEnumerable<Finding> Analyze(DiagnosisContext ctx)
    {
        var found = Findings.ApplyPrecedence([.. Rules.SelectMany(r => r.Analyze(ctx))]).ToList();
        // Never "no findings" beside a handshake the model says fails: the failure itself is the finding, unless a
        // finding already names its reason (a warning resting on an assumption) or another error is reported.
        if (ctx.Outcome is { Healthy: false, Reason: { } reason }
            && !found.Any(f => f.Severity == Severity.Error || f.Descriptor.Reasons.Contains(reason)))
            found.Add(UnexplainedFailureRule.Report(ctx));
        return found;
    }

    /// <summary>
    /// Applies the catalogue to an already known endpoint profile (a stored scan, a fleet inventory): no network.
    /// </summary>
    public static ImmutableArray<Finding> AnalyzeOutbound(WindowsSide windows, ServerProfile server, string target, Direction direction = Direction.OutboundDevice,
        DateTimeOffset? now = null, string? host = null)
    {
        var client = windows.Policy.ToClientProfile();
        var negotiation = direction == Direction.OutboundPayment ? new NegotiationOptions(now ?? DateTimeOffset.UtcNow) : NegotiationOptions.Default;
        var ctx = new DiagnosisContext
        {
            Direction = direction, Target = target, Windows = windows, Client = client, Server = server,
            Outcome = Negotiator.Simulate(client, server, negotiation), Options = negotiation, Host = host,
        };
        return [.. Analyze(ctx)];
    }

    /// <summary>
    /// Diagnoses. Throws <see cref="DiagnoseInputException"/> when there is nothing to diagnose, and the policy input
    /// exceptions of <see cref="WindowsSide.Build"/>; network trouble is reported in the result, never thrown.
    /// </summary>
    public async Task<DiagnosisReport> RunAsync(DiagnoseOptions options, IProgress<DiagnosisProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Device is null && options.Payment is null && options.ClientHello is null)
            throw new DiagnoseInputException("nothing to diagnose: give --device, --payment or --client-hello");
        if (options.DhStress is < 0 or > 100_000) throw new DiagnoseInputException("--dh-stress must be 0-100000");
        var run = new Run(options, progress, options.Now ?? DateTimeOffset.UtcNow);
        progress?.Report(new DiagnosisProgress("modelling the Windows side"));
        var windows = options.Windows ?? WindowsSide.Build(options.Policy);
        run.Assumptions.AddRange(windows.AllAssumptions);

        var scanner = new TlsScanner(options.Probe);
        var deviceScan = await run.ScanAsync(scanner, options.Device, "device", ct).ConfigureAwait(false);
        var paymentScan = await run.ScanAsync(scanner, options.Payment, "payment service", ct).ConfigureAwait(false);
        var serverScan = await run.ScanAsync(scanner, options.Server, "Terminal Server", ct).ConfigureAwait(false);
        var (proof, deviceProfile) = await ProveAsync(options, scanner, deviceScan, progress, ct).ConfigureAwait(false);

        // The Terminal Server is assumed to accept any device certificate (devices are self-signed); .NET checks the payment service's dates.
        run.Outbound(windows, deviceScan, deviceProfile, Direction.OutboundDevice, NegotiationOptions.Default, proof);
        run.Outbound(windows, paymentScan, null, Direction.OutboundPayment, new NegotiationOptions(run.Now), null);
        if (deviceScan is not null) run.Assumptions.Add(new("device-certificate-not-validated", "The Terminal Server is assumed to accept the device's certificate whatever its issuer and dates (devices use self-signed certificates); only the key exchange and signature algorithms are simulated."));
        if (options.ClientHello is { } capture) run.Inbound(windows, capture, serverScan);
        foreach (var c in run.Contexts) c.Others = [.. run.Contexts.Where(o => o != c && o.Outbound)];
        var checks = await CheckModelAsync(options, run.Contexts, windows, progress, ct).ConfigureAwait(false);

        progress?.Report(new DiagnosisProgress("applying the findings catalogue"));
        var findings = run.Contexts.SelectMany(Analyze).ToList();
        var probes = new List<ProbeSummary>();
        if (Summary(deviceScan, EndpointRole.Device, (proof?.Handshakes.Length ?? 0) + (proof?.StressHandshakes ?? 0)) is { } d) probes.Add(d);
        if (Summary(paymentScan, EndpointRole.Payment) is { } p) probes.Add(p);
        if (Summary(serverScan, EndpointRole.Server) is { } s) probes.Add(s);

        return new DiagnosisReport(
            windows.Describe(),
            [.. NotScanned(deviceScan, EndpointRole.Device), .. NotScanned(paymentScan, EndpointRole.Payment), .. NotScanned(serverScan, EndpointRole.Server)],
            // A disagreement between the model and SCHANNEL comes first: every other finding rests on the model.
            [.. checks.Where(c => c.IsMismatch).Select(ModelChecks.Finding), .. findings.OrderByDescending(f => f.Severity).ThenBy(f => f.Id, StringComparer.Ordinal)],
            [.. run.Assumptions.DistinctBy(a => a.Id)],
            [.. probes],
            [.. run.Contexts.Select(c => new DirectionOutcome(c.Direction, c.Target, c.Client.Name, c.Outbound ? c.Target : "Terminal Server inbound", c.Outcome))],
            proof is null ? [] : [proof],
            [.. run.Unreachable],
            run.Now,
            checks);
    }

    /// <summary>
    /// One SslStream handshake per outbound target on Windows, where SslStream is SCHANNEL, when the policy models this
    /// machine (a model of another Windows, --os 2012r2 on a 2022, would differ from this SCHANNEL by design); nothing elsewhere.
    /// </summary>
    private static async Task<ImmutableArray<ModelCheck>> CheckModelAsync(DiagnoseOptions options, List<DiagnosisContext> contexts, WindowsSide windows,
        IProgress<DiagnosisProgress>? progress, CancellationToken ct)
    {
        var handshake = options.Handshake ?? (OperatingSystem.IsWindows() && windows.IsThisMachine ? SystemTlsHandshake.RunAsync : null);
        if (!options.SelfCheck || handshake is null) return [];
        var p = windows.Policy;
        var protocols = SystemTlsHandshake.ProtocolsFor(p.OutboundExplicit.Value ? [.. p.OutboundVersions.Select(v => v.Value)] : []);
        var list = ImmutableArray.CreateBuilder<ModelCheck>();
        foreach (var c in contexts.Where(c => c.Outbound && c.Scan is not null))
        {
            progress?.Report(new DiagnosisProgress($"checking the model: one SCHANNEL handshake with {c.Target}"));
            var live = await handshake(c.Scan!.Target, protocols, options.Probe.ConnectTimeout + options.Probe.ReadTimeout, ct).ConfigureAwait(false);
            list.Add(ModelChecks.Compare(c.Direction, c.Target, c.Outcome, live, ModelChecks.Protocols(p)));
        }
        return list.ToImmutable();
    }

    /// <summary>The leading-zero proof against a reachable device, and the device's profile with the bug added when it is proven.</summary>
    private static async Task<(LeadingZeroProof? Proof, ServerProfile? Device)> ProveAsync(DiagnoseOptions options, TlsScanner scanner,
        ScanResult? deviceScan, IProgress<DiagnosisProgress>? progress, CancellationToken ct)
    {
        var device = deviceScan?.Profile;
        if (deviceScan is not { Reachable: true } || !options.ProveLeadingZero || device is null) return (null, device);
        var proof = await LeadingZeroProver.RunAsync(scanner, deviceScan, device, options.DhStress, progress, ct).ConfigureAwait(false);
        return (proof, LeadingZeroProver.Apply(device, proof));
    }

    // A scan with no TLS answer checked nothing: it must never read as "no findings".
    private static IEnumerable<NotScannedTarget> NotScanned(ScanResult? s, EndpointRole role)
    {
        if (s is null || s.Reachable && s.SpeaksTls) yield break;
        yield return new NotScannedTarget(role, s.Target.ToString(), s.Reachable ? NotScannedReason.NotTls : NotScannedReason.Unreachable,
            s.Error ?? (s.Reachable ? "no TLS answer to any version" : "unreachable"));
    }

    private static ProbeSummary? Summary(ScanResult? s, EndpointRole role, int extra = 0) => s is null ? null
        : new ProbeSummary(role, s.Target.ToString(), s.Reachable, s.Error, [.. s.Profile.SupportedVersions], s.Handshakes + extra, (long)s.Elapsed.TotalMilliseconds);

    /// <summary>What one diagnosis collects while it runs: the directions to judge, assumptions and unreachable targets.</summary>
    private sealed class Run(DiagnoseOptions options, IProgress<DiagnosisProgress>? progress, DateTimeOffset now)
    {
        public DateTimeOffset Now { get; } = now;
        public List<DiagnosisContext> Contexts { get; } = [];
        public List<ReportAssumption> Assumptions { get; } = [];
        public List<string> Unreachable { get; } = [];

        public async Task<ScanResult?> ScanAsync(TlsScanner scanner, ProbeTarget? t, string role, CancellationToken ct)
        {
            if (t is null) return null;
            progress?.Report(new DiagnosisProgress($"scanning the {role} {t}"));
            var scanProgress = new Progress<ScanProgress>(p => progress?.Report(new DiagnosisProgress($"{p.Target}: {p.Step}")));
            return await scanner.ScanAsync(t, scanProgress, ct).ConfigureAwait(false);
        }

        /// <summary>The Terminal Server's outbound client against a scanned device or service.</summary>
        public void Outbound(WindowsSide windows, ScanResult? scan, ServerProfile? profile, Direction direction, NegotiationOptions negotiation, LeadingZeroProof? proof)
        {
            if (scan is null) return;
            if (!scan.Reachable || !scan.SpeaksTls)
            {
                if (!scan.Reachable) Unreachable.Add(scan.Target.ToString());
                return;
            }
            var server = profile ?? scan.Profile;
            var client = windows.Policy.ToClientProfile();
            Contexts.Add(new DiagnosisContext
            {
                Direction = direction,
                Target = scan.Target.ToString(),
                Windows = windows,
                Client = client,
                Server = server,
                Outcome = Negotiator.Simulate(client, server, negotiation),
                Options = negotiation,
                Scan = scan,
                Proof = proof,
                Host = scan.Target.IsAddress ? null : scan.Target.Host,
            });
        }

        /// <summary>A captured device client against the Terminal Server's inbound side (its scanned or assumed certificate).</summary>
        public void Inbound(WindowsSide windows, ClientProfile capture, ScanResult? serverScan)
        {
            var cert = serverScan is { Reachable: true } ? serverScan.Profile.Certificates.FirstOrDefault() : null;
            if (serverScan is { Reachable: false }) Unreachable.Add(serverScan.Target.ToString());
            var assumed = cert is null;
            if (assumed)
            {
                cert = AssumedServerCertificate.At(Now);
                Assumptions.Add(AssumedServerCertificate.Assumption);
            }
            var server = windows.Policy.ToServerProfile(cert);
            var negotiation = new NegotiationOptions(Now);
            Contexts.Add(new DiagnosisContext
            {
                Direction = Direction.InboundDevice,
                Target = options.ClientHelloOrigin ?? capture.Name,
                Windows = windows,
                Client = capture,
                Server = server,
                Outcome = Negotiator.Simulate(capture, server, negotiation),
                Options = negotiation,
                Scan = serverScan,
                ServerCertificate = cert,
                ServerCertificateAssumed = assumed,
                Host = options.Server is { IsAddress: false } s ? s.Host : null,
            });
        }
    }
}
