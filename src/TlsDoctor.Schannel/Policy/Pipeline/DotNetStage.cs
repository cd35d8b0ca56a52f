using TlsDoctor.Core;

namespace TlsDoctor.Schannel.Policy.Pipeline;

/// <summary>Stage 4: the Terminal Server's .NET Framework: its generation, the registry switches and the versions it asks for.</summary>
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

        Sourced<bool> Switch(string name, bool def, string defSource)
        {
            var native = d.Registry.Get(RegistryPaths.DotNet64, name);
            var wow = d.Registry.Get(RegistryPaths.DotNet32, name);
            if (native is not null && wow is not null && native.Value.AsDWord() != wow.Value.AsDWord())
                d = d.Warn($"{name} differs between the 64-bit and the Wow6432Node key; a 32-bit Terminal Server would read {wow.Value.Display()}.");
            var e = native ?? wow;
            if (e is not null && native is null) d = d.Assume(AssumptionSlot.DotNet, "dotnet-key-64bit");
            return e?.Value.AsDWord() is { } v
                ? new(v != 0, RegistryStage.RegSource(e, dn.RegistrySource))
                : new(def, new Source(Source.DotNet, $".NET Framework {fd.Id} default for {name}", defSource));
        }
        var strong = Switch("SchUseStrongCrypto", fd.SchUseStrongCrypto, fd.SchUseStrongCryptoSource);
        var systemDefault = Switch("SystemDefaultTlsVersions", fd.SystemDefaultTlsVersions, fd.SystemDefaultTlsVersionsSource);

        OutboundRequest request;
        if (systemDefault.Value)
        {
            var src = new Source(systemDefault.Source.Kind, "SystemDefault: " + systemDefault.Source.Detail, systemDefault.Source.Ref);
            request = new OutboundRequest(new(false, src), [], src);
        }
        else if (strong.Value && strong.Source.Kind == Source.Registry && framework.Value != DotNetFramework.Net47Plus)
        {
            var src = new Source(Source.DotNet, "SchUseStrongCrypto=1: TLS 1.2/1.1/1.0, insecure protocols blocked", "S23");
            request = new OutboundRequest(new(true, src), [TlsVersion.TLSv1_0, TlsVersion.TLSv1_1, TlsVersion.TLSv1_2], src);
        }
        else
        {
            var src = new Source(Source.DotNet, $".NET Framework {fd.Id} default SecurityProtocol = {string.Join(" | ", fd.SecurityProtocol)}", fd.SecurityProtocolSource);
            request = new OutboundRequest(new(true, src), [.. fd.SecurityProtocol.Where(n => n != "SystemDefault").Select(n => ProductSetting.Parse(n).Versions[0])], src);
        }
        return d with { DotNet = framework, SchUseStrongCrypto = strong, SystemDefaultTlsVersions = systemDefault, Request = request, StrongCrypto = strong };
    }
}
