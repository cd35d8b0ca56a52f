using TlsDoctor.Core;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Diagnosis;

/// <summary>
/// The certificate the Terminal Server is assumed to present when none was observed, one definition for `diagnose`
/// and `simulate`: the product's default (MU17+: RSA 2048, SHA-256, the same in every deployment; knowledge §7.2,
/// unconfirmed), with the assumption that says so.
/// </summary>
public static class AssumedServerCertificate
{
    /// <summary>The assumption's id in every report.</summary>
    public const string AssumptionId = "server-certificate-default";

    /// <summary>The assumption's text.</summary>
    public const string Text =
        "The Terminal Server presents its default certificate: RSA 2048, signed with SHA-256, the same in every deployment " +
        "(UNCONFIRMED); give --server HOST:PORT (diagnose) or --server-cert FILE (simulate) to use the real one.";

    /// <summary>Where the assumption comes from.</summary>
    public const string Source = "schannel.md §7.2";

    /// <summary>The certificate, valid from a year before <paramref name="now"/> for ten years; its fingerprint never matches a real one.</summary>
    public static CertificateInfo At(DateTimeOffset now) =>
        PlannedCertificates.Make("CN=Terminal Server default certificate (assumed)", 2048, "sha256", now.AddYears(-1), now.AddYears(9), "assumed-default");

    /// <summary>The assumption in a diagnosis report.</summary>
    public static ReportAssumption Assumption { get; } = new(AssumptionId, Text);

    /// <summary>The assumption in a policy-style report (simulate).</summary>
    public static PolicyReportAssumption PolicyAssumption { get; } = new(AssumptionId, Text, Source);
}
