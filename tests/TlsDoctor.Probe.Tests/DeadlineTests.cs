using TlsDoctor.Probe.Tests.Transcripts;

namespace TlsDoctor.Probe.Tests;

/// <summary>
/// The per-target deadline counts the target's own connections only (issue 15 #15): waiting for the host's slot while
/// another port of the same device is scanned does not count, and a silent port costs one read timeout per kind of
/// hello. Time is a manual clock each connection advances; nothing here waits for real time.
/// </summary>
public sealed class DeadlineTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private static readonly ProbeOptions Options = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), Deadline);

    // A recorded scan of a real TLS 1.3 server: 11 connections.
    private static readonly TranscriptFixture Tls13Only = TranscriptFixture.Load("peer-Tls13Only");

    private static ProbeExecutor Replaying(ManualClock clock, TimeSpan each, bool honoursCancellation = false, Task? start = null)
    {
        var replay = new ReplayExecutor(Tls13Only);
        return async (request, ct) =>
        {
            // As a socket would, this yields: the other target's scan runs meanwhile and queues for the host's slot.
            if (start is not null) await start;
            await Task.Yield();
            clock.Advance(each);
            if (honoursCancellation) ct.ThrowIfCancellationRequested();
            return await replay.ExecuteAsync(request, ct);
        };
    }

    [Fact]
    public async Task Waiting_for_the_hosts_slot_while_another_port_is_scanned_does_not_count_against_the_deadline()
    {
        var clock = new ManualClock();
        var gate = new HostGate(maxPerHost: 1, time: clock);
        var each = TimeSpan.FromSeconds(10);
        // No connection moves the clock before both scans have started (at 0 s).
        var bothStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new TlsScanner(Options, gate, _ => Replaying(clock, each, start: bothStarted.Task), clock).ScanAsync(new ProbeTarget("127.0.0.1", 443));
        var second = new TlsScanner(Options, gate, _ => Replaying(clock, each, start: bothStarted.Task), clock).ScanAsync(new ProbeTarget("127.0.0.1", 8443));
        bothStarted.SetResult();
        ScanResult[] results = await Task.WhenAll(first, second);

        // 22 connections of 10 s one after the other: whichever port went second waited ~110 s, then needed 110 s of its own.
        Assert.Equal(TimeSpan.FromSeconds(220), clock.Now);
        Assert.All(results, r =>
        {
            Assert.Null(r.Error);
            Assert.Equal(Tls13Only.Attempts.Length, r.Handshakes);
            Assert.All(r.Attempts, a => Assert.Equal(10_000, a.ElapsedMs));
        });
        // The scan that finished last was under way for 220 s, past the 120 s deadline, and still completed.
        Assert.Equal(TimeSpan.FromSeconds(220), results.Max(r => r.Elapsed));
    }

    [Fact]
    public async Task The_targets_own_connection_time_still_ends_the_scan_at_the_deadline()
    {
        var clock = new ManualClock();
        var r = await new TlsScanner(Options, new HostGate(time: clock), _ => Replaying(clock, TimeSpan.FromSeconds(30)), clock)
            .ScanAsync(new ProbeTarget("127.0.0.1", 443));

        // Four connections use the 120 s; the fifth is never started.
        Assert.Equal(4, r.Handshakes);
        Assert.Contains("deadline of 120 s passed", r.Error);
        Assert.True(r.Reachable);
    }

    [Fact]
    public async Task A_connection_still_open_when_the_deadline_passes_is_cut_and_the_scan_keeps_what_it_learnt()
    {
        var clock = new ManualClock();
        var r = await new TlsScanner(Options, new HostGate(time: clock), _ => Replaying(clock, TimeSpan.FromSeconds(50), honoursCancellation: true), clock)
            .ScanAsync(new ProbeTarget("127.0.0.1", 443));

        // 100 s used by two connections; the third is cancelled when the remaining 20 s run out.
        Assert.Equal(2, r.Handshakes);
        Assert.Contains("deadline of 120 s passed", r.Error);
        Assert.Contains(r.Profile.Protocols, p => p.Version == Core.TlsVersion.TLSv1_3 && p.Supported);
    }

    [Fact]
    public async Task A_silent_port_costs_one_read_timeout_per_kind_of_hello_not_one_per_version()
    {
        var clock = new ManualClock();
        ProbeExecutor silent = (request, ct) =>
        {
            clock.Advance(Options.ReadTimeout);
            var e = new ProbeException(ProbeErrorKind.ReadTimeout, "127.0.0.1:443: no answer within 5 s");
            return Task.FromResult<(ProbeAnswer, Transcript)>((HelloResponse.Failed(e), Transcript.Empty with { EndedBy = e.Kind, EndMessage = e.Message }));
        };
        var r = await new TlsScanner(Options, new HostGate(time: clock), _ => silent, clock).ScanAsync(new ProbeTarget("127.0.0.1", 443));

        Assert.Equal(["versions: highest", "tolerance: short hello", "tolerance: no extensions", "versions: TLSv1.0", "versions: SSLv2"],
            r.Attempts.Select(a => a.Purpose));
        Assert.Equal(TimeSpan.FromSeconds(25), clock.Now);
        Assert.StartsWith("no TLS answer", r.Error);
        Assert.DoesNotContain(r.Profile.Protocols, p => p.Supported);
    }
}
