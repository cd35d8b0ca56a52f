using System.Collections.Immutable;

namespace TlsDoctor.Wire;

/// <summary>What to put in a ClientHello; <see cref="ClientHelloBuilder"/> turns it into bytes.</summary>
public sealed record ClientHelloSpec
{
    private readonly ushort? _recordVersion;

    /// <summary>ClientHello.legacy_version (client_version before TLS 1.3).</summary>
    public ushort LegacyVersion { get; init; } = 0x0303;

    /// <summary>Record-layer version; defaults to 0x0300 for an SSLv3 hello and 0x0301 otherwise.</summary>
    public ushort RecordVersion
    {
        get => _recordVersion ?? (LegacyVersion <= 0x0300 ? (ushort)0x0300 : (ushort)0x0301);
        init => _recordVersion = value;
    }

    /// <summary>Cipher suite codes in preference order; SCSVs (0x00FF, 0x5600) are simply codes here.</summary>
    public ImmutableArray<ushort> CipherSuites { get; init; } = [];
    public ImmutableArray<byte> CompressionMethods { get; init; } = [0];
    public string? ServerName { get; init; }
    public ImmutableArray<ushort>? SupportedGroups { get; init; }
    /// <summary>Adds ec_point_formats offering uncompressed only.</summary>
    public bool EcPointFormats { get; init; }
    public ImmutableArray<ushort>? SignatureAlgorithms { get; init; }
    /// <summary>The TLS 1.3 supported_versions list, in preference order.</summary>
    public ImmutableArray<ushort>? SupportedVersions { get; init; }
    /// <summary>key_share entries; an empty list sends an empty key_share to provoke a HelloRetryRequest.</summary>
    public ImmutableArray<KeyShareEntry>? KeyShares { get; init; }
    public bool RenegotiationInfo { get; init; }
    public bool ExtendedMasterSecret { get; init; }
    public bool SessionTicket { get; init; }
    /// <summary>Adds a padding extension so the handshake message (with header) is this long (RFC 7685); a gap of 1–3 bytes overshoots to 4.</summary>
    public int? PadToLength { get; init; }
    /// <summary>Omits the extensions block entirely (SSLv3-style hello); all extension options are ignored.</summary>
    public bool NoExtensions { get; init; }
    /// <summary>32 bytes; null or empty uses <see cref="ClientHelloBuilder.DefaultRandom"/>.</summary>
    public ReadOnlyMemory<byte>? Random { get; init; }
    public ReadOnlyMemory<byte>? SessionId { get; init; }
    /// <summary>Extensions appended after the built-in ones (before padding, except pre_shared_key which stays last).</summary>
    public ImmutableArray<RawExtension> ExtraExtensions { get; init; } = [];
}

/// <summary>A parsed ClientHello: the raw fields plus decoded views of well-known extensions.</summary>
public sealed record ClientHello(
    ushort LegacyVersion,
    ReadOnlyMemory<byte> Random,
    ReadOnlyMemory<byte> SessionId,
    ImmutableArray<ushort> CipherSuites,
    ImmutableArray<byte> CompressionMethods,
    ImmutableArray<RawExtension> Extensions)
{
    /// <summary>False when the hello ended after compression_methods (no extensions block at all).</summary>
    public bool HasExtensionsBlock { get; init; } = true;

    public RawExtension? FindExtension(ExtensionType type) => HelloExtensions.Find(Extensions, type);

    /// <summary>The host_name from server_name, or null.</summary>
    public string? ServerName
    {
        get
        {
            if (FindExtension(ExtensionType.ServerName) is not { } e) return null;
            var r = new TlsReader(e.Data.Span);
            var v = HelloExtensions.DecodeServerName(ref r);
            return r.Failed ? null : v;
        }
    }
    public ImmutableArray<ushort>? SupportedGroups => DecodeArray(ExtensionType.SupportedGroups, static (ref TlsReader r) => HelloExtensions.DecodeUInt16Vector(ref r, 2, "supported_groups"));
    public ImmutableArray<ushort>? SignatureAlgorithms => DecodeArray(ExtensionType.SignatureAlgorithms, static (ref TlsReader r) => HelloExtensions.DecodeUInt16Vector(ref r, 2, "signature_algorithms"));
    public ImmutableArray<ushort>? SignatureAlgorithmsCert => DecodeArray(ExtensionType.SignatureAlgorithmsCert, static (ref TlsReader r) => HelloExtensions.DecodeUInt16Vector(ref r, 2, "signature_algorithms_cert"));
    public ImmutableArray<ushort>? SupportedVersions => DecodeArray(ExtensionType.SupportedVersions, static (ref TlsReader r) => HelloExtensions.DecodeUInt16Vector(ref r, 1, "supported_versions"));
    public ImmutableArray<byte>? EcPointFormats => DecodeArray(ExtensionType.EcPointFormats, static (ref TlsReader r) => HelloExtensions.DecodeUInt8Vector(ref r, "ec_point_formats"));
    public ImmutableArray<string>? Alpn => DecodeArray(ExtensionType.Alpn, static (ref TlsReader r) => HelloExtensions.DecodeAlpn(ref r));
    public ImmutableArray<KeyShareEntry>? KeyShares => DecodeArray(ExtensionType.KeyShare, static (ref TlsReader r) => HelloExtensions.DecodeKeyShareClient(ref r));
    public bool HasRenegotiationInfo => FindExtension(ExtensionType.RenegotiationInfo) is not null;
    public bool ExtendedMasterSecret => FindExtension(ExtensionType.ExtendedMasterSecret) is not null;
    public bool SessionTicket => FindExtension(ExtensionType.SessionTicket) is not null;
    /// <summary>Length of the padding extension's data, if present.</summary>
    public int? PaddingLength => FindExtension(ExtensionType.Padding)?.Data.Length;

    internal delegate T Decoder<T>(ref TlsReader r);

    private ImmutableArray<T>? DecodeArray<T>(ExtensionType type, Decoder<ImmutableArray<T>> decode)
    {
        if (FindExtension(type) is not { } e) return null;
        var r = new TlsReader(e.Data.Span);
        var v = decode(ref r);
        return r.Failed ? null : v;
    }
}

/// <summary>Parses a ClientHello body (handshake header already removed); never throws.</summary>
public static class ClientHelloReader
{
    // struct {
    //     ProtocolVersion legacy_version;
    //     Random random;
    //     opaque legacy_session_id<0..32>;
    //     CipherSuite cipher_suites<2..2^16-2>;
    //     opaque legacy_compression_methods<1..2^8-1>;
    //     Extension extensions<8..2^16-1>;   (absent in SSLv3 / old clients)
    // } ClientHello;
    public static WireStatus TryRead(ReadOnlySpan<byte> body, out ClientHello hello, out WireError error)
    {
        hello = null!;
        var r = new TlsReader(body);
        var version = r.ReadUInt16("ClientHello.legacy_version");
        var random = r.ReadBytes(32, "ClientHello.random");
        var sidAt = r.Offset;
        var sessionId = r.ReadOpaque8("ClientHello.legacy_session_id");
        if (!r.Failed && sessionId.Length > 32)
            r.FailAt(WireStatus.Malformed, sidAt, "ClientHello.legacy_session_id", $"length {sessionId.Length} exceeds 32");

        var suitesAt = r.Offset;
        var suitesVec = r.ReadVector16("ClientHello.cipher_suites");
        if (!r.Failed && (suitesVec.Remaining == 0 || suitesVec.Remaining % 2 != 0))
            r.FailAt(WireStatus.Malformed, suitesAt, "ClientHello.cipher_suites", $"length {suitesVec.Remaining} is not a positive even number");
        var suites = ImmutableArray.CreateBuilder<ushort>(Math.Max(0, suitesVec.Remaining / 2));
        while (!r.Failed && !suitesVec.IsAtEnd && !suitesVec.Failed) suites.Add(suitesVec.ReadUInt16("ClientHello.cipher_suites"));
        r.Absorb(suitesVec);

        var compAt = r.Offset;
        var comps = r.ReadOpaque8("ClientHello.legacy_compression_methods");
        if (!r.Failed && comps.Length == 0)
            r.FailAt(WireStatus.Malformed, compAt, "ClientHello.legacy_compression_methods", "empty list (at least null compression is required)");
        var compressions = comps.ToArray().ToImmutableArray();

        var hasBlock = !r.Failed && !r.IsAtEnd;
        var extensions = ImmutableArray<RawExtension>.Empty;
        var dataOffsets = new List<int>();
        if (hasBlock)
        {
            var extVec = r.ReadVector16("ClientHello.extensions");
            extensions = HelloExtensions.ReadList(ref extVec, "ClientHello.extensions", dataOffsets);
            r.Absorb(extVec);
            r.ExpectEnd("ClientHello");
        }
        if (r.Failed) return r.Finish(out error);

        hello = new ClientHello(version, random.ToArray(), sessionId.ToArray(), suites.ToImmutable(), compressions, extensions)
        {
            HasExtensionsBlock = hasBlock,
        };
        return Validate(hello, dataOffsets, out error);
    }

    // Known extensions must decode: a server would abort with decode_error on them.
    private static WireStatus Validate(ClientHello h, List<int> dataOffsets, out WireError error)
    {
        error = default;
        for (var i = 0; i < h.Extensions.Length; i++)
        {
            var e = h.Extensions[i];
            var r = new TlsReader(e.Data.Span, dataOffsets[i]);
            switch (e.Kind)
            {
                case ExtensionType.ServerName: HelloExtensions.DecodeServerName(ref r); break;
                case ExtensionType.SupportedGroups: HelloExtensions.DecodeUInt16Vector(ref r, 2, "supported_groups"); break;
                case ExtensionType.SignatureAlgorithms: HelloExtensions.DecodeUInt16Vector(ref r, 2, "signature_algorithms"); break;
                case ExtensionType.SignatureAlgorithmsCert: HelloExtensions.DecodeUInt16Vector(ref r, 2, "signature_algorithms_cert"); break;
                case ExtensionType.SupportedVersions: HelloExtensions.DecodeUInt16Vector(ref r, 1, "supported_versions"); break;
                case ExtensionType.EcPointFormats: HelloExtensions.DecodeUInt8Vector(ref r, "ec_point_formats"); break;
                case ExtensionType.Alpn: HelloExtensions.DecodeAlpn(ref r); break;
                case ExtensionType.KeyShare: HelloExtensions.DecodeKeyShareClient(ref r); break;
                default: continue;
            }
            if (r.Failed)
            {
                error = r.Error with { Field = "ClientHello.extensions." + r.Error.Field };
                return WireStatus.Malformed;
            }
        }
        return WireStatus.Done;
    }
}
