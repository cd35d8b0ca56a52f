using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Schannel.Knowledge;
using TlsDoctor.Schannel.Policy.Pipeline;

namespace TlsDoctor.Schannel.Policy;

/// <summary>The policy inputs do not say which Windows release it is.</summary>
public sealed class PolicyInputException(string message) : InputException(message);

/// <summary>
/// Computes a <see cref="SchannelPolicy"/> in the order DESIGN §5 gives: release defaults → installed updates →
/// SCHANNEL registry → .NET Framework → product setting, one stage each; then the two roles.
/// </summary>
public static class SchannelPolicyBuilder
{
    /// <summary>Builds the effective policy; throws <see cref="PolicyInputException"/> when the release cannot be determined.</summary>
    public static SchannelPolicy Build(PolicyInputs inputs, SchannelKnowledge? knowledge = null)
    {
        var d = ReleaseStage.Start(inputs, knowledge ?? SchannelKnowledge.Default);
        d = UpdateStage.Apply(d);
        d = RegistryStage.Apply(d);
        d = DotNetStage.Apply(d);
        d = ProductSettingStage.Apply(d);
        return Roles(d);
    }

    /// <summary>What the Terminal Server offers outbound (client role) and accepts inbound (server role, port 5012).</summary>
    private static SchannelPolicy Roles(PolicyDraft d)
    {
        var request = d.Request!;
        var outbound = ImmutableArray.CreateBuilder<Sourced<TlsVersion>>();
        foreach (var p in d.ClientProtocols)
        {
            if (request.Explicit.Value)
            {
                if (!request.Versions.Contains(p.Version)) continue;
                if (p.State is ProtocolState.Enabled or ProtocolState.DisabledByDefault)
                    outbound.Add(new(p.Version, request.Source with { Detail = request.Source.Detail + $"; SCHANNEL client: {p.State.Name()} ({p.Source.Kind})" }));
                else
                    d = d.Warn($"outbound: {p.Version.Name()} is requested by {request.Source.Detail} but SCHANNEL has it {p.State.Name()} ({p.Source}).");
            }
            else if (p.State == ProtocolState.Enabled)
                outbound.Add(new(p.Version, p.Source));
        }
        var inbound = d.ServerProtocols.Where(p => p.State == ProtocolState.Enabled).Select(p => new Sourced<TlsVersion>(p.Version, p.Source)).ToImmutableArray();
        foreach (var id in new[] { "inbound-system-default", "schannel-server-order", "port-5012", "strong-crypto-inbound" }) d = d.Assume(AssumptionSlot.Roles, id);
        if (outbound.Count == 0) d = d.Warn("outbound: no protocol version remains; every outbound TLS connection fails (AcquireCredentialsHandle error).");
        if (inbound.IsEmpty) d = d.Warn("inbound: no protocol version is enabled in the server role.");

        return new SchannelPolicy
        {
            Release = d.Release,
            Build = d.Build,
            Ubr = d.Ubr,
            Updates = d.Updates,
            UpdatesKnown = d.UpdatesKnown,
            ClientProtocols = d.ClientProtocols,
            ServerProtocols = d.ServerProtocols,
            CipherSuites = d.CipherSuites,
            Groups = d.Groups,
            SignatureSchemes = d.SignatureSchemes,
            SignatureSchemesSource = d.SignatureSchemesSource,
            DhClientMinBits = d.DhClientMinBits,
            DhClientMaxBits = d.DhClientMaxBits,
            DhServerBits = d.DhServerBits,
            RsaClientMinBits = d.RsaClientMinBits,
            RsaClientMaxBits = d.RsaClientMaxBits,
            Sha512InTls12 = d.Sha512InTls12,
            DhLeadingZeroFixed = d.DhLeadingZeroFixed,
            DotNet = d.DotNet!,
            SchUseStrongCrypto = d.SchUseStrongCrypto!,
            SystemDefaultTlsVersions = d.SystemDefaultTlsVersions!,
            ProductSetting = d.Inputs.ProductSetting,
            OutboundExplicit = request.Explicit,
            OutboundVersions = outbound.ToImmutable(),
            InboundVersions = inbound,
            StrongCrypto = d.StrongCrypto!,
            InboundStrongCrypto = d.InboundStrongCrypto!,
            Assumptions = [.. d.AssumptionIds.Select(d.Knowledge.Assumption)],
            Warnings = [.. d.Warnings],
        };
    }
}
