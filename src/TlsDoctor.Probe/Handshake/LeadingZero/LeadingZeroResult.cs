using TlsDoctor.Core;

namespace TlsDoctor.Probe.Handshake.LeadingZero;

/// <summary>How the DH public and shared values are chosen by <see cref="DhLeadingZeroProbe"/>.</summary>
public enum LeadingZeroMode
{
    /// <summary>An ordinary random DH private value: Z starts with 0x00 about once in 256 handshakes.</summary>
    Random,
    /// <summary>Pick x so that Z = Ys^x mod p starts with a zero byte; a correct server strips it (RFC 5246 §8.1.2).</summary>
    ForceSharedSecretLeadingZero,
    /// <summary>Pick x so that Yc starts with a zero byte and send Yc without it (shorter than p), as some stacks do.</summary>
    ForceClientPublicLeadingZeroUnpadded,
}

/// <summary>JSON spellings of <see cref="LeadingZeroMode"/>.</summary>
public static class LeadingZeroModes
{
    /// <summary>force-shared-secret-leading-zero, force-client-public-leading-zero-unpadded or random.</summary>
    public static string Name(LeadingZeroMode mode) => mode switch
    {
        LeadingZeroMode.ForceSharedSecretLeadingZero => "force-shared-secret-leading-zero",
        LeadingZeroMode.ForceClientPublicLeadingZeroUnpadded => "force-client-public-leading-zero-unpadded",
        _ => "random",
    };
}

/// <summary>Outcome of one DHE handshake of the leading-zero probe.</summary>
public sealed record LeadingZeroResult(
    bool Completed,
    HandshakeStage Stage,
    AlertDescription? Alert,
    bool AlertFromServer,
    int? DhBits,
    bool SharedSecretHadLeadingZero,
    bool ClientPublicHadLeadingZero,
    string Reason) : ProbeAnswer
{
    /// <summary>Negotiated version, when a ServerHello arrived.</summary>
    public TlsVersion? Version { get; init; }

    /// <summary>Negotiated cipher suite code, when a ServerHello arrived.</summary>
    public ushort? CipherSuite { get; init; }

    /// <summary>Private values tried before the forced condition held (1 in Random mode).</summary>
    public int Attempts { get; init; }
}
