using System.Diagnostics;
using TlsDoctor.Core;
using TlsDoctor.Lab;
using TlsDoctor.Probe.Handshake.LeadingZero;

// Usage: dotnet run --project bench/lab -- [devices=1000] | serve PROFILE SECONDS | dh N PARALLEL
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
    Console.WriteLine($"{n} handshakes, parallel {par}, {mode}: {sw.Elapsed.TotalSeconds:F2} s, {sw.Elapsed.TotalMilliseconds / n:F2} ms each, {fails} failed");
    return;
}
if (args.Length > 0 && args[0] == "legacy")
{
    var r = await LabClients.RunLegacyClientAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, int.Parse(args[1])), new LegacyClientOptions(), default);
    Console.WriteLine(r);
}
