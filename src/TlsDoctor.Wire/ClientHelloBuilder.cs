using System.Collections.Immutable;

namespace TlsDoctor.Wire;

/// <summary>Turns a <see cref="ClientHelloSpec"/> into ClientHello bytes; throws ArgumentException only for specs that cannot be encoded.</summary>
public static class ClientHelloBuilder
{
    /// <summary>The random used when the spec gives none: fixed, so probes are reproducible, and free of zero bytes.</summary>
    public static ReadOnlyMemory<byte> DefaultRandom { get; } = Enumerable.Range(0, 32).Select(i => (byte)(0x54 + i * 5)).ToArray();

    private const int HeaderLength = HandshakeReader.HeaderLength;
    private const int ExtensionHeaderLength = 4;

    /// <summary>The ClientHello handshake message, header included.</summary>
    public static byte[] BuildHandshake(ClientHelloSpec s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var extensions = s.NoExtensions ? null : BuiltInExtensions(s);
        if (extensions is not null && s.PadToLength is { } target)
        {
            var unpadded = Measure(s, extensions);
            if (unpadded < target)
            {
                // The padding extension costs a 4-byte header before its first zero byte.
                var data = Math.Max(0, target - unpadded - ExtensionHeaderLength);
                var padding = HelloExtensions.Padding(data);
                var pskIndex = extensions.FindIndex(e => e.Type == (ushort)ExtensionType.PreSharedKey);
                if (pskIndex >= 0) extensions.Insert(pskIndex, padding); // pre_shared_key must stay last (RFC 8446 §4.2.11)
                else extensions.Add(padding);
            }
        }
        return Encode(s, extensions);
    }

    /// <summary>The ClientHello in handshake records of at most 16384 bytes each.</summary>
    public static byte[] BuildRecord(ClientHelloSpec s) => BuildRecord(s, 16384);

    /// <summary>The ClientHello split into records of at most maxFragment bytes (for fragmentation-tolerance probes).</summary>
    public static byte[] BuildRecord(ClientHelloSpec s, int maxFragment) =>
        TlsRecordWriter.ToArray(ContentType.Handshake, s.RecordVersion, BuildHandshake(s), maxFragment);

    /// <summary>Length of <see cref="BuildHandshake"/>'s result, header included.</summary>
    public static int MeasureHandshake(ClientHelloSpec s) => BuildHandshake(s).Length;

    private static int Measure(ClientHelloSpec s, List<RawExtension> extensions) => Encode(s, extensions).Length;

    private static List<RawExtension> BuiltInExtensions(ClientHelloSpec s)
    {
        var list = new List<RawExtension>();
        if (s.ServerName is { } host) list.Add(HelloExtensions.ServerName(host));
        if (s.EcPointFormats) list.Add(HelloExtensions.EcPointFormats(0));
        if (s.SupportedGroups is { } groups) list.Add(HelloExtensions.UInt16List(ExtensionType.SupportedGroups, groups));
        if (s.SessionTicket) list.Add(HelloExtensions.Empty(ExtensionType.SessionTicket));
        if (s.ExtendedMasterSecret) list.Add(HelloExtensions.Empty(ExtensionType.ExtendedMasterSecret));
        if (s.SignatureAlgorithms is { } schemes) list.Add(HelloExtensions.UInt16List(ExtensionType.SignatureAlgorithms, schemes));
        if (s.SupportedVersions is { } versions) list.Add(HelloExtensions.SupportedVersionsClient(versions));
        if (s.KeyShares is { } shares) list.Add(HelloExtensions.KeyShareClient(shares));
        if (s.RenegotiationInfo) list.Add(HelloExtensions.RenegotiationInfo());
        if (!s.ExtraExtensions.IsDefault) list.AddRange(s.ExtraExtensions);
        return list;
    }

    // struct {
    //     ProtocolVersion legacy_version;
    //     Random random;
    //     opaque legacy_session_id<0..32>;
    //     CipherSuite cipher_suites<2..2^16-2>;
    //     opaque legacy_compression_methods<1..2^8-1>;
    //     Extension extensions<8..2^16-1>;
    // } ClientHello;
    private static byte[] Encode(ClientHelloSpec s, List<RawExtension>? extensions)
    {
        // An empty value counts as "not given": a null byte[] converts to an empty ReadOnlyMemory, not to null.
        var random = s.Random is { IsEmpty: false } given ? given : DefaultRandom;
        if (random.Length != 32) throw new ArgumentException($"Random must be 32 bytes, got {random.Length}", nameof(s));
        var sessionId = s.SessionId ?? ReadOnlyMemory<byte>.Empty;
        if (sessionId.Length > 32) throw new ArgumentException($"SessionId must be at most 32 bytes, got {sessionId.Length}", nameof(s));

        var w = new WireWriter(512);
        w.U8((byte)HandshakeType.ClientHello);
        var body = w.Begin(3);
        w.U16(s.LegacyVersion);
        w.Bytes(random.Span);
        w.Opaque8(sessionId.Span, "legacy_session_id");
        var suites = w.Begin(2);
        if (!s.CipherSuites.IsDefault) foreach (var c in s.CipherSuites) w.U16(c);
        w.End(suites, "cipher_suites");
        var comps = s.CompressionMethods.IsDefault ? ImmutableArray.Create((byte)0) : s.CompressionMethods;
        w.Opaque8(comps.AsSpan(), "legacy_compression_methods");
        if (extensions is not null)
        {
            var block = w.Begin(2);
            foreach (var e in extensions)
            {
                w.U16(e.Type);
                w.Opaque16(e.Data.Span, "extension_data");
            }
            w.End(block, "extensions");
        }
        w.End(body, "ClientHello");
        return w.ToArray();
    }
}
