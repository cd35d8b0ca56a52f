using TlsDoctor.Lab;
using TlsDoctor.TestPeers;

namespace TlsDoctor.Probe.Tests.Transcripts;

/// <summary>
/// The scan's steps and folds without a socket: each test replays a scan recorded once from a real peer or lab device
/// (tests/TlsDoctor.Probe.Tests/Transcripts/Recorded) and requires the same requests, byte for byte and in the same
/// order, and the same scan JSON as the live run. <c>TLSDOCTOR_RECORD_TRANSCRIPTS=1</c> records them again.
/// </summary>
public sealed class TranscriptReplayTests
{
    private static readonly TimeSpan One = TimeSpan.FromSeconds(1);

    /// <summary>Each recording and where it came from: a lab profile or a test peer.</summary>
    private static readonly Dictionary<string, (string? Lab, PeerTarget? Peer)> Sources = new()
    {
        ["lab-mfd-broken-dh"] = (LabProfiles.MfdBrokenDh, null),
        ["lab-mfd-fake-tls12"] = (LabProfiles.MfdFakeTls12, null),
        ["lab-mfd-ssl-only"] = (LabProfiles.MfdSslOnly, null),
        ["lab-hostile-version-intolerant"] = (LabProfiles.HostileVersionIntolerant, null),
        ["lab-hostile-silent"] = (LabProfiles.HostileSilent, null),
        ["lab-hostile-unoffered-suite"] = (LabProfiles.HostileUnofferedSuite, null),
        ["peer-Tls13Only"] = (null, PeerTarget.Tls13Only),
        ["peer-ClientOrder"] = (null, PeerTarget.ClientOrder),
        ["peer-OldMfdWeakDhGnutls"] = (null, PeerTarget.OldMfdWeakDhGnutls),
    };

    public static TheoryData<string> Recordings => [.. Sources.Keys];

    private static ProbeOptions Options(bool lab) => lab ? new ProbeOptions(One, One, TimeSpan.FromSeconds(30)) : ProbeOptions.Default;

    [Theory]
    [MemberData(nameof(Recordings))]
    public async Task Replaying_the_recorded_answers_asks_for_the_same_connections_and_gives_the_live_scan(string name)
    {
        if (Environment.GetEnvironmentVariable("TLSDOCTOR_RECORD_TRANSCRIPTS") == "1") await RecordAsync(name);
        var fixture = TranscriptFixture.Load(name);
        Assert.True(ProbeTarget.TryParse(fixture.Target, 443, out var target, out _));
        var replay = new ReplayExecutor(fixture);
        var scanner = new TlsScanner(Options(Sources[name].Lab is not null), new HostGate(), _ => replay.ExecuteAsync);

        var result = await scanner.ScanAsync(target);

        Assert.Equal(fixture.Attempts.Length, replay.Served);
        Assert.Equal(fixture.Scan.ToJsonString(), TranscriptFixture.ScanJson(result).ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Recordings))]
    public void Every_prefix_of_a_recorded_answer_reads_to_an_answer_without_throwing(string name)
    {
        // A peer may close after any byte: the flight reader must then say what it understood, never throw.
        foreach (var a in TranscriptFixture.Load(name).Attempts.Where(a => a.Handshake is null))
        {
            var received = a.Transcript.Received;
            for (var n = 0; n <= received.Length; n += n < 64 ? 1 : 7)
            {
                var r = ServerFlight.Replay(a.Transcript with { Received = received[..n], EndedBy = ProbeErrorKind.Closed });
                Assert.True(r.Outcome != HelloOutcome.ServerHello || r.Version is not null, $"{a.Purpose}, {n} bytes: a ServerHello without a version");
            }
        }
    }

    private static async Task RecordAsync(string name)
    {
        var (lab, peer) = Sources[name];
        ScanResult live;
        if (lab is not null)
        {
            await using var host = await LabHost.StartAsync([lab], new LabOptions(), CancellationToken.None);
            var ep = host.Devices[0].Endpoint;
            live = await new TlsScanner(Options(true)).ScanAsync(new ProbeTarget(ep.Address.ToString(), ep.Port));
        }
        else
        {
            await using var server = await TestPeers.Peers.StartAsync(peer!.Value);
            live = await new TlsScanner(Options(false)).ScanAsync(new ProbeTarget(server.Host, server.Port));
        }
        Directory.CreateDirectory(TranscriptFixture.Directory());
        TranscriptFixture.From(name, live).Save();
    }
}
