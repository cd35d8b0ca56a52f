using System.Collections.Immutable;
using TlsDoctor.Core;

namespace TlsDoctor.Probe;

/// <summary>
/// Suites found by hellos that offered only a chunk of the remaining suites come in chunk order, not the server's: the
/// first suite a server accepts from a chunk that lacks its favourite is not its favourite. Offer the found suites
/// together (last found first), record the pick, remove it, repeat: the picks are the server's order, or every pick is
/// our first offer, which the pair probe (<see cref="OrderStep"/>) tells from a server whose order that is.
/// </summary>
internal sealed class ChunkOrderStep : IScanStep
{
    // More found suites than one short hello holds: the pass cannot offer them together, so the order stays unknown.
    public ScanState Enter(ScanState s)
    {
        foreach (var state in s.Versions.Where(v => Pending(v) && Unpicked(v).Length > HelloShapes.SmallChunk))
            s = s.With(Unproven(state));
        return s;
    }

    public ProbeRequest? Next(ScanState s)
    {
        var state = s.Versions.Where(Pending).OrderByDescending(v => v.Version).FirstOrDefault();
        return state is null ? null
            : HelloShapes.Hello(s, ProbeStep.Order, $"order {state.Version.Name()}", state.Version, s.Shape, Unpicked(state));
    }

    // The found suites are in chunk order, which is not the server's: no order is claimed, and the pair probe (which
    // would compare two suites of that chunk order) is not made.
    private static VersionState Unproven(VersionState v) => v with { ReorderDone = true, ServerOrder = null, OrderChecked = true };

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
            return s.With(Unproven(state)); // the pass cannot finish
        var picks = (state.Reordered ?? []).Add(pick);
        state = state with { Reordered = picks, ReorderFollowsClient = state.ReorderFollowsClient && pick == request.Suites[0] };
        var left = Unpicked(state);
        if (left.Length > 1) return s.With(state);
        var order = picks.AddRange(left);
        var found = order.Select(c => state.Found.First(f => f.Suite.Code == c)).ToImmutableArray();
        if (!state.ReorderFollowsClient) return s.With(state with { ReorderDone = true, ServerOrder = true, Found = found });
        // Every pick was our first offer: a server that follows the client does that, but so does one whose order is the
        // one we offered. Unless the chunks already proved server order, the pair probe of OrderStep decides.
        return s.With(state with { ReorderDone = true, Found = found, OrderChecked = state.ServerOrder == true });
    }
}
