using TlsDoctor.Tests.Shared;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TlsDoctor.Core;
using TlsDoctor.Lab;
using TlsDoctor.Probe;
using TlsDoctor.Probe.Json;

namespace TlsDoctor.Fleet.Tests;

[Collection("fleet")]
public class ScanTests(FleetLabFixture lab)
{
    [Fact]
    public void Reference_scan_classifies_every_device()
    {
        using var store = FleetStore.Open(lab.ReferenceDb, create: false);
        var scan = Assert.Single(store.Scans());
        Assert.True(scan.IsFinished);
        Assert.Equal(lab.DeviceCount, scan.Devices);
        Assert.Equal(lab.DeviceCount, scan.Results);
        var devices = store.Devices(scan.Id).GroupBy(d => d.Device.Model ?? "").ToDictionary(g => g.Key, g => g.First());
        var byModel = store.Devices(scan.Id).GroupBy(d => d.Device.Model).ToDictionary(g => g.Key!, g => g.Select(d => d.Result!.Status).Distinct().Single());
        foreach (var p in FleetLabFixture.Profiles) Assert.Equal(DeviceStatus.Ok, byModel[p]);
        Assert.Equal(DeviceStatus.NoTls, byModel[LabProfiles.HostileHttp]);
        Assert.Equal(DeviceStatus.BackedOff, byModel[LabProfiles.HostileResetAfterHello]);
        var closed = devices["unknown"].Result!;
        Assert.Equal(DeviceStatus.Unreachable, closed.Status);
        Assert.Equal(3, closed.Attempts); // retried with back-off, then left alone
        Assert.Equal(3, closed.Handshakes);
        var reset = devices[LabProfiles.HostileResetAfterHello].Result!;
        Assert.Equal(1, reset.Attempts); // its scan alone had 3+ failures in a row: no retry
        var weak = store.Devices(scan.Id).First(d => d.Device.Model == LabProfiles.MfdWeakDh).Result!.Profile!;
        Assert.Equal(["TLSv1.0"], weak.Protocols.Where(p => p.Supported).Select(p => p.Version));
        Assert.Contains(weak.Protocols.SelectMany(p => p.CipherSuites), s => s.DhBits == 512);
    }

    [Fact]
    public async Task Results_are_identical_at_concurrency_1_and_64()
    {
        var db = lab.NewPath("c1.db");
        using (var store = FleetStore.Open(db))
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var summary = await new FleetScanner(store, FleetLabFixture.Options(1)).StartAsync(InventoryCsv.ReadFile(lab.InventoryPath), lab.InventoryPath, null, cts.Token);
            Assert.True(summary.Finished);
        }
        var one = ComparableResults.Of(db);
        var many = ComparableResults.Of(lab.ReferenceDb);
        Assert.Equal(lab.DeviceCount, one.Count);
        ComparableResults.AssertSame(many, one, "concurrency 64", "concurrency 1");
    }

    [Fact]
    public async Task Cancelled_scan_resumes_with_nothing_lost_and_nothing_duplicated()
    {
        var db = lab.NewPath("resume.db");
        var inventory = InventoryCsv.ReadFile(lab.InventoryPath);
        long scanId;
        DateTimeOffset[] firstRun;
        using (var store = FleetStore.Open(db))
        {
            var scanner = new FleetScanner(store, FleetLabFixture.Options(4));
            scanId = scanner.Create(inventory, lab.InventoryPath);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var progress = new Inline(p => { if (p.Done >= 8) cts.Cancel(); });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => scanner.RunAsync(scanId, false, progress, cts.Token));
            var partial = store.Scan(scanId)!;
            Assert.Null(partial.Finished);
            Assert.InRange(partial.Results, 8, lab.DeviceCount - 1);
            Assert.Equal(partial.Id, store.LatestUnfinished()!.Id);
            firstRun = [.. store.Devices(scanId).Where(d => d.Result is not null).Select(d => d.Result!.Completed)];
        }
        // A new process: reopen the file, as `fleet scan --resume` does.
        using (var store = FleetStore.Open(db))
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var summary = await new FleetScanner(store, FleetLabFixture.Options(64)).ResumeAsync(scanId, null, cts.Token);
            Assert.True(summary.Finished);
            Assert.Equal(firstRun.Length, summary.AlreadyDone);
            Assert.Equal(lab.DeviceCount - firstRun.Length, summary.Scanned);
            Assert.Null(store.LatestUnfinished());
            var devices = store.Devices(scanId);
            Assert.All(devices, d => Assert.NotNull(d.Result));
            // Results of the first run were kept as they were, not scanned again.
            Assert.Equal(firstRun.Order(), devices.Select(d => d.Result!.Completed).Where(c => c <= firstRun.Max()).Order());
        }
        using var raw = new SqliteConnection($"Data Source={db};Pooling=False");
        raw.Open();
        using var cmd = raw.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*), COUNT(DISTINCT device) FROM results WHERE scan_id = $id";
        cmd.Parameters.AddWithValue("$id", scanId);
        using var rd = cmd.ExecuteReader();
        rd.Read();
        Assert.Equal(lab.DeviceCount, rd.GetInt32(0));
        Assert.Equal(lab.DeviceCount, rd.GetInt32(1));
        // The same profiles as an uninterrupted scan.
        ComparableResults.AssertSame(ComparableResults.Of(lab.ReferenceDb), ComparableResults.Of(db), "uninterrupted", "resumed");
    }

    [Theory]
    [InlineData(ProbeErrorKind.Refused, AttemptFailure.Connect)]
    [InlineData(ProbeErrorKind.ConnectTimeout, AttemptFailure.Connect)]
    [InlineData(ProbeErrorKind.NameResolution, AttemptFailure.Connect)]
    [InlineData(ProbeErrorKind.Unreachable, AttemptFailure.Connect)]
    [InlineData(ProbeErrorKind.ReadTimeout, AttemptFailure.Silent)]
    [InlineData(ProbeErrorKind.Closed, AttemptFailure.Silent)]
    [InlineData(ProbeErrorKind.Reset, AttemptFailure.Silent)]
    [InlineData(ProbeErrorKind.Malformed, AttemptFailure.None)]
    [InlineData(null, AttemptFailure.None)]
    public void Back_off_reads_the_typed_failure_not_the_text(ProbeErrorKind? kind, AttemptFailure expected)
    {
        // The text is deliberately misleading: only the kind may decide.
        var request = new Sslv2HelloRequest([], ReadOnlyMemory<byte>.Empty) { Step = ProbeStep.Versions, Purpose = "versions: highest" };
        var answer = new HelloResponse(HelloOutcome.Reset, Error: "connection reset") { Failure = kind };
        var attempt = new ProbeAttempt(1, request, answer, Transcript.Empty, "connection reset, no answer within 5 s", 1);
        Assert.Equal(expected, AttemptFailures.Classify(attempt));
    }

    [Fact]
    public void Saving_a_result_twice_keeps_one()
    {
        var db = lab.CopyReference("twice.db");
        using var store = FleetStore.Open(db);
        var d = store.Devices(1)[0];
        Assert.False(store.SaveResult(1, d.Result! with { Error = "second" }));
        Assert.Null(store.Devices(1)[0].Result!.Error);
    }


    private sealed class Inline(Action<FleetProgress> a) : IProgress<FleetProgress>
    {
        public void Report(FleetProgress value) => a(value);
    }
}
