namespace TlsDoctor.Schannel.Policy.Pipeline;

/// <summary>Stage 5: the product setting securityProtocolTypesForOutboundCommunication overrides what .NET asks for outbound.</summary>
internal static class ProductSettingStage
{
    public static PolicyDraft Apply(PolicyDraft d)
    {
        var setting = d.Inputs.ProductSetting;
        if (setting is null) d = d.Assume(AssumptionSlot.ProductSetting, "product-setting-default");
        else
        {
            // The product assigns ServicePointManager.SecurityProtocol; SystemDefault (0) leaves the choice to SCHANNEL.
            var src = setting.IsSystemDefault
                ? new Source(Source.Product, $"{ProductSetting.Name} = \"SystemDefault\"", "S29")
                : new Source(Source.Product, $"{ProductSetting.Name} = \"{setting.Raw}\"", "S29 S31");
            var request = new OutboundRequest(new(!setting.IsSystemDefault, src), setting.Versions, src);
            d = d with { Request = request, StrongCrypto = DotNetStage.ClientStrongCrypto(d.SchUseStrongCrypto!, request, d.Knowledge.DotNet) };
        }
        return d.Request!.Explicit.Value ? d.Assume(AssumptionSlot.ProductSetting, "explicit-request-schannel-cred") : d;
    }
}
