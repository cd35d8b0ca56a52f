using System.Collections.Frozen;

namespace TlsDoctor.Core;

/// <summary>What kind of quirk a peer showed; JSON and findings depend on the spellings in <see cref="BehaviourKinds"/>.</summary>
public enum BehaviourKind
{
    /// <summary>Server answered a higher version's hello with an abort instead of a downgrade.</summary>
    VersionIntolerance,
    /// <summary>Server accepts a version in ServerHello then fails the handshake (bad_record_mac / decrypt_error).</summary>
    HandshakeFailsAfterHello,
    /// <summary>Server rejects hellos with extensions but accepts them without.</summary>
    ExtensionIntolerance,
    /// <summary>Server rejects ClientHellos above a size; detail names the size that worked.</summary>
    ClientHelloSizeLimit,
    /// <summary>Server does not strip leading zeros of the DH shared secret (RFC 5246 §8.1.2).</summary>
    DhLeadingZeroBug,
    /// <summary>A DHE handshake failed at Finished once and completed on retry: the random face of the leading-zero bug.</summary>
    DhLeadingZeroSuspected,
    /// <summary>Server supports secure renegotiation (RFC 5746).</summary>
    SecureRenegotiation,
    /// <summary>Server lacks RFC 5746 support.</summary>
    NoSecureRenegotiation,
    /// <summary>Server chose a suite or version the client never offered.</summary>
    ProtocolViolation,
    /// <summary>Server uses a different DH group when FFDHE groups are offered.</summary>
    FfdheChangesDhGroup,
    /// <summary>A certificate the server sent could not be decoded.</summary>
    UndecodableCertificate,
    /// <summary>The DH parameters of a ServerKeyExchange cannot work for any client (p not an odd number above 1, g or Ys outside 2..p-2, p absurdly large).</summary>
    DhInvalidParameters,
    /// <summary>The server closes the connection when the ClientHello asks for OCSP stapling (status_request) and answers without it.</summary>
    StatusRequestIntolerance,
    /// <summary>The server imposes its order except between AES-GCM and ChaCha20-Poly1305, where it follows the client (Go's rule).</summary>
    ClientDependentOrder,
}

/// <summary>The stable JSON spellings of <see cref="BehaviourKind"/> ("version-intolerance", …), both ways.</summary>
public static class BehaviourKinds
{
    private static readonly FrozenDictionary<BehaviourKind, string> Names = new Dictionary<BehaviourKind, string>
    {
        [BehaviourKind.VersionIntolerance] = "version-intolerance",
        [BehaviourKind.HandshakeFailsAfterHello] = "handshake-fails-after-hello",
        [BehaviourKind.ExtensionIntolerance] = "extension-intolerance",
        [BehaviourKind.ClientHelloSizeLimit] = "client-hello-size-limit",
        [BehaviourKind.DhLeadingZeroBug] = "dh-leading-zero-bug",
        [BehaviourKind.DhLeadingZeroSuspected] = "dh-leading-zero-suspected",
        [BehaviourKind.SecureRenegotiation] = "secure-renegotiation",
        [BehaviourKind.NoSecureRenegotiation] = "no-secure-renegotiation",
        [BehaviourKind.ProtocolViolation] = "protocol-violation",
        [BehaviourKind.FfdheChangesDhGroup] = "ffdhe-changes-dh-group",
        [BehaviourKind.UndecodableCertificate] = "undecodable-certificate",
        [BehaviourKind.DhInvalidParameters] = "dh-invalid-parameters",
        [BehaviourKind.StatusRequestIntolerance] = "status-request-intolerance",
        [BehaviourKind.ClientDependentOrder] = "client-dependent-order",
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, BehaviourKind> ByName = Names.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>Every kind, in declaration order.</summary>
    public static IReadOnlyList<BehaviourKind> All { get; } = Enum.GetValues<BehaviourKind>();

    /// <summary>The JSON spelling.</summary>
    public static string Name(this BehaviourKind kind) => Names.TryGetValue(kind, out var name) ? name : kind.ToString();

    /// <summary>Reads a JSON spelling; false for anything else.</summary>
    public static bool TryParse(string? name, out BehaviourKind kind) => ByName.TryGetValue(name ?? "", out kind);
}
