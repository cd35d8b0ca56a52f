using System.Collections.Immutable;

namespace TlsDoctor.Core;

/// <summary>What an endpoint accepts as a TLS server, as a scan observed it or as a policy defines it.</summary>
/// <param name="Protocols">One entry per version, unsupported versions included, oldest first.</param>
/// <param name="Groups">Groups the server accepts for (EC)DHE / key_share, in its order when it has one.</param>
/// <param name="SignatureSchemes">Signature schemes the server accepts, when known (empty = unknown).</param>
/// <param name="Certificates">The certificate chain the server presents, leaf first.</param>
/// <param name="Behaviours">Observed quirks, each with the evidence that shows it.</param>
public sealed record ServerProfile(
    ImmutableArray<ProtocolSupport> Protocols,
    ImmutableArray<NamedGroup> Groups,
    ImmutableArray<SignatureScheme> SignatureSchemes,
    ImmutableArray<CertificateInfo> Certificates,
    ImmutableArray<Behaviour> Behaviours)
{
    /// <summary>An empty profile: nothing supported, nothing known.</summary>
    public static ServerProfile Empty { get; } = new([], [], [], [], []);

    /// <summary>The entry for a version, or null when the profile does not mention it.</summary>
    public ProtocolSupport? For(TlsVersion version) => Protocols.FirstOrDefault(p => p.Version == version);

    /// <summary>Versions the server completes or at least answers, oldest first.</summary>
    public IEnumerable<TlsVersion> SupportedVersions => Protocols.Where(p => p.Supported).Select(p => p.Version);

    /// <summary>True when a behaviour of that kind was observed.</summary>
    public bool Has(BehaviourKind behaviourKind) => Behaviours.Any(b => b.Kind == behaviourKind);
}

/// <summary>What a server accepts in one protocol version.</summary>
/// <param name="ServerOrder">True when the server imposes its own suite order, false when it follows the client's, null when unknown (fewer than two suites).</param>
/// <param name="CipherSuites">Accepted suites; in the server's order when <paramref name="ServerOrder"/> is true.</param>
/// <param name="FullHandshake">Result of a complete handshake in this version, when one was attempted.</param>
public sealed record ProtocolSupport(
    TlsVersion Version,
    bool Supported,
    bool? ServerOrder,
    ImmutableArray<AcceptedSuite> CipherSuites,
    HandshakeCheck? FullHandshake = null)
{
    public static ProtocolSupport NotSupported(TlsVersion v) => new(v, false, null, []);

    /// <summary>RFC 7919 groups the server accepts for finite-field DHE in this version (TLS ≤ 1.2), with the DH size
    /// each yields, in the order found; empty when none was accepted or none was tried.</summary>
    public ImmutableArray<GroupDhBits> FfdheGroups { get; init; } = [];

    /// <summary>True when the server imposes its order except between AES-GCM and ChaCha20-Poly1305, where it follows the client.</summary>
    public bool ClientDependentOrder { get; init; }
}

/// <summary>A named finite-field group and the DH prime size the server's ServerKeyExchange showed with it.</summary>
public sealed record GroupDhBits(NamedGroup Group, int DhBits);

/// <summary>A suite a server accepted, with the key exchange size it used.</summary>
/// <param name="DhBits">Size of the DH prime a client offering no FFDHE group gets (DHE suites).</param>
/// <param name="DhBitsWithFfdhe">Size of the DH prime when FFDHE groups are offered, only when it differs.</param>
/// <param name="Group">ECDHE curve or TLS 1.3 group the server picked.</param>
public sealed record AcceptedSuite(CipherSuite Suite, int? DhBits = null, int? DhBitsWithFfdhe = null, NamedGroup? Group = null);

/// <summary>The outcome of one complete handshake.</summary>
/// <param name="Stage">The last stage reached: where it stopped, or <see cref="HandshakeStage.Completed"/>.</param>
/// <param name="Alert">Alert received from the peer (or raised locally, see <paramref name="AlertSentByUs"/>).</param>
public sealed record HandshakeCheck(
    bool Completed,
    HandshakeStage Stage,
    AlertDescription? Alert,
    bool AlertSentByUs = false,
    string? CipherSuite = null,
    int? DhBits = null,
    string? Error = null);

/// <summary>An observed quirk of a peer: its kind and human-readable detail.</summary>
public sealed record Behaviour(BehaviourKind Kind, string Detail, TlsVersion? Version = null)
{
    /// <summary>The probe connections (scan attempt ids) that show it; empty when it was not observed by a probe.</summary>
    public ImmutableArray<int> AttemptIds { get; init; } = [];
}
