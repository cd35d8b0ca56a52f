using TlsDoctor.Core;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe;

/// <summary>
/// For each version whose order is still unknown: the first two suites found, offered in reverse order. Then, for each
/// server-ordered version with both AES-GCM and ChaCha20-Poly1305: the less preferred of the two offered first, since
/// some servers (Go's crypto/tls) follow the client between exactly these two.
/// </summary>
internal sealed class OrderStep : IScanStep
{
    public ProbeRequest? Next(ScanState s)
    {
        foreach (var state in s.Versions)
        {
            if (state.Supported != true || state.ServerOrder is not null || state.Found.Length < 2 || state.Version == TlsVersion.SSLv2 || state.OrderChecked)
                continue;
            ushort[] reversed = [state.Found[1].Suite.Code, state.Found[0].Suite.Code];
            return HelloShapes.Hello(s, ProbeStep.Order, $"order {state.Version.Name()}", state.Version, s.Shape, reversed);
        }
        foreach (var state in s.Versions)
        {
            if (state.Supported != true || state.ServerOrder != true || state.ClientDependenceChecked || Pair(state) is not var (favourite, other)) continue;
            return HelloShapes.Hello(s, ProbeStep.Order, $"order {state.Version.Name()}: chacha20 or aes-gcm", state.Version, s.Shape, [other, favourite]);
        }
        return null;
    }

    // The server's preferred AES-GCM and ChaCha20-Poly1305 suites, the one it ranks higher first.
    private static (ushort Favourite, ushort Other)? Pair(VersionState state)
    {
        var gcm = state.Found.Select(f => f.Suite).FirstOrDefault(s => s.Cipher.Contains("GCM", StringComparison.Ordinal) && s.Cipher.Contains("AES", StringComparison.Ordinal));
        var chacha = state.Found.Select(f => f.Suite).FirstOrDefault(s => s.Cipher.Contains("CHACHA20", StringComparison.Ordinal));
        if (gcm is null || chacha is null) return null;
        return state.Found.IndexOf(state.Found.First(f => f.Suite.Code == gcm.Code)) < state.Found.IndexOf(state.Found.First(f => f.Suite.Code == chacha.Code))
            ? (gcm.Code, chacha.Code) : (chacha.Code, gcm.Code);
    }

    public ScanState Fold(ScanState s, ProbeAttempt attempt)
    {
        var request = (HelloRequest)attempt.Request;
        var r = (HelloResponse)attempt.Answer;
        s = ScanFold.Raw(s, attempt);
        var (first, second) = (request.Suites[0], request.Suites[1]);
        var state = s[request.Max];
        if (state.ServerOrder is null)
            return s.With(state with
            {
                OrderChecked = true,
                ServerOrder = r.Accepted && r.CipherSuite == first ? false : r.Accepted && r.CipherSuite == second ? true : null,
            });
        s = s.With(state with { ClientDependenceChecked = true });
        if (!r.Accepted || r.CipherSuite != first) return s;
        return s.With(request.Max, x => x with { ClientDependentOrder = true }).AddBehaviour(new Behaviour(BehaviourKind.ClientDependentOrder,
            $"imposes its order except between {CipherSuites.Get(second).Name} and {CipherSuites.Get(first).Name}: a client listing "
            + $"{CipherSuites.Get(first).Name} first gets it; SCHANNEL lists AES-GCM before ChaCha20-Poly1305 (when it offers that at all), "
            + "so it gets the order listed here", request.Max), attempt.Id);
    }
}
