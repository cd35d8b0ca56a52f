using System.Diagnostics;
using TlsDoctor.Core;
using TlsDoctor.Lab;
using TlsDoctor.Probe.Handshake.LeadingZero;

// Usage (build: dotnet build bench/lab/LabBench.csproj -c Release --artifacts-path /tmp/art-lab):
//   LabBench [scale [DEVICES=1000]] | serve PROFILE SECONDS | dh N PARALLEL [MODE] [PROFILE] | legacy PORT
if (args.Length > 0 && args[0] == "serve")
{
    await using var h = await LabHost.StartAsync([args[1]], new LabOptions(), default);
    Console.WriteLine(h.Devices[0].Endpoint.Port);
    await Task.Delay(TimeSpan.FromSeconds(int.Parse(args[2])));
    return;
}
if (args.Length > 0 && args[0] == "dh")
{
    var n = int.Parse(args[1]);
    var par = int.Parse(args[2]);
    var mode = args.Length > 3 ? Enum.Parse<LeadingZeroMode>(args[3]) : LeadingZeroMode.Random;
    var profile = args.Length > 4 ? args[4] : LabProfiles.MfdBrokenDh;
    var version = profile == LabProfiles.MfdWeakDh ? TlsVersion.TLSv1_0 : TlsVersion.TLSv1_2;
    await using var h = await LabHost.StartAsync([profile], new LabOptions(), default);
    var ep = h.Devices[0].Endpoint;
    await DhLeadingZeroProbe.RunAsync(ep, version, mode, TimeSpan.FromSeconds(10), default);
    var sw = Stopwatch.StartNew();
    var fails = 0;
    await Parallel.ForAsync(0, n, new ParallelOptions { MaxDegreeOfParallelism = par }, async (i, ct) =>
    {
        var r = await DhLeadingZeroProbe.RunAsync(ep, version, mode, TimeSpan.FromSeconds(10), ct);
        if (!r.Completed) Interlocked.Increment(ref fails);
        if (n <= 20) Console.WriteLine($"{r.Completed} {r.Attempts} {r.Reason}");
    });
    Console.WriteLine($"{n} handshakes, parallel {par}, {mode}: {sw.Elapsed.TotalSeconds:F2} s, {sw.Elapsed.TotalMilliseconds / n:F2} ms each, {fails} failed, process CPU {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F1} s");
    return;
}
if (args.Length > 0 && args[0] == "legacy")
{
    var r = await LabClients.RunLegacyClientAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, int.Parse(args[1])), new LegacyClientOptions(), default);
    Console.WriteLine(r);
}

if (args.Length == 0 || args[0] == "scale")
{
    var count = args.Length > 1 ? int.Parse(args[1]) : 1000;
    var servers = LabProfiles.All.Where(p => p.Role == LabRole.Server).Select(p => p.Name).ToArray();
    var names = Enumerable.Range(0, count).Select(i => servers[i % servers.Length]).ToArray();
    var rssBefore = Rss();
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var sw = Stopwatch.StartNew();
    await using var host = await LabHost.StartAsync(names, new LabOptions(), default);
    var ready = sw.Elapsed;
    var cpuStart = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
    GC.Collect();
    var rssReady = Rss();
    Console.WriteLine($"devices: {host.Devices.Count} ({servers.Length} server profiles, round robin)");
    Console.WriteLine($"ready in: {ready.TotalSeconds:F2} s (CPU {cpuStart.TotalSeconds:F2} s)");
    Console.WriteLine($"RSS: {rssBefore / 1048576.0:F0} MB before start, {rssReady / 1048576.0:F0} MB when ready");

    // A few handshakes spread over the fleet: first, middle and last device of some profiles.
    var results = new List<string>();
    async Task Time(string what, Func<Task<string>> run)
    {
        var t = Stopwatch.StartNew();
        var outcome = await run();
        results.Add($"{what}: {outcome} in {t.Elapsed.TotalMilliseconds:F0} ms");
    }
    IEnumerable<LabDevice> Pick(string profile)
    {
        var all = host.Devices.Where(d => d.Profile == profile).ToList();
        return new[] { all[0], all[all.Count / 2], all[^1] };
    }
    foreach (var d in Pick(LabProfiles.MfdWeakDh))
        await Time($"legacy client -> {d.Profile} :{d.Endpoint.Port}", async () =>
        {
            var r = await LabClients.RunLegacyClientAsync(d.Endpoint, new LegacyClientOptions([d.CertificateSha256!], TimeSpan.FromSeconds(10)), default);
            return r.Completed ? $"completed {r.Version}" : $"failed {r.Alert} ({r.Reason})";
        });
    foreach (var d in Pick(LabProfiles.MfdBrokenDh))
        await Time($"DH leading-zero probe (forced) -> {d.Profile} :{d.Endpoint.Port}", async () =>
        {
            var r = await DhLeadingZeroProbe.RunAsync(d.Endpoint, TlsVersion.TLSv1_2, LeadingZeroMode.ForceSharedSecretLeadingZero, TimeSpan.FromSeconds(10), default);
            return r.Completed ? "completed" : $"failed {r.Alert} from server={r.AlertFromServer}, DH {r.DhBits} bits";
        });
    foreach (var d in Pick(LabProfiles.MfdModern).Concat(Pick(LabProfiles.MfdTls12Only)))
        await Time($"SslStream -> {d.Profile} :{d.Endpoint.Port}", async () =>
        {
            using var tcp = new System.Net.Sockets.TcpClient();
            await tcp.ConnectAsync(d.Endpoint);
            using var ssl = new System.Net.Security.SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync("lab");
            return $"completed {ssl.SslProtocol} {ssl.NegotiatedCipherSuite}";
        });
    foreach (var line in results) Console.WriteLine(line);
    var cpuAll = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
    Console.WriteLine($"RSS after handshakes: {Rss() / 1048576.0:F0} MB; process CPU total {cpuAll.TotalSeconds:F2} s; threads {Process.GetCurrentProcess().Threads.Count}");
    var d0 = Stopwatch.StartNew();
    await host.DisposeAsync();
    Console.WriteLine($"dispose: {d0.Elapsed.TotalMilliseconds:F0} ms");
}

static long Rss()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    return 0;
}
