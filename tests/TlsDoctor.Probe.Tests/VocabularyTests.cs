using System.Runtime.CompilerServices;
using TlsDoctor.Core;
using TlsDoctor.Probe.Json;

namespace TlsDoctor.Probe.Tests;

/// <summary>Behaviour kinds and handshake stages are enums; their JSON spellings are the ones docs/json.md documents.</summary>
public sealed class VocabularyTests
{
    private static string JsonDoc([CallerFilePath] string here = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "docs", "json.md"));

    private static string Row(string field) => JsonDoc().Split('\n').Single(l => l.StartsWith($"| `{field}`", StringComparison.Ordinal));

    [Fact]
    public void Every_behaviour_kind_round_trips_and_is_documented()
    {
        var row = Row("behaviours[].kind");
        foreach (var kind in BehaviourKinds.All)
        {
            Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", kind.Name());
            Assert.True(BehaviourKinds.TryParse(kind.Name(), out var back));
            Assert.Equal(kind, back);
            Assert.Contains($"`{kind.Name()}`", row);
        }
        Assert.Equal(BehaviourKinds.All.Count, BehaviourKinds.All.Select(k => k.Name()).Distinct().Count());
    }

    [Fact]
    public void Every_handshake_stage_round_trips_and_is_documented()
    {
        var row = Row("protocols[].fullHandshake");
        foreach (var stage in Enum.GetValues<HandshakeStage>())
        {
            Assert.True(HandshakeStages.TryParse(stage.Name(), out var back));
            Assert.Equal(stage, back);
            Assert.Contains($"`{stage.Name()}`", row);
        }
    }

    [Fact]
    public void A_saved_scan_with_an_unknown_behaviour_or_stage_is_an_input_error_not_a_string_passed_on()
    {
        var scan = new ScanJson("h:1", "h", 1, true, null,
            [new ProtocolJson("TLSv1.2", true, null, [], new HandshakeJson(false, "halfway", null))], [], [], [], 1, 0);
        Assert.Contains("halfway", Assert.Throws<FormatException>(() => ScanJsonMapper.ToProfile(scan)).Message);
        scan = scan with { Protocols = [], Behaviours = [new BehaviourJson("feels-odd", "x")] };
        Assert.Contains("feels-odd", Assert.Throws<FormatException>(() => ScanJsonMapper.ToProfile(scan)).Message);
    }
}
