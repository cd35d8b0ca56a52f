using System.Collections.Immutable;
using TlsDoctor.Core;

namespace TlsDoctor.Probe;

/// <summary>
/// Suites found by hellos that offered only a chunk of the remaining suites come in chunk order, not the server's: the
/// first suite a server accepts from a chunk that lacks its favourite is not its favourite. Offer the found suites
/// together (fewest-preferred last found first), record the pick, remove it, repeat: the picks are the server's order,
/// or every pick is our first offer and the server follows the client.
/// </summary>
internal sealed class ChunkOrderStep : IScanStep
{
    public ProbeRequest? Next(ScanState s)
    {
        foreach (var state in s.Versions.Where(Pending).OrderByDescending(v => v.Version))
        {
            var offer = Unpicked(state);
            if (offer.Length > HelloShapes.SmallChunk) continue; // more than one short hello holds: keep the chunk order, unproven
            return HelloShapes.Hello(s, ProbeStep.Order, $"order {state.Version.Name()}", state.Version, s.Shape, offer);
        }
        return null;
    }

    private static bool Pending(VersionState v) =>
        v.Supported == true && v.FoundInChunks && v.Found.Length >= 2 && !v.ReorderDone && v.Version != TlsVersion.SSLv2;

    // The found suites not yet picked, last found first: a server that follows the client then picks what the chunks
    // found last, which the chunk order cannot explain.
    private static ImmutableArray<ushort> Unpicked(VersionState v) =>
        [.. v.Found.Select(f => f.Suite.Code).Where(c => v.Reordered?.Contains(c) != true).Reverse()];

    public ScanState Fold(ScanState s, ProbeAttempt attempt)
    {
        var request = (HelloRequest)attempt.Request;
        var r = (HelloResponse)attempt.Answer;
        s = ScanFold.Raw(s, attempt);
        var state = s[request.Max];
        if (!r.Accepted || r.CipherSuite is not { } pick || !request.Suites.Contains(pick))
            return s.With(state with { ReorderDone = true }); // the pass cannot finish: the chunk order stays, unproven
        var picks = (state.Reordered ?? []).Add(pick);
        state = state with { Reordered = picks, ReorderFollowsClient = state.ReorderFollowsClient && pick == request.Suites[0] };
        var left = Unpicked(state);
        if (left.Length > 1) return s.With(state);
        var order = picks.AddRange(left);
        return s.With(state with
        {
            ReorderDone = true,
            ServerOrder = !state.ReorderFollowsClient,
            Found = state.ReorderFollowsClient ? state.Found : [.. order.Select(c => state.Found.First(f => f.Suite.Code == c))],
        });
    }
}
