using TlsDoctor.Core;
using TlsDoctor.Schannel.Knowledge;

namespace TlsDoctor.Schannel.Policy.Pipeline;

/// <summary>
/// Stage 4: the Terminal Server's .NET Framework, as System.Net in the 4.8 reference source decides: the two registry
/// switches read against the target framework's AppContext defaults, ServicePointManager's default protocols, and
/// whether SCHANNEL gets SCH_USE_STRONG_CRYPTO (outbound) — never inbound.
/// </summary>
internal static class DotNetStage
{
    public static PolicyDraft Apply(PolicyDraft d)
    {
        var dn = d.Knowledge.DotNet;
        Sourced<DotNetFramework> framework = d.Inputs.DotNet is { } f
            ? new(f, new Source(Source.Input, $"--dotnet {f.Id()}"))
            : new(DotNetFramework.Net47Plus, new Source(Source.AssumptionKind, ".NET Framework 4.7+ (not given)", "terminal-server-dotnet-4.7"));
        if (d.Inputs.DotNet is null) d = d.Assume(AssumptionSlot.DotNet, "terminal-server-dotnet-4.7");
        var fd = dn.Frameworks.First(x => x.Id == framework.Value.Id());
        var strong = Switch(ref d, "SchUseStrongCrypto", fd.DontEnableSchUseStrongCrypto, fd, dn);
        var systemDefault = Switch(ref d, "SystemDefaultTlsVersions", fd.DontEnableSystemDefaultTlsVersions, fd, dn);

        // LoadSecureProtocolConfiguration: system default first, then the strong set, else Ssl3 | Tls [S60].
        OutboundRequest request;
        if (systemDefault.Value)
        {
            var src = new Source(systemDefault.Source.Kind, "SystemDefault: " + systemDefault.Source.Detail, systemDefault.Source.Ref);
            request = new OutboundRequest(new(false, src), [], src);
        }
        else
        {
            var names = strong.Value ? dn.StrongProtocols : dn.WeakProtocols;
            var src = new Source(Source.DotNet,
                $"ServicePointManager default {string.Join(" | ", names)} (SystemDefaultTlsVersions off, strong crypto {(strong.Value ? "on" : "off")})", dn.ProtocolsSource);
            request = new OutboundRequest(new(true, src), [.. names.Select(n => ProductSetting.Parse(n).Versions[0])], src);
        }
        var inbound = new Source(Source.DotNet, "SslStream's server credentials never ask for SCH_USE_STRONG_CRYPTO (_SecureChannel.cs:844-852)", dn.ServerStrongCryptoSource);
        return d with
        {
            DotNet = framework,
            SchUseStrongCrypto = strong,
            SystemDefaultTlsVersions = systemDefault,
            Request = request,
            StrongCrypto = ClientStrongCrypto(strong, request, dn),
            InboundStrongCrypto = new(false, inbound),
        };
    }

    /// <summary>
    /// SCH_USE_STRONG_CRYPTO on the client credential: only when strong crypto is not disabled and the request is
    /// SystemDefault or names TLS 1.0 or later (_SecureChannel.cs:752-765) — naming Tls12 does not force it.
    /// </summary>
    internal static Sourced<bool> ClientStrongCrypto(Sourced<bool> strongSwitch, OutboundRequest request, DotNetKnowledge dn)
    {
        if (!strongSwitch.Value)
            return new(false, new Source(Source.DotNet, $"SCH_USE_STRONG_CRYPTO is not passed: strong crypto is off ({strongSwitch.Source.Detail})", dn.ClientStrongCryptoSource));
        var tls = request.Versions.IsEmpty || request.Versions.Any(v => v >= TlsVersion.TLSv1_0);
        return new(tls, new Source(Source.DotNet, tls
            ? $"SCH_USE_STRONG_CRYPTO is passed: strong crypto is on ({strongSwitch.Source.Detail}) and the request is {(request.Versions.IsEmpty ? "SystemDefault" : "TLS")}"
            : "SCH_USE_STRONG_CRYPTO is not passed: the request names no TLS version", dn.ClientStrongCryptoSource));
    }

    /// <summary>A switch as System.Net reads it: with DontEnable… on, only the value 1 turns it on; otherwise only 0 turns it off [S60].</summary>
    private static Sourced<bool> Switch(ref PolicyDraft d, string name, bool dontEnable, FrameworkDefaults fd, DotNetKnowledge dn)
    {
        var native = d.Registry.Get(RegistryPaths.DotNet64, name);
        var wow = d.Registry.Get(RegistryPaths.DotNet32, name);
        if (native is not null && wow is not null && native.Value.AsDWord() != wow.Value.AsDWord())
            d = d.Warn($"{name} differs between the 64-bit and the Wow6432Node key; a 32-bit Terminal Server would read {wow.Value.Display()}.");
        var e = native ?? wow;
        if (e is not null && native is null) d = d.Assume(AssumptionSlot.DotNet, "dotnet-key-64bit");
        if (e?.Value.AsDWord() is { } v)
            return new(dontEnable ? v == 1 : v != 0, RegistryStage.RegSource(e, dn.SwitchSource));
        return new(!dontEnable, new Source(Source.DotNet, $".NET Framework {fd.Id} default for {name}", fd.Source));
    }
}
