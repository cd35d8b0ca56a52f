using System.Globalization;
using TlsDoctor.Lab;

namespace TlsDoctor.Fleet.Tests;

[Collection("fleet")]
public class HistoryTests(FleetLabFixture lab)
{
    private int Port(string profile, int index = 0) => lab.Host.Devices.Where(d => d.Profile == profile).ElementAt(index).Endpoint.Port;

    private static string Csv(params (string Name, int Port)[] rows) =>
        "name,host,port,model\n" + string.Concat(rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Name},127.0.0.1,{r.Port},m\n")));

    private async Task<long> ScanAsync(FleetStore store, string csv)
    {
        var path = lab.NewPath("inv.csv");
        File.WriteAllText(path, csv);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return (await new FleetScanner(store, FleetLabFixture.Options(8)).StartAsync(InventoryCsv.ReadFile(path), path, null, cts.Token)).ScanId;
    }

    [Fact]
    public async Task Diff_shows_a_firmware_update_and_added_and_removed_devices()
    {
        using var store = FleetStore.Open(lab.NewPath("history.db"));
        // Scan 1: "printer" is a weak-DH device; scan 2: the same name now answers like the modern device (new firmware).
        var first = await ScanAsync(store, Csv(("printer", Port(LabProfiles.MfdWeakDh)), ("same", Port(LabProfiles.MfdTls12Only)), ("gone", Port(LabProfiles.MfdModern, 1))));
        var second = await ScanAsync(store, Csv(("printer", Port(LabProfiles.MfdModern)), ("same", Port(LabProfiles.MfdTls12Only)), ("new", Port(LabProfiles.PaymentSha512))));
        Assert.Equal([first, second], store.Scans().Select(s => s.Id)); // both kept
        var d = FleetDiff.Run(store, store.Scan(first)!, store.Scan(second)!);
        Assert.Equal((1, 1, 1, 1), (d.Added, d.Removed, d.Changed, d.Unchanged));
        Assert.Equal("added", d.Devices.Single(x => x.Name == "new").Change);
        Assert.Equal("removed", d.Devices.Single(x => x.Name == "gone").Change);
        var printer = d.Devices.Single(x => x.Name == "printer");
        var versions = printer.Changes.Single(c => c.Field == "versions");
        Assert.Equal(["TLSv1.0"], versions.Removed.ToArray());
        Assert.Equal(["TLSv1.2", "TLSv1.3"], versions.Added.ToArray());
        var dh = printer.Changes.Single(c => c.Field == "dh");
        Assert.Equal("512", dh.Before);
        Assert.Null(dh.After);
        Assert.Contains("RSA 1024, sha1WithRSAEncryption", printer.Changes.Single(c => c.Field == "certificate").Before);
        Assert.Contains(printer.Changes, c => c.Field == "cipher-suites" && c.Added.Contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
        Assert.Contains(printer.Changes, c => c.Field == "endpoint");
    }

    [Fact]
    public void Merge_keeps_scans_of_each_site_with_labels_and_new_ids()
    {
        var a = lab.CopyReference("site-a.db");
        var b = lab.CopyReference("site-b.db");
        var all = lab.NewPath("all.db");
        using (var store = FleetStore.Open(all))
        {
            var merged = store.Merge([(a, "site-a"), (b, "site-b")]);
            Assert.Equal([("site-a", 1), ("site-b", 1)], merged.ToArray());
            var scans = store.Scans();
            Assert.Equal([1L, 2L], scans.Select(s => s.Id));
            Assert.Equal(["site-a", "site-b"], scans.Select(s => s.Source));
            Assert.All(scans, s => Assert.Equal(1, s.SourceScanId));
            Assert.All(scans, s => Assert.Equal((lab.DeviceCount, lab.DeviceCount), (s.Devices, s.Results)));
            // Re-merging a site replaces its earlier copy: nothing doubles.
            store.Merge([(a, "site-a")]);
            Assert.Equal(2, store.Scans().Length);
            Assert.Equal(["site-b", "site-a"], store.Scans().Select(s => s.Source));
            var view = FleetSelection.Resolve(store, null);
            Assert.Equal(2, view.Length);
            var report = FleetReports.Build(store, view, null);
            Assert.Equal(2 * lab.DeviceCount, report.Devices);
            Assert.Equal(2 * lab.DeviceCount, report.DeviceRows.Select(r => r.Key).Distinct().Count());
            Assert.Contains(report.DeviceRows, r => r.Key.StartsWith("site-a/", StringComparison.Ordinal));
        }
        // A merged database merges again (headquarters collects regions): labels of origin survive.
        var hq = lab.NewPath("hq.db");
        using (var store = FleetStore.Open(hq))
        {
            store.Merge([(all, "region")]);
            Assert.Equal(["site-b", "site-a"], store.Scans().Select(s => s.Source));
        }
        using var local = FleetStore.Open(lab.NewPath("self.db"));
        Assert.Throws<FleetStoreException>(() => local.Merge([(local.Path, "self")]));
    }
}
