using TlsDoctor.Core;

namespace TlsDoctor.Schannel.Policy.Pipeline;

/// <summary>Stage 5: the product setting securityProtocolTypesForOutboundCommunication overrides what .NET asks for outbound.</summary>
internal static class ProductSettingStage
{
    public static PolicyDraft Apply(PolicyDraft d)
    {
        var setting = d.Inputs.ProductSetting;
        if (setting is null) d = d.Assume(AssumptionSlot.ProductSetting, "product-setting-default");
        else if (setting.IsSystemDefault)
        {
            var src = new Source(Source.Product, $"{ProductSetting.Name} = \"SystemDefault\"", "S29");
            d = d with { Request = new OutboundRequest(new(false, src), [], src) };
        }
        else
        {
            var src = new Source(Source.Product, $"{ProductSetting.Name} = \"{setting.Raw}\"", "S29 S31");
            d = d with { Request = new OutboundRequest(new(true, src), setting.Versions, src) };
            if (setting.Versions.Any(v => v is TlsVersion.TLSv1_0 or TlsVersion.TLSv1_1 or TlsVersion.TLSv1_2))
                d = d with { StrongCrypto = new(true, new Source(Source.DotNet, "SCH_USE_STRONG_CRYPTO is passed when the application names Tls, Tls11 or Tls12", "S23")) };
        }
        return d.Request!.Explicit.Value ? d.Assume(AssumptionSlot.ProductSetting, "explicit-request-schannel-cred") : d;
    }
}
