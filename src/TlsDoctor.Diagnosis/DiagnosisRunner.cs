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
public sealed class DiagnoseInputException(string message) : Exception(message);

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

    /// <summary>
    /// Applies the catalogue to an already known endpoint profile (a stored scan, a fleet inventory): no network.
    /// </summary>
    public static ImmutableArray<Finding> AnalyzeOutbound(WindowsSide windows, ServerProfile server, string target, string direction = Directions.OutboundDevice,
        DateTimeOffset? now = null, string? host = null)
    {
        var client = windows.Policy.ToClientProfile();
        var profile = server;
        var negotiation = direction == Directions.OutboundPayment ? new NegotiationOptions(now ?? DateTimeOffset.UtcNow) : NegotiationOptions.Default;
        var ctx = new DiagnosisContext
        {
            Direction = direction, Target = target, Windows = windows, Client = client, Server = profile,
            Outcome = Negotiator.Simulate(client, profile, negotiation), Options = negotiation, Host = host,
        };
        return [.. Rules.SelectMany(r => r.Analyze(ctx))];
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
        var now = options.Now ?? DateTimeOffset.UtcNow;
        progress?.Report(new DiagnosisProgress("modelling the Windows side"));
        var windows = options.Windows ?? WindowsSide.Build(options.Policy);
        var assumptions = windows.AllAssumptions.ToBuilder();

        var scanner = new TlsScanner(options.Probe);
        var scanProgress = new Progress<ScanProgress>(p => progress?.Report(new DiagnosisProgress($"{p.Target}: {p.Step}")));
        async Task<ScanResult?> Scan(ProbeTarget? t, string role)
        {
            if (t is null) return null;
            progress?.Report(new DiagnosisProgress($"scanning the {role} {t}"));
            return await scanner.ScanAsync(t, scanProgress, ct).ConfigureAwait(false);
        }
        var deviceScan = await Scan(options.Device, "device").ConfigureAwait(false);
        var paymentScan = await Scan(options.Payment, "payment service").ConfigureAwait(false);
        var serverScan = await Scan(options.Server, "Terminal Server").ConfigureAwait(false);

        LeadingZeroProof? proof = null;
        var deviceProfile = deviceScan?.Profile;
        if (deviceScan is { Reachable: true } && options.ProveLeadingZero && deviceProfile is not null)
        {
            proof = await LeadingZeroProver.RunAsync(deviceScan.Target, deviceProfile, options.Probe.ReadTimeout + options.Probe.ConnectTimeout,
                options.DhStress, progress, ct).ConfigureAwait(false);
            if (proof?.Verdict == LeadingZeroProof.Proven)
                deviceProfile = deviceProfile with
                {
                    Behaviours = deviceProfile.Behaviours.Add(new Behaviour(BehaviourKinds.DhLeadingZeroBug,
                        "a handshake whose DH shared secret starts with 0x00 fails with bad_record_mac; a random one completes")),
                };
        }

        var contexts = new List<DiagnosisContext>();
        var unreachable = new List<string>();
        var outbound = windows.Policy.ToClientProfile();
        void Outbound(ScanResult? scan, ServerProfile? profile, string direction, NegotiationOptions negotiation)
        {
            if (scan is null) return;
            if (!scan.Reachable || !scan.SpeaksTls)
            {
                if (!scan.Reachable) unreachable.Add(scan.Target.ToString());
                return;
            }
            var server = profile ?? scan.Profile;
            contexts.Add(new DiagnosisContext
            {
                Direction = direction,
                Target = scan.Target.ToString(),
                Windows = windows,
                Client = outbound,
                Server = server,
                Outcome = Negotiator.Simulate(outbound, server, negotiation),
                Options = negotiation,
                Scan = scan,
                Proof = direction == Directions.OutboundDevice ? proof : null,
                Host = scan.Target.IsAddress ? null : scan.Target.Host,
            });
        }
        // The Terminal Server is assumed to accept any device certificate (devices are self-signed); .NET checks the payment service's dates.
        Outbound(deviceScan, deviceProfile, Directions.OutboundDevice, NegotiationOptions.Default);
        Outbound(paymentScan, null, Directions.OutboundPayment, new NegotiationOptions(now));
        if (deviceScan is not null) assumptions.Add(new("device-certificate-not-validated", "The Terminal Server is assumed to accept the device's certificate whatever its issuer and dates (devices use self-signed certificates); only the key exchange and signature algorithms are simulated."));

        if (options.ClientHello is { } capture)
        {
            CertificateInfo? cert = serverScan is { Reachable: true } ? serverScan.Profile.Certificates.FirstOrDefault() : null;
            if (serverScan is { Reachable: false }) unreachable.Add(serverScan.Target.ToString());
            var assumed = cert is null;
            if (assumed)
            {
                cert = PlannedCertificates.AssumedDefault(now);
                assumptions.Add(new("default-certificate", "The Terminal Server is assumed to present its default certificate (RSA 2048, SHA-256, the same in every deployment); give --server HOST:PORT to read the real one."));
            }
            var server = windows.Policy.ToServerProfile(cert);
            var negotiation = new NegotiationOptions(now);
            contexts.Add(new DiagnosisContext
            {
                Direction = Directions.InboundDevice,
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
        foreach (var c in contexts) c.Others = [.. contexts.Where(o => o != c && o.Outbound)];

        var checks = await CheckModelAsync(options, contexts, windows, progress, ct).ConfigureAwait(false);

        progress?.Report(new DiagnosisProgress("applying the findings catalogue"));
        var findings = new List<Finding>();
        foreach (var c in contexts)
            foreach (var rule in Rules)
                findings.AddRange(rule.Analyze(c));

        var probes = new List<ProbeSummary>();
        void Summary(ScanResult? s, string role, int extra = 0)
        {
            if (s is null) return;
            probes.Add(new ProbeSummary(role, s.Target.ToString(), s.Reachable, s.Error, [.. s.Profile.SupportedVersions], s.Handshakes + extra, (long)s.Elapsed.TotalMilliseconds));
        }
        Summary(deviceScan, "device", (proof?.Handshakes.Length ?? 0) + (proof?.StressHandshakes ?? 0));
        Summary(paymentScan, "payment");
        Summary(serverScan, "server");

        return new DiagnosisReport(
            windows.Describe(),
            // A disagreement between the model and SCHANNEL comes first: every other finding rests on the model.
            [.. checks.Where(c => c.IsMismatch).Select(ModelChecks.Finding), .. findings.OrderByDescending(f => f.Severity).ThenBy(f => f.Id, StringComparer.Ordinal)],
            [.. assumptions.DistinctBy(a => a.Id)],
            [.. probes],
            [.. contexts.Select(c => new DirectionOutcome(c.Direction, c.Target, c.Client.Name, c.Outbound ? c.Target : "Terminal Server inbound", c.Outcome))],
            proof is null ? [] : [proof],
            [.. unreachable],
            now,
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
}

/// <summary>Writes the remedy files of a report: one folder per finding id (TD001/dh.reg, TD001/undo-dh.reg, …).</summary>
public static class RemedyWriter
{
    /// <summary>Writes every file; .reg files as regedit writes them (UTF-16LE with BOM). Returns the paths written.</summary>
    public static ImmutableArray<string> Write(DiagnosisReport report, string directory)
    {
        var written = ImmutableArray.CreateBuilder<string>();
        foreach (var group in report.Findings.GroupBy(f => f.Id))
        {
            var multiple = group.Count() > 1;
            var i = 0;
            foreach (var f in group)
            {
                i++;
                var dir = Path.Combine(directory, multiple ? $"{f.Id}-{i}" : f.Id);
                foreach (var r in f.Remedies)
                    foreach (var file in r.Files)
                    {
                        Directory.CreateDirectory(dir);
                        var path = Path.Combine(dir, file.Name);
                        if (file.Name.EndsWith(".reg", StringComparison.OrdinalIgnoreCase))
                            File.WriteAllBytes(path, [0xFF, 0xFE, .. System.Text.Encoding.Unicode.GetBytes(file.Content)]);
                        else File.WriteAllText(path, file.Content);
                        written.Add(path);
                    }
            }
        }
        return written.ToImmutable();
    }
}
