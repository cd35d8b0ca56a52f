namespace TlsDoctor.Wire;

/// <summary>TLS record content types (RFC 8446 §5.1, RFC 6520); unknown values survive the cast.</summary>
public enum ContentType : byte
{
    ChangeCipherSpec = 20,
    Alert = 21,
    Handshake = 22,
    ApplicationData = 23,
    Heartbeat = 24,
}

/// <summary>TLS handshake message types with their IANA values.</summary>
public enum HandshakeType : byte
{
    HelloRequest = 0,
    ClientHello = 1,
    ServerHello = 2,
    HelloVerifyRequest = 3,
    NewSessionTicket = 4,
    EndOfEarlyData = 5,
    EncryptedExtensions = 8,
    Certificate = 11,
    ServerKeyExchange = 12,
    CertificateRequest = 13,
    ServerHelloDone = 14,
    CertificateVerify = 15,
    ClientKeyExchange = 16,
    Finished = 20,
    CertificateUrl = 21,
    CertificateStatus = 22,
    SupplementalData = 23,
    KeyUpdate = 24,
    CompressedCertificate = 25,
    MessageHash = 254,
}

/// <summary>TLS extension types with their IANA values.</summary>
public enum ExtensionType : ushort
{
    ServerName = 0,
    MaxFragmentLength = 1,
    ClientCertificateUrl = 2,
    TrustedCaKeys = 3,
    TruncatedHmac = 4,
    StatusRequest = 5,
    UserMapping = 6,
    ClientAuthz = 7,
    ServerAuthz = 8,
    CertType = 9,
    SupportedGroups = 10,
    EcPointFormats = 11,
    Srp = 12,
    SignatureAlgorithms = 13,
    UseSrtp = 14,
    Heartbeat = 15,
    /// <summary>application_layer_protocol_negotiation (RFC 7301).</summary>
    Alpn = 16,
    StatusRequestV2 = 17,
    SignedCertificateTimestamp = 18,
    ClientCertificateType = 19,
    ServerCertificateType = 20,
    Padding = 21,
    EncryptThenMac = 22,
    ExtendedMasterSecret = 23,
    TokenBinding = 24,
    CachedInfo = 25,
    CompressCertificate = 27,
    RecordSizeLimit = 28,
    SessionTicket = 35,
    PreSharedKey = 41,
    EarlyData = 42,
    SupportedVersions = 43,
    Cookie = 44,
    PskKeyExchangeModes = 45,
    CertificateAuthorities = 47,
    OidFilters = 48,
    PostHandshakeAuth = 49,
    SignatureAlgorithmsCert = 50,
    KeyShare = 51,
    NextProtocolNegotiation = 0x3374,
    EncryptedClientHello = 0xfe0d,
    RenegotiationInfo = 0xff01,
}

/// <summary>Outcome of a Wire parser: complete, incomplete (feed more bytes) or invalid.</summary>
public enum WireStatus
{
    Done,
    NeedMoreData,
    Malformed,
}

/// <summary>Where and why parsing stopped; Offset is relative to the span given to the parser.</summary>
public readonly record struct WireError(int Offset, string Field, string Reason)
{
    public override string ToString() => $"{Field} at offset {Offset}: {Reason}";
}

/// <summary>An extension as it appeared on the wire: type code and opaque data.</summary>
public sealed record RawExtension(ushort Type, ReadOnlyMemory<byte> Data)
{
    public RawExtension(ExtensionType type, ReadOnlyMemory<byte> data) : this((ushort)type, data) { }

    /// <summary>The type as enum (unknown codes survive the cast).</summary>
    public ExtensionType Kind => (ExtensionType)Type;
}

/// <summary>One TLS record: content type, record-layer version and a copy of the fragment.</summary>
public sealed record TlsRecord(ContentType Type, ushort Version, ReadOnlyMemory<byte> Fragment);

/// <summary>One complete handshake message (header stripped) as produced by <see cref="HandshakeReassembler"/>.</summary>
public sealed record HandshakeMessage(HandshakeType Type, ReadOnlyMemory<byte> Body)
{
    /// <summary>The message with its 4-byte header again, e.g. for a transcript.</summary>
    public byte[] ToBytes()
    {
        var b = new byte[4 + Body.Length];
        b[0] = (byte)Type;
        b[1] = (byte)(Body.Length >> 16);
        b[2] = (byte)(Body.Length >> 8);
        b[3] = (byte)Body.Length;
        Body.Span.CopyTo(b.AsSpan(4));
        return b;
    }
}

/// <summary>A key_share entry: named group and opaque key exchange bytes.</summary>
public sealed record KeyShareEntry(ushort Group, ReadOnlyMemory<byte> KeyExchange);

/// <summary>How the first bytes of a server's answer are framed.</summary>
public enum RecordFraming
{
    NeedMoreData,
    Tls,
    Sslv2,
    NotTls,
}
