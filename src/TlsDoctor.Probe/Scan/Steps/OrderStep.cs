using TlsDoctor.Core;

namespace TlsDoctor.Probe;

/// <summary>For each version whose order is still unknown: the first two suites found, offered in reverse order.</summary>
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
        return null;
    }

    public ScanState Fold(ScanState s, ProbeAttempt attempt)
    {
        var request = (HelloRequest)attempt.Request;
        var r = (HelloResponse)attempt.Answer;
        s = ScanFold.Raw(s, attempt);
        var (second, first) = (request.Suites[0], request.Suites[1]);
        return s.With(request.Max, x => x with
        {
            OrderChecked = true,
            ServerOrder = r.Accepted && r.CipherSuite == second ? false : r.Accepted && r.CipherSuite == first ? true : x.ServerOrder,
        });
    }
}
