using System.Collections.Immutable;
using System.Net;
using TlsDoctor.Core;
using TlsDoctor.Probe.Capture;
using TlsDoctor.Schannel.Policy;
using TlsDoctor.TestPeers;

namespace TlsDoctor.Diagnosis.Tests.Inbound;

/// <summary>Runs `listen --learn` on 127.0.0.1 while a real client (a process or a lab device) connects again and again.</summary>
internal static class LearningHarness
{
    private static readonly Lazy<ImmutableArray<ProbeCertificate>> Ladder = new(() => CertificateProbe.CreateDefaultSet());

    public static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    /// <summary>The modelled Terminal Server of a Windows release (its inbound SCHANNEL server with the assumed default certificate).</summary>
    public static TerminalServerModel Server(string os)
    {
        var windows = WindowsSide.Build(new PolicyOptions { Os = os });
        return new TerminalServerModel(windows.Policy.Release.Name, windows.Policy.ToServerProfile(AssumedServerCertificate.At(Now)));
    }

    /// <summary>Lets the client connect until the listener has learned everything (or <paramref name="maxConnections"/> ran).</summary>
    public static async Task<ListenResult> LearnAsync(Func<IPEndPoint, Task> connect, TerminalServerModel? server, int maxConnections = 12, double readTimeout = 3)
    {
        var options = new ListenOptions(new IPEndPoint(IPAddress.Loopback, 0), null, TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(readTimeout), false)
        {
            Learn = true,
            TerminalServer = server,
            Certificates = Ladder.Value,
        };
        using var listener = ClientHelloListener.Start(options);
        using var stop = new CancellationTokenSource();
        var run = listener.RunAsync(null, stop.Token);
        for (var i = 0; i < maxConnections && !run.IsCompleted; i++)
            await connect(listener.LocalEndPoint).WaitAsync(TimeSpan.FromSeconds(60));
        if (!run.IsCompleted) await stop.CancelAsync();
        return await run.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>One `openssl s_client` connection with extra arguments; stdin is closed so it leaves after the handshake.</summary>
    public static Func<IPEndPoint, Task> OpenSsl(params string[] args) => async ep =>
    {
        var env = await PeerEnvironment.GetAsync();
        await ProcessRunner.RunAsync(env.Tools.OpenSsl, ["s_client", "-connect", $"{ep.Address}:{ep.Port}", .. args], timeout: TimeSpan.FromSeconds(20));
    };

    /// <summary>One gnutls-cli connection with a priority string (no certificate check: a device that trusts anything).</summary>
    public static Func<IPEndPoint, Task> GnuTls(string priority) => async ep =>
    {
        var env = await PeerEnvironment.GetAsync();
        await ProcessRunner.RunAsync(env.Tools.GnutlsCli, ["--insecure", "--priority", priority, "-p", ep.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), ep.Address.ToString()],
            timeout: TimeSpan.FromSeconds(20));
    };

    /// <summary>The learned profile of the run's device (the last capture that holds one).</summary>
    public static ClientProfile Learned(ListenResult r) => r.Captures.Last(c => c.Profile is not null).Profile!;

    /// <summary>The profile a single hello gives (no learning), from the run's first capture.</summary>
    public static ClientProfile SingleHello(ListenResult r) => CaptureProfiles.ToClientProfile(r.Captures.First(c => c.Hello is not null).Hello!, "single hello");

    public static Task<DiagnosisReport> DiagnoseAsync(ClientProfile profile, string os) =>
        new DiagnosisRunner().RunAsync(new DiagnoseOptions { ClientHello = profile, ClientHelloOrigin = "capture.json", Policy = new PolicyOptions { Os = os }, Now = Now });

    public static string Dump(ListenResult r) => string.Join("\n", r.Captures.Select(c =>
        $"#{c.Connection} {c.Error ?? c.Response} → {c.Exchange?.Verdict}: {c.Exchange?.Shows} [{c.Attempt?.Detail}]"));
}
