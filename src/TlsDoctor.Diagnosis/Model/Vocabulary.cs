using TlsDoctor.Probe;
namespace TlsDoctor.Diagnosis;

/// <summary>Which connection a finding is about (DESIGN.md §1).</summary>
public enum Direction
{
    /// <summary>The Terminal Server (SCHANNEL client) connects to the device's HTTPS port.</summary>
    OutboundDevice,
    /// <summary>The device connects to the Terminal Server (port 5012).</summary>
    InboundDevice,
    /// <summary>The Terminal Server connects to the payment service.</summary>
    OutboundPayment,
}

/// <summary>What a remedy changes.</summary>
public enum RemedyKind { Registry, ProductSetting, WindowsUpdate, Certificate, Device }

/// <summary>Where an observation comes from.</summary>
public enum EvidenceSource { Probe, Policy, Capture, Log, Simulation }

/// <summary>What a probed endpoint is to the Terminal Server.</summary>
public enum EndpointRole
{
    /// <summary>A device the Terminal Server connects to.</summary>
    Device,
    /// <summary>The payment service.</summary>
    Payment,
    /// <summary>The Terminal Server's own inbound port.</summary>
    Server,
}

/// <summary>JSON spellings of the Diagnosis vocabulary (docs/json.md): a contract, like the finding ids.</summary>
public static class DiagnosisNames
{
    public static string Name(this Direction d) => d switch
    {
        Direction.OutboundDevice => "outbound-device",
        Direction.InboundDevice => "inbound-device",
        _ => "outbound-payment",
    };

    public static string Name(this RemedyKind k) => k switch
    {
        RemedyKind.Registry => "registry",
        RemedyKind.ProductSetting => "product-setting",
        RemedyKind.WindowsUpdate => "windows-update",
        RemedyKind.Certificate => "certificate",
        _ => "device",
    };

    public static string Name(this EvidenceSource s) => s switch
    {
        EvidenceSource.Probe => "probe",
        EvidenceSource.Policy => "policy",
        EvidenceSource.Capture => "capture",
        EvidenceSource.Log => "log",
        _ => "simulation",
    };

    public static string Name(this EndpointRole r) => r switch
    {
        EndpointRole.Device => "device",
        EndpointRole.Payment => "payment",
        _ => "server",
    };

    public static string Name(this LeadingZeroVerdict v) => v switch
    {
        LeadingZeroVerdict.Proven => "proven",
        LeadingZeroVerdict.Cleared => "cleared",
        _ => "inconclusive",
    };

    public static string Name(this NotScannedReason r) => r == NotScannedReason.Unreachable ? "unreachable" : "not-tls";

    /// <summary>True for the two directions in which the Terminal Server is the TLS client.</summary>
    public static bool IsOutbound(this Direction d) => d != Direction.InboundDevice;
}
