using TlsDoctor.Core;
using TlsDoctor.Probe;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Diagnosis;

/// <summary>
/// The model checked against SCHANNEL itself: one real handshake (SslStream, on Windows) with the versions the
/// Terminal Server's .NET asks for, compared with the simulated outcome.
/// </summary>
/// <param name="Status">confirmed or model-mismatch.</param>
/// <param name="Model">What the model said ("TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "fails: dh-too-small").</param>
/// <param name="Schannel">What SCHANNEL did.</param>
/// <param name="Protocols">The versions the handshake asked for ("SystemDefault" or "TLSv1.1, TLSv1.2").</param>
/// <param name="Direction">The direction checked; null for a lone simulation (simulate --confirm).</param>
public sealed record ModelCheck(Direction? Direction, string Target, string Status, string Model, string Schannel, string Protocols)
{
    public const string Confirmed = "confirmed";
    public const string Mismatch = "model-mismatch";

    public bool IsMismatch => Status == Mismatch;

    /// <summary>The JSON spelling of <see cref="Direction"/>: a direction's name, or "simulate".</summary>
    public string DirectionName => Direction?.Name() ?? "simulate";
}

/// <summary>Compares a simulated outcome with what SCHANNEL did, and turns a difference into a finding.</summary>
public static class ModelChecks
{
    /// <summary>
    /// Confirmed when both complete with the same version and suite, or both fail. A suite the stack did not report
    /// is not compared (the version still is).
    /// </summary>
    public static ModelCheck Compare(Direction? direction, string target, HandshakeOutcome model, SystemHandshakeResult schannel, string protocols)
    {
        var same = model.Completed == schannel.Completed
                   && (!schannel.Completed || model.Version == schannel.Version
                       && (schannel.CipherSuite is null || model.CipherSuite?.Code == schannel.CipherSuite));
        return new ModelCheck(direction, target, same ? ModelCheck.Confirmed : ModelCheck.Mismatch, Describe(model), Describe(schannel), protocols);
    }

    /// <summary>"SystemDefault" or the versions the policy names outbound.</summary>
    public static string Protocols(SchannelPolicy p) =>
        p.OutboundExplicit.Value ? string.Join(", ", p.OutboundVersions.Select(v => v.Value.Name())) : "SystemDefault";

    private static string Describe(HandshakeOutcome o) => o.Completed
        ? $"{o.Version?.Name()} {o.CipherSuite?.Name}" + (o.Healthy ? "" : $" ({o.Reason?.Name()})")
        : $"fails: {o.Reason?.Name()}";

    private static string Describe(SystemHandshakeResult r) => r.Completed
        ? $"{r.Version?.Name() ?? "?"} {(r.CipherSuite is { } c ? CipherSuites.Get(c).Name : "(suite not reported)")}"
        : $"fails: {r.Error}";

    /// <summary>TD109: the model and SCHANNEL disagree; both outcomes are evidence, the diagnosis itself is left as it is.</summary>
    public static Finding Finding(ModelCheck c) => new(
        Findings.ModelMismatch, Severity.Warning, c.Direction ?? Direction.OutboundDevice, c.Target,
        $"The model said {c.Model}, SCHANNEL did {c.Schannel}: the findings below rest on the model",
        [
            Evidence.Simulation($"model: {c.Model}"),
            Evidence.Probe($"SCHANNEL (SslStream on this Windows, versions {c.Protocols}): {c.Schannel}"),
        ],
        []);
}
