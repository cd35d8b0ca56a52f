using System.Text.Json;
using TlsDoctor.Core;
using TlsDoctor.Fleet;

namespace TlsDoctor.Tests.Shared;

/// <summary>A stored scan's results in a form two runs can be compared by (shared by the Fleet and Cli tests as a linked file).</summary>
internal static class ComparableResults
{
    /// <summary>
    /// Status and profile JSON per device name, cost fields cleared: time, connections, and dh-leading-zero-suspected.
    /// mfd-broken-dh fails ~1 handshake in 256 at random (the DH leading-zero bug); a scan that happens to hit one
    /// records the suspicion and repeats a handshake. That is luck, not a difference between runs.
    /// </summary>
    public static Dictionary<string, string> Of(string db, long? scan = null)
    {
        using var store = FleetStore.Open(db, create: false);
        var id = scan ?? store.Scans().Last().Id;
        return store.Devices(id).ToDictionary(d => d.Device.Name, d =>
            $"{d.Result!.Status}|" + (d.Result.Profile is { } p
                ? JsonSerializer.Serialize(p with
                {
                    ElapsedMs = 0,
                    Handshakes = 0,
                    Behaviours = [.. p.Behaviours.Where(b => b.Kind != BehaviourKind.DhLeadingZeroSuspected.Name())],
                }, FleetJsonContext.Default.ScanJson)
                : "null"));
    }

    /// <summary>Fails naming the first device whose results differ, with its JSON from the first differing line on.</summary>
    public static void AssertSame(Dictionary<string, string> expected, Dictionary<string, string> actual, string expectedName, string actualName)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, json) in expected)
        {
            if (json == actual[name]) continue;
            var (e, a) = (json.Split('\n'), actual[name].Split('\n'));
            var at = 0;
            while (at < e.Length && at < a.Length && e[at] == a[at]) at++;
            static string From(string[] lines, int at) => string.Join("\n", lines.Skip(at).Take(8).Select(l => "    " + l));
            Assert.Fail($"{name} differs from line {at + 1}:\n  {expectedName}:\n{From(e, at)}\n  {actualName}:\n{From(a, at)}");
        }
    }
}
