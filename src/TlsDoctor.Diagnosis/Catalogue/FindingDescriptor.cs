using System.Collections.Immutable;
using TlsDoctor.Core;

namespace TlsDoctor.Diagnosis;

/// <summary>Severity of a finding: error breaks a connection now, warning is a risk, info is worth knowing.</summary>
public enum Severity { Info, Warning, Error }

/// <summary>JSON spelling of <see cref="Severity"/>.</summary>
public static class Severities
{
    public static string Name(this Severity s) => s switch { Severity.Error => "error", Severity.Warning => "warning", _ => "info" };
}

/// <summary>
/// Metadata of one kind of finding, apart from any occurrence (Roslyn's DiagnosticDescriptor): the id and slug are a
/// contract and are never reused; severity is the default for an occurrence, which a rule lowers only for a mere risk.
/// </summary>
/// <param name="Id">TD001…; TD0xx are the vendor guide's cases, TD1xx go beyond it.</param>
/// <param name="Slug">Stable kebab-case name (weak-dh).</param>
/// <param name="Title">One line for humans.</param>
/// <param name="DefaultSeverity">Severity when the finding breaks a connection (rules may lower it for a mere risk).</param>
/// <param name="Category">protocol, key-exchange, certificate or policy.</param>
/// <param name="GuideReference">The vendor guide section it automates, or "beyond the guide".</param>
/// <param name="Reasons">The simulated failure reasons this finding explains: the one place a reason is mapped to a finding.</param>
public sealed record FindingDescriptor(string Id, string Slug, string Title, Severity DefaultSeverity, string Category, string GuideReference,
    ImmutableArray<FailureReason> Reasons)
{
    /// <summary>docs/findings.md anchor.</summary>
    public string HelpLink => $"docs/findings.md#{Id.ToLowerInvariant()}-{Slug}";

    /// <summary>The connections the finding can be about; every direction unless the catalogue narrows it.</summary>
    public ImmutableArray<Direction> Directions { get; init; } = [Direction.OutboundDevice, Direction.InboundDevice, Direction.OutboundPayment];

    /// <summary>True when the finding automates a case of the vendor guide (TD0xx).</summary>
    public bool InGuide => GuideReference != Findings.BeyondTheGuide;

    public override string ToString() => $"{Id} {Slug}";
}

/// <summary>The findings catalogue (DESIGN.md §6). Add entries; never rename or reuse an id or slug.</summary>
public static class Findings
{
    /// <summary>The guide reference of findings the vendor guide does not cover.</summary>
    public const string BeyondTheGuide = "beyond the guide";
    private const string Beyond = BeyondTheGuide;

    public static readonly FindingDescriptor WeakDh = new("TD001", "weak-dh",
        "The device's DHE group is smaller than the SCHANNEL client accepts", Severity.Error, "key-exchange",
        "The Device Only Supports Weak DH Keys",
        [FailureReason.DhTooSmall]) { Directions = [Direction.OutboundDevice, Direction.OutboundPayment] };
    public static readonly FindingDescriptor BrokenDh = new("TD002", "broken-dh",
        "The DH shared secret's leading zero byte is handled differently by the two sides (random handshake failures)", Severity.Error, "key-exchange",
        "The Incorrect Implementation of the DH Algorithm in the Device",
        [FailureReason.DhLeadingZero]) { Directions = [Direction.OutboundDevice, Direction.OutboundPayment] };
    public static readonly FindingDescriptor Tls12Intolerance = new("TD003", "tls12-intolerance",
        "The device accepts a protocol version it does not implement, then the handshake fails", Severity.Error, "protocol",
        "The MFD Only Supports Older SSL/TLS Protocol Versions, but also Accepts Higher Ones",
        [FailureReason.HandshakeFailsAfterHello, FailureReason.VersionIntolerance]) { Directions = [Direction.OutboundDevice, Direction.OutboundPayment] };
    public static readonly FindingDescriptor Sha512Unpatched = new("TD004", "sha512-unpatched",
        "TLS 1.2 with a SHA-512-signed certificate fails on this Windows without the August 2014 update", Severity.Error, "certificate",
        "Communication with Dispatcher Paragon Payment System Fails",
        [FailureReason.Sha512Tls12Unpatched]) { Directions = [Direction.OutboundDevice, Direction.OutboundPayment] };
    public static readonly FindingDescriptor NoCommonProtocol = new("TD005", "no-common-protocol",
        "The two sides share no protocol version", Severity.Error, "protocol",
        "The Device Supporting Only Higher Versions of the SSL/TLS Protocol Cannot Connect",
        [FailureReason.NoCommonProtocol]);
    public static readonly FindingDescriptor UntrustedCertificate = new("TD006", "untrusted-certificate",
        "The device does not trust the Terminal Server's certificate", Severity.Error, "certificate",
        "The Certificate Is Not Trusted",
        [FailureReason.UntrustedCertificate]) { Directions = [Direction.InboundDevice] };
    public static readonly FindingDescriptor UnsupportedCertificate = new("TD007", "unsupported-certificate",
        "The device cannot verify the certificate's key or signature algorithm", Severity.Error, "certificate",
        "The Device Does Not Support the Cryptographic Algorithm Used for the Certificate or the Key Length",
        [FailureReason.CertificateHashUnsupported, FailureReason.CertificateKeyTooLarge, FailureReason.CertificateKeyUnsupported,
         FailureReason.CertificateKeyTooSmall, FailureReason.NoCommonSignatureScheme]) { Directions = [Direction.InboundDevice] };
    public static readonly FindingDescriptor NoCommonCipherSuite = new("TD101", "no-common-cipher-suite",
        "The two sides share no cipher suite in the negotiated version", Severity.Error, "protocol", Beyond,
        [FailureReason.NoCommonCipherSuite]);
    public static readonly FindingDescriptor NoCommonGroup = new("TD102", "no-common-group",
        "The suites in common need an elliptic curve the two sides do not share", Severity.Error, "key-exchange", Beyond,
        [FailureReason.NoCommonGroup]);
    public static readonly FindingDescriptor DhTooLarge = new("TD103", "dh-too-large",
        "The DH group is larger than the client can handle", Severity.Error, "key-exchange", Beyond,
        [FailureReason.DhTooLarge]);
    public static readonly FindingDescriptor CertificateExpired = new("TD104", "certificate-expired",
        "A certificate in the chain has expired or is not yet valid", Severity.Error, "certificate", Beyond,
        [FailureReason.CertificateExpired, FailureReason.CertificateNotYetValid]);
    public static readonly FindingDescriptor CertificateNameMismatch = new("TD105", "certificate-name-mismatch",
        "The certificate does not name the host it is reached by", Severity.Error, "certificate", Beyond,
        []) { Directions = [Direction.OutboundPayment] };
    public static readonly FindingDescriptor LegacyOnlyDevice = new("TD106", "legacy-only-device",
        "The device speaks only SSLv3 or only RC4 suites, which this Windows no longer offers", Severity.Error, "protocol", Beyond,
        [FailureReason.NoCommonProtocol, FailureReason.NoCommonCipherSuite]);
    public static readonly FindingDescriptor Tls13OnlyDevice = new("TD107", "tls13-only-device",
        "The device speaks only TLS 1.3, which this Windows release does not implement", Severity.Error, "protocol", Beyond,
        [FailureReason.NoCommonProtocol]);
    public static readonly FindingDescriptor DotNetNoTls12 = new("TD108", "dotnet-no-tls12",
        "The .NET Framework settings keep the Terminal Server from offering TLS 1.2", Severity.Error, "policy", Beyond,
        [FailureReason.NoCommonProtocol]) { Directions = [Direction.OutboundDevice, Direction.OutboundPayment] };

    public static readonly FindingDescriptor ModelMismatch = new("TD109", "model-mismatch",
        "A real SCHANNEL handshake did not do what the model predicted", Severity.Warning, "policy", Beyond,
        []) { Directions = [Direction.OutboundDevice, Direction.OutboundPayment] };

    /// <summary>The catch-all: reported only when the simulation fails and no other finding explains why.</summary>
    public static readonly FindingDescriptor UnexplainedFailure = new("TD110", "unexplained-failure",
        "The simulated handshake fails for a reason no other finding covers", Severity.Error, "protocol", Beyond,
        []);

    /// <summary>Every descriptor, by id.</summary>
    public static ImmutableArray<FindingDescriptor> All { get; } =
    [
        WeakDh, BrokenDh, Tls12Intolerance, Sha512Unpatched, NoCommonProtocol, UntrustedCertificate, UnsupportedCertificate,
        NoCommonCipherSuite, NoCommonGroup, DhTooLarge, CertificateExpired, CertificateNameMismatch, LegacyOnlyDevice,
        Tls13OnlyDevice, DotNetNoTls12, ModelMismatch, UnexplainedFailure,
    ];

    /// <summary>
    /// Rule precedence, the one place it is decided: when a direction has the stronger finding, the weaker one is not
    /// reported (a specific cause of "no common protocol" replaces the generic finding).
    /// </summary>
    public static ImmutableArray<(FindingDescriptor Stronger, FindingDescriptor Weaker)> Precedence { get; } =
    [
        (LegacyOnlyDevice, NoCommonProtocol), (Tls13OnlyDevice, NoCommonProtocol), (DotNetNoTls12, NoCommonProtocol),
        (LegacyOnlyDevice, NoCommonCipherSuite),
    ];

    /// <summary>Drops the findings that a stronger finding of the same direction and target replaces (<see cref="Precedence"/>).</summary>
    public static IEnumerable<Finding> ApplyPrecedence(IReadOnlyCollection<Finding> findings) =>
        findings.Where(f => !Precedence.Any(p => p.Weaker == f.Descriptor
            && findings.Any(o => o.Descriptor == p.Stronger && o.Direction == f.Direction && o.Target == f.Target)));

    /// <summary>The guide's and our own findings that explain a failure reason, catalogue order.</summary>
    public static IEnumerable<FindingDescriptor> ForReason(FailureReason reason) => All.Where(d => d.Reasons.Contains(reason));

    /// <summary>The descriptor with that id or slug, or null.</summary>
    public static FindingDescriptor? Find(string idOrSlug) =>
        All.FirstOrDefault(d => d.Id.Equals(idOrSlug, StringComparison.OrdinalIgnoreCase) || d.Slug.Equals(idOrSlug, StringComparison.OrdinalIgnoreCase));
}
