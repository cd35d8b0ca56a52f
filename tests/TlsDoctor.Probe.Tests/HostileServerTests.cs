using System.Diagnostics;
using TlsDoctor.Core;
using TlsDoctor.Lab;

namespace TlsDoctor.Probe.Tests;

/// <summary>Misbehaving servers from the lab: each gives a clear per-target error or behaviour, within the timeouts.</summary>
public sealed class HostileServerTests(HostileLab lab) : IClassFixture<HostileLab>
{
    private static readonly ProbeOptions Fast = HostileLab.Fast;

    private Task<ScanResult> ScanAsync(string profile) => lab.ScanAsync(profile);

    [Theory]
    [InlineData(LabProfiles.HostileGarbage, "not TLS")]
    [InlineData(LabProfiles.HostileHttp, "HTTP")]
    [InlineData(LabProfiles.HostileAbsurdLength, "TLSPlaintext.length")]
    public async Task Non_tls_answers_stop_the_scan_with_a_named_cause(string profile, string expected)
    {
        var r = await ScanAsync(profile);
        Assert.False(r.SpeaksTls);
        Assert.NotNull(r.Error);
        Assert.Contains(expected, r.Error);
        // A peer that is not TLS is not probed any further.
        Assert.Equal(1, r.Handshakes);
    }

    [Theory]
    [InlineData(LabProfiles.HostileSilent)]
    [InlineData(LabProfiles.HostileSlowDrip)]
    [InlineData(LabProfiles.HostileAlertOnHello)]
    [InlineData(LabProfiles.HostileTruncated)]
    public async Task Peers_that_never_answer_a_hello_get_no_tls_error(string profile)
    {
        var r = await ScanAsync(profile);
        Assert.False(r.SpeaksTls);
        Assert.NotNull(r.Error);
        Assert.All(r.Profile.Protocols, p => Assert.False(p.Supported));
    }

    [Theory]
    [InlineData(LabProfiles.HostileSilent, ProbeErrorKind.ReadTimeout)]
    [InlineData(LabProfiles.HostileResetAfterHello, ProbeErrorKind.Reset)]
    [InlineData(LabProfiles.HostileAlertOnHello, null)]
    [InlineData(LabProfiles.HostileGarbage, ProbeErrorKind.Malformed)]
    public async Task Every_connection_carries_a_typed_failure_or_none(string profile, ProbeErrorKind? expected)
    {
        // The fleet's back-off decides on these kinds: silence and resets count; an alert or any bytes are an answer.
        var r = await ScanAsync(profile);
        Assert.NotEmpty(r.Attempts);
        Assert.All(r.Attempts, a => Assert.Equal(expected, a.Failure));
    }

    public static TheoryData<string> HostileProfiles =>
        [.. LabProfiles.All.Where(p => p.Name.StartsWith("hostile-", StringComparison.Ordinal)).Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(HostileProfiles))]
    public async Task The_catalogue_says_which_devices_keep_the_client_waiting(string profile)
    {
        // The tests give the short read timeout only to these: a device wrongly marked would turn a late answer on a busy
        // machine into silence, or make every scan of it wait 5 s per connection.
        var r = await ScanAsync(profile);
        Assert.Equal(LabProfiles.Get(profile).KeepsClientWaiting, r.Attempts.Any(a => a.Transcript.EndedBy == ProbeErrorKind.ReadTimeout));
    }

    [Fact]
    public async Task A_refused_connection_is_typed_as_refused()
    {
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var port = ((System.Net.IPEndPoint)probe.LocalEndPoint!).Port; // bound, never listening: connect is refused
        var r = await new TlsScanner(Fast).ScanAsync(new ProbeTarget("127.0.0.1", port));
        Assert.False(r.Reachable);
        Assert.Equal(ProbeErrorKind.Refused, Assert.Single(r.Attempts).Failure);
    }

    [Fact]
    public async Task A_suite_never_offered_is_a_protocol_violation()
    {
        var r = await ScanAsync(LabProfiles.HostileUnofferedSuite);
        Assert.Contains(r.Profile.Behaviours, b => b.Kind == BehaviourKind.ProtocolViolation && b.Detail.Contains("not offered"));
    }

    [Fact]
    public async Task A_version_never_offered_is_a_protocol_violation()
    {
        var r = await ScanAsync(LabProfiles.HostileUnofferedVersion);
        Assert.Contains(r.Profile.Behaviours, b => b.Kind == BehaviourKind.ProtocolViolation);
    }

    [Fact]
    public async Task A_version_intolerant_server_is_probed_version_by_version()
    {
        // Its protocol_version to the TLS 1.2 and 1.1 hellos must not be read as "nothing below": it never showed it
        // negotiates versions, so TLS 1.0 gets its own hello, and SSLv3 too.
        var r = await ScanAsync(LabProfiles.HostileVersionIntolerant);
        Assert.Equal([TlsVersion.TLSv1_0], r.Profile.SupportedVersions);
        Assert.Equal(["TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA"], r.Profile.For(TlsVersion.TLSv1_0)!.CipherSuites.Select(s => s.Suite.Name).Order());
        Assert.Contains(r.Attempts, a => a.Purpose == "versions: TLSv1.0");
        Assert.Contains(r.Attempts, a => a.Purpose == "versions: SSLv3");
        var intolerance = Assert.Single(r.Profile.Behaviours, b => b.Kind == BehaviourKind.VersionIntolerance);
        // It points to its evidence: the first hello (refused with protocol_version) and the hello TLS 1.0 answered.
        var (refused, answered) = (r.Attempts.Single(a => a.Id == intolerance.AttemptIds[0]), r.Attempts.Single(a => a.Id == intolerance.AttemptIds[1]));
        Assert.Equal((ProbeStep.Versions, "versions: highest"), (refused.Request.Step, refused.Purpose));
        Assert.Equal(HelloOutcome.Alert, ((HelloResponse)refused.Answer).Outcome);
        Assert.Equal(TlsVersion.TLSv1_0, ((HelloResponse)answered.Answer).Version);
    }

    [Fact]
    public async Task A_reset_after_the_client_hello_is_reported_as_a_reset()
    {
        var r = await ScanAsync(LabProfiles.HostileResetAfterHello);
        Assert.False(r.SpeaksTls);
        Assert.Contains("reset", r.Error);
        // The tolerance ladder tried a short hello and one without extensions before giving up on the big one.
        Assert.Contains(r.Attempts, a => a.Purpose.StartsWith("tolerance", StringComparison.Ordinal));
    }
}

/// <summary>One lab host with every hostile profile, shared by the class.</summary>
public sealed class HostileLab : IAsyncLifetime
{
    /// <summary>Short timeouts: these devices are hostile, waiting for them is the point.</summary>
    public static readonly ProbeOptions Fast = new(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(40));

    /// <summary>For peers that answer at once: long enough that a busy machine's scheduling never looks like silence.</summary>
    public static readonly ProbeOptions Patient = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60));

    public LabHost Host { get; private set; } = null!;

    /// <summary>
    /// Scans one hostile device; the scan is bounded, reaches the device and accounts for every connection. Only devices
    /// that keep the client waiting get the short read timeout: with 600 ms for all, a loaded CI machine once read a late
    /// reset as silence.
    /// </summary>
    public async Task<ScanResult> ScanAsync(string profile)
    {
        var device = Host.Devices.Single(d => d.Profile == profile);
        var clock = Stopwatch.StartNew();
        var r = await new TlsScanner(LabProfiles.Get(profile).KeepsClientWaiting ? Fast : Patient).ScanAsync(new ProbeTarget("127.0.0.1", device.Endpoint.Port));
        // Bounded: every connection waits at most a few read timeouts, and there are few connections.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(40), $"{profile} took {clock.Elapsed}");
        Assert.True(r.Reachable);
        Assert.Equal(r.Handshakes, r.Attempts.Length);
        return r;
    }

    public async Task InitializeAsync()
    {
        var hostile = LabProfiles.All.Where(p => p.Name.StartsWith("hostile-", StringComparison.Ordinal)).Select(p => p.Name);
        Host = await LabHost.StartAsync(hostile, new LabOptions(), CancellationToken.None);
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
