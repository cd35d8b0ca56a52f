using System.Collections.Immutable;

namespace TlsDoctor.Wire;

/// <summary>A parsed ServerHello (or HelloRetryRequest, which shares its layout).</summary>
public sealed record ServerHello(
    ushort LegacyVersion,
    ReadOnlyMemory<byte> Random,
    ReadOnlyMemory<byte> SessionId,
    ushort CipherSuite,
    byte Compression,
    ImmutableArray<RawExtension> Extensions)
{
    /// <summary>SHA-256("HelloRetryRequest"), the random that marks a HelloRetryRequest (RFC 8446 §4.1.3).</summary>
    public static ReadOnlyMemory<byte> HelloRetryRequestRandom { get; } = Convert.FromHexString(
        "CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");

    /// <summary>False when the message ended after the compression method (valid before TLS 1.3).</summary>
    public bool HasExtensionsBlock { get; init; } = true;

    public bool IsHelloRetryRequest => Random.Span.SequenceEqual(HelloRetryRequestRandom.Span);

    public RawExtension? FindExtension(ExtensionType type) => HelloExtensions.Find(Extensions, type);

    /// <summary>supported_versions' selected_version when present, else legacy_version.</summary>
    public ushort SelectedVersion =>
        FindExtension(ExtensionType.SupportedVersions) is { Data.Length: 2 } e
            ? (ushort)((e.Data.Span[0] << 8) | e.Data.Span[1])
            : LegacyVersion;

    /// <summary>key_share group: selected_group in a HelloRetryRequest, the server's entry group in a ServerHello.</summary>
    public ushort? KeyShareGroup =>
        FindExtension(ExtensionType.KeyShare) is { Data.Length: >= 2 } e
            ? (ushort)((e.Data.Span[0] << 8) | e.Data.Span[1])
            : null;

    /// <summary>The server's key_exchange bytes from key_share (ServerHello only).</summary>
    public ReadOnlyMemory<byte>? KeyShareKeyExchange =>
        !IsHelloRetryRequest && FindExtension(ExtensionType.KeyShare) is { Data.Length: >= 4 } e ? e.Data[4..] : (ReadOnlyMemory<byte>?)null;

    public bool HasRenegotiationInfo => FindExtension(ExtensionType.RenegotiationInfo) is not null;
    public bool ExtendedMasterSecret => FindExtension(ExtensionType.ExtendedMasterSecret) is not null;
    public bool EncryptThenMac => FindExtension(ExtensionType.EncryptThenMac) is not null;
    public bool SessionTicket => FindExtension(ExtensionType.SessionTicket) is not null;

    /// <summary>The last byte of a TLS 1.3 downgrade sentinel ("DOWNGRD" + 01 for TLS 1.2, 00 for ≤ 1.1), or null.</summary>
    public byte? DowngradeSentinel
    {
        get
        {
            var r = Random.Span;
            if (r.Length != 32) return null;
            return r[24..31].SequenceEqual("DOWNGRD"u8) && r[31] <= 1 ? r[31] : null;
        }
    }
}

/// <summary>Parses a ServerHello body (handshake header removed); never throws.</summary>
public static class ServerHelloReader
{
    // struct {
    //     ProtocolVersion legacy_version;
    //     Random random;
    //     opaque legacy_session_id_echo<0..32>;
    //     CipherSuite cipher_suite;
    //     uint8 legacy_compression_method;
    //     Extension extensions<6..2^16-1>;   (may be absent before TLS 1.3)
    // } ServerHello;
    public static WireStatus TryRead(ReadOnlySpan<byte> body, out ServerHello hello, out WireError error)
    {
        hello = null!;
        var r = new TlsReader(body);
        var version = r.ReadUInt16("ServerHello.legacy_version");
        var random = r.ReadBytes(32, "ServerHello.random");
        var sidAt = r.Offset;
        var sessionId = r.ReadOpaque8("ServerHello.legacy_session_id_echo");
        if (!r.Failed && sessionId.Length > 32)
            r.FailAt(WireStatus.Malformed, sidAt, "ServerHello.legacy_session_id_echo", $"length {sessionId.Length} exceeds 32");
        var suite = r.ReadUInt16("ServerHello.cipher_suite");
        var compression = r.ReadUInt8("ServerHello.legacy_compression_method");

        // Old devices end the message here; that is valid, not truncated (RFC 5246 §7.4.1.3).
        var hasBlock = !r.Failed && !r.IsAtEnd;
        var extensions = ImmutableArray<RawExtension>.Empty;
        var dataOffsets = new List<int>();
        if (hasBlock)
        {
            var extVec = r.ReadVector16("ServerHello.extensions");
            extensions = HelloExtensions.ReadList(ref extVec, "ServerHello.extensions", dataOffsets);
            r.Absorb(extVec);
            r.ExpectEnd("ServerHello");
        }
        if (r.Failed) return r.Finish(out error);

        hello = new ServerHello(version, random.ToArray(), sessionId.ToArray(), suite, compression, extensions) { HasExtensionsBlock = hasBlock };
        var isHrr = hello.IsHelloRetryRequest;
        for (var i = 0; i < extensions.Length; i++)
        {
            var e = extensions[i];
            var x = new TlsReader(e.Data.Span, dataOffsets[i]);
            switch (e.Kind)
            {
                case ExtensionType.SupportedVersions:
                    x.ReadUInt16("ServerHello.extensions.supported_versions.selected_version");
                    x.ExpectEnd("ServerHello.extensions.supported_versions");
                    break;
                case ExtensionType.KeyShare when isHrr:
                    x.ReadUInt16("HelloRetryRequest.extensions.key_share.selected_group");
                    x.ExpectEnd("HelloRetryRequest.extensions.key_share");
                    break;
                case ExtensionType.KeyShare:
                    x.ReadUInt16("ServerHello.extensions.key_share.group");
                    x.ReadOpaque16("ServerHello.extensions.key_share.key_exchange");
                    x.ExpectEnd("ServerHello.extensions.key_share");
                    break;
                case ExtensionType.RenegotiationInfo:
                    x.ReadOpaque8("ServerHello.extensions.renegotiation_info.renegotiated_connection");
                    x.ExpectEnd("ServerHello.extensions.renegotiation_info");
                    break;
                case ExtensionType.EcPointFormats:
                    x.ReadOpaque8("ServerHello.extensions.ec_point_formats");
                    x.ExpectEnd("ServerHello.extensions.ec_point_formats");
                    break;
                default:
                    continue;
            }
            if (x.Failed)
            {
                hello = null!;
                return x.Finish(out error);
            }
        }
        error = default;
        return WireStatus.Done;
    }
}
