using System.Text.RegularExpressions;
using TlsDoctor.Core;
using TlsDoctor.Lab;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Fleet.Tests;

[Collection("fleet")]
public class AnalysisTests(FleetLabFixture lab)
{
    private const string Tls10Off = """
        Windows Registry Editor Version 5.00

        [HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.0\Client]
        "Enabled"=dword:00000000
        "DisabledByDefault"=dword:00000001
        """;

    private const string Dh512 = """
        Windows Registry Editor Version 5.00

        [HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\KeyExchangeAlgorithms\Diffie-Hellman]
        "ClientMinKeyBitLength"=dword:00000200
        """;

    internal static string WriteReg(string dir, string name, string content)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content.Replace("\n", "\r\n"));
        return path;
    }

    private static ClientProfile Windows(string os, string[]? updates = null, string[]? regs = null) => Policy(os, updates, regs).Client;

    private static FleetPolicy Policy(string os, string[]? updates = null, string[]? regs = null) =>
        FleetPolicy.From(Diagnosis.WindowsSide.Build(new PolicyOptions { Os = os, Updates = [.. updates ?? []], RegFiles = [.. regs ?? []] }, allowLocal: false));

    [Fact]
    public void What_if_disabling_tls10_breaks_the_weak_dh_devices_only()
    {
        using var store = FleetStore.Open(lab.ReferenceDb, create: false);
        var scans = FleetSelection.Resolve(store, null);
        // Today the server already accepts the weak devices' 512-bit DH group (dh512.reg), so they work.
        var dh = WriteReg(lab.Dir, "dh512.reg", Dh512);
        var baseline = Windows("2016", regs: [dh]);
        var proposed = Windows("2016", regs: [dh, WriteReg(lab.Dir, "tls10-off.reg", Tls10Off)]);
        var w = FleetWhatIf.Run(store, scans, baseline, proposed);
        var breaks = w.Devices.Where(d => d.Change == WhatIfChanges.Breaks).ToList();
        Assert.Equal(5, breaks.Count);
        Assert.All(breaks, d => Assert.Equal(LabProfiles.MfdWeakDh, d.Model));
        Assert.All(breaks, d => Assert.Equal(FailureReason.NoCommonProtocol.Name(), d.After!.Reason));
        Assert.Equal(5, w.Counts[WhatIfChanges.Breaks]);
        Assert.Equal(3, w.Counts[WhatIfChanges.NotScanned]); // http, reset, closed port
        Assert.Equal(w.Devices.Length, w.Counts.Values.Sum());
        Assert.Equal(lab.DeviceCount, w.Devices.Length);
        Assert.Equal(WhatIfChanges.Breaks, w.Devices[0].Change); // what needs attention comes first
    }

    [Fact]
    public void What_if_lowering_client_min_key_bit_length_fixes_the_weak_dh_devices()
    {
        using var store = FleetStore.Open(lab.ReferenceDb, create: false);
        var scans = FleetSelection.Resolve(store, null);
        var baseline = Windows("2016");
        var proposed = Windows("2016", regs: [WriteReg(lab.Dir, "dh512.reg", Dh512)]);
        var w = FleetWhatIf.Run(store, scans, baseline, proposed);
        var weak = w.Devices.Where(d => d.Model == LabProfiles.MfdWeakDh).ToList();
        Assert.All(weak, d => Assert.Equal(WhatIfChanges.Fixed, d.Change));
        Assert.All(weak, d => Assert.Equal(FailureReason.DhTooSmall.Name(), d.Before!.Reason));
        Assert.Equal(5, w.Counts[WhatIfChanges.Fixed]);
        Assert.Equal(0, w.Counts[WhatIfChanges.Breaks]);
        Assert.All(w.Devices.Where(d => d.Model == LabProfiles.MfdModern), d => Assert.Equal(WhatIfChanges.StaysOk, d.Change));
    }

    [Fact]
    public void Report_counts_versions_dh_certificates_and_findings_by_model_and_site()
    {
        using var store = FleetStore.Open(lab.ReferenceDb, create: false);
        var r = FleetReports.Build(store, FleetSelection.Resolve(store, null), Policy("2012r2"));
        Assert.Equal(lab.DeviceCount, r.Devices);
        Assert.Equal(lab.DeviceCount, r.DeviceRows.Length);
        Assert.Equal(30, r.Statuses["ok"]);
        Assert.Equal(1, r.Statuses["unreachable"]);
        Assert.Contains(new CountJson("512", 5), r.DhSizes);
        Assert.Contains(r.Versions, c => c.Name == "TLSv1.0" && c.Devices >= 10);
        Assert.Contains(r.CertificateSignatures, c => c.Name == "sha1WithRSAEncryption" && c.Devices >= 5);
        Assert.Contains(new CountJson("TD001 weak-dh", 5), r.Findings);
        var weakModel = r.ByModel.Single(g => g.Name == LabProfiles.MfdWeakDh);
        Assert.Equal(5, weakModel.Broken);
        Assert.Equal([new CountJson("TD001", 5)], weakModel.Findings.ToArray());
        Assert.Equal(["site-a", "site-b"], r.BySite.Select(g => g.Name));
        Assert.Equal(lab.DeviceCount, r.BySite.Sum(g => g.Devices));
        var row = r.DeviceRows.First(d => d.Model == LabProfiles.MfdWeakDh);
        Assert.Equal("RSA 1024", row.CertificateKey);
        Assert.Equal(512, row.DhBits);
        Assert.StartsWith("r", row.Attributes["rack"]);
        var csv = FleetCsv.Render(r).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lab.DeviceCount + 1, csv.Length);
        Assert.EndsWith(",rack", csv[0]);
    }

    [ChromiumFact]
    public async Task Html_report_shows_devices_charts_and_filters_in_headless_chromium()
    {
        using var store = FleetStore.Open(lab.ReferenceDb, create: false);
        var r = FleetReports.Build(store, FleetSelection.Resolve(store, null), Policy("2012r2"));
        var html = FleetHtml.Render(r);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", ""));
        Assert.DoesNotContain("https://", html);
        var file = Path.Combine(lab.Dir, "report.html");
        File.WriteAllText(file, html);

        var chromium = Chromium.Find();
        // The hash pre-fills the filter: rows that do not match are hidden by the page's own script.
        var dom = await Chromium.DumpDomAsync(chromium!, new Uri(file).AbsoluteUri + "#filter=" + LabProfiles.MfdWeakDh, lab.Dir);
        Assert.Matches($"id=\"device-count\">{lab.DeviceCount}<", dom);
        Assert.Contains("<svg", dom);
        Assert.Contains("aria-label=\"Protocol versions (devices)\"", dom);
        Assert.Contains("<rect", dom);
        Assert.Contains($"<td>{LabProfiles.MfdWeakDh}-0</td>", dom);
        Assert.Contains($"5 of {lab.DeviceCount} devices", dom); // the filter ran
        Assert.Equal(lab.DeviceCount - 5, Regex.Matches(dom, "<tr style=\"display: none;\">").Count);
    }

    [ChromiumFact]
    public async Task Html_device_table_fits_a_1024_pixel_window_and_grades_each_device()
    {
        using var store = FleetStore.Open(lab.ReferenceDb, create: false);
        var r = FleetReports.Build(store, FleetSelection.Resolve(store, null), Policy("2012r2"));
        Assert.All(r.DeviceRows.Where(d => d.Model == LabProfiles.MfdWeakDh), d => Assert.Equal("F", d.Rating!.Grade));
        Assert.All(r.DeviceRows.Where(d => d.Model == LabProfiles.MfdModern), d => Assert.Equal("A", d.Rating!.Grade));
        Assert.All(r.DeviceRows.Where(d => d.Status != "ok"), d => Assert.Null(d.Rating));
        // The page's width as laid out by a browser: wider than the window means a horizontal scroll bar for the whole page.
        var html = FleetHtml.Render(r).Replace("</body>", "<script>document.body.setAttribute('data-fit', String(document.documentElement.scrollWidth <= window.innerWidth));</script></body>");
        var file = Path.Combine(lab.Dir, "fit.html");
        File.WriteAllText(file, html);
        var dom = await Chromium.DumpDomAsync(Chromium.Find()!, new Uri(file).AbsoluteUri, lab.Dir, "1024,768");
        Assert.Contains("data-fit=\"true\"", dom);
        Assert.Contains("<td class=\"g-F\"", dom);
        var csv = FleetCsv.Render(r).Split("\r\n")[0];
        Assert.Contains("grade,grade_reasons,warning,not_checked", csv);
    }

    [Fact]
    public async Task An_ssl_only_device_is_never_shown_as_working_without_a_warning()
    {
        await using var host = await LabHost.StartAsync([LabProfiles.MfdSslOnly], new LabOptions(), CancellationToken.None);
        var inventory = Path.Combine(lab.Dir, "ssl-only.csv");
        File.WriteAllText(inventory, FleetLabFixture.Inventory(host.Devices));
        using var store = FleetStore.Open(lab.NewPath("ssl-only.db"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var options = FleetLabFixture.Options(2) with { Probe = new Probe.ProbeOptions(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60)) };
        await new FleetScanner(store, options).StartAsync(InventoryCsv.ReadFile(inventory), inventory, null, cts.Token);
        var r = FleetReports.Build(store, FleetSelection.Resolve(store, null), null);
        var row = Assert.Single(r.DeviceRows);
        Assert.Equal("ok", row.Status);
        Assert.Empty(row.Findings);
        Assert.Equal("F", row.Rating!.Grade);
        Assert.Contains("only SSLv2 and SSLv3", row.Rating.Warning, StringComparison.Ordinal);
        var html = FleetHtml.Render(r);
        Assert.Contains("id=\"ssl-only-count\">1<", html);
        Assert.Contains("⚠ this device answers only SSLv2 and SSLv3", html);
        Assert.Contains("this device answers only SSLv2 and SSLv3", FleetCsv.Render(r));
    }
}
