using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe.Capture;

/// <summary>Wire format a ClientHello arrived in.</summary>
public enum HelloFormat
{
    /// <summary>A TLS handshake record (SSLv3 and later).</summary>
    Tls,
    /// <summary>An SSLv2-format CLIENT-HELLO (old clients that also offer SSLv3/TLS this way).</summary>
    Sslv2,
}

/// <summary>
/// Everything a ClientHello said, as wire values in the order sent (GREASE kept so fingerprints can be
/// computed exactly); <see cref="CaptureNames"/> turns them into names.
/// </summary>
/// <param name="RecordVersion">Record-layer version of the first record; null for SSLv2 format.</param>
/// <param name="Sslv2CipherKinds">For SSLv2 format: the 3-byte kinds that are not TLS suites (first byte non-zero).</param>
/// <param name="FirstAlpn">Raw bytes of the first ALPN protocol name (JA4 needs bytes, not text).</param>
public sealed record ClientHelloFacts(
    HelloFormat Format,
    ushort? RecordVersion,
    ushort LegacyVersion,
    ImmutableArray<ushort> SupportedVersions,
    ImmutableArray<ushort> CipherSuites,
    ImmutableArray<int> Sslv2CipherKinds,
    ImmutableArray<byte> CompressionMethods,
    ImmutableArray<ushort> Extensions,
    ImmutableArray<ushort> Groups,
    ImmutableArray<ushort> SignatureAlgorithms,
    ImmutableArray<byte> EcPointFormats,
    string? ServerName,
    ImmutableArray<string> Alpn,
    ImmutableArray<byte> FirstAlpn)
{
    /// <summary>True when the hello had the extension (even with an empty list).</summary>
    public bool Has(ExtensionType type) => Extensions.Contains((ushort)type);

    /// <summary>True when GREASE values (RFC 8701) appeared anywhere.</summary>
    public bool Grease =>
        CipherSuites.Any(Core.Grease.IsGrease) || Extensions.Any(Core.Grease.IsGrease) || Groups.Any(Core.Grease.IsGrease)
        || SupportedVersions.Any(Core.Grease.IsGrease) || SignatureAlgorithms.Any(Core.Grease.IsGrease);

    /// <summary>The facts of a parsed TLS ClientHello.</summary>
    public static ClientHelloFacts FromTls(ClientHello hello, ushort recordVersion)
    {
        ArgumentNullException.ThrowIfNull(hello);
        var alpnExt = hello.FindExtension(ExtensionType.Alpn);
        return new ClientHelloFacts(
            HelloFormat.Tls,
            recordVersion,
            hello.LegacyVersion,
            hello.SupportedVersions ?? [],
            hello.CipherSuites,
            [],
            hello.CompressionMethods,
            [.. hello.Extensions.Select(e => e.Type)],
            hello.SupportedGroups ?? [],
            hello.SignatureAlgorithms ?? [],
            hello.EcPointFormats ?? [],
            hello.ServerName,
            hello.Alpn ?? [],
            alpnExt is null ? [] : FirstProtocol(alpnExt.Data.Span));
    }

    /// <summary>The facts of an SSLv2-format CLIENT-HELLO: kinds 0x00XXXX are TLS suites, the rest SSLv2 kinds.</summary>
    public static ClientHelloFacts FromSslv2(Sslv2ClientHello hello)
    {
        ArgumentNullException.ThrowIfNull(hello);
        var suites = hello.CipherKinds.Where(k => k >> 16 == 0).Select(k => (ushort)k).ToImmutableArray();
        var kinds = hello.CipherKinds.Where(k => k >> 16 != 0).ToImmutableArray();
        // The SSLv2 format has no compression methods field: an empty list, not the TLS null method.
        return new ClientHelloFacts(HelloFormat.Sslv2, null, hello.Version, [], suites, kinds, [], [], [], [], [], null, [], []);
    }

    // ProtocolNameList: uint16 length, then uint8-prefixed names; only the first matters.
    private static ImmutableArray<byte> FirstProtocol(ReadOnlySpan<byte> data)
    {
        if (data.Length < 3) return [];
        var listLength = BinaryPrimitives.ReadUInt16BigEndian(data);
        var n = data[2];
        if (listLength < 1 || 3 + n > data.Length) return [];
        return [.. data.Slice(3, n)];
    }
}

/// <summary>Names for the wire values of a ClientHello: IANA extension names, point formats, versions.</summary>
public static class CaptureNames
{
    private static readonly FrozenDictionary<ushort, string> ExtensionNames = new Dictionary<ushort, string>
    {
        [0] = "server_name", [1] = "max_fragment_length", [2] = "client_certificate_url", [3] = "trusted_ca_keys",
        [4] = "truncated_hmac", [5] = "status_request", [6] = "user_mapping", [7] = "client_authz", [8] = "server_authz",
        [9] = "cert_type", [10] = "supported_groups", [11] = "ec_point_formats", [12] = "srp", [13] = "signature_algorithms",
        [14] = "use_srtp", [15] = "heartbeat", [16] = "application_layer_protocol_negotiation", [17] = "status_request_v2",
        [18] = "signed_certificate_timestamp", [19] = "client_certificate_type", [20] = "server_certificate_type",
        [21] = "padding", [22] = "encrypt_then_mac", [23] = "extended_master_secret", [24] = "token_binding",
        [25] = "cached_info", [26] = "tls_lts", [27] = "compress_certificate", [28] = "record_size_limit",
        [29] = "pwd_protect", [30] = "pwd_clear", [31] = "password_salt", [32] = "ticket_pinning", [33] = "tls_cert_with_extern_psk",
        [34] = "delegated_credential", [35] = "session_ticket", [36] = "TLMSP", [37] = "TLMSP_proxying", [38] = "TLMSP_delegate",
        [39] = "supported_ekt_ciphers", [41] = "pre_shared_key", [42] = "early_data", [43] = "supported_versions",
        [44] = "cookie", [45] = "psk_key_exchange_modes", [47] = "certificate_authorities", [48] = "oid_filters",
        [49] = "post_handshake_auth", [50] = "signature_algorithms_cert", [51] = "key_share", [52] = "transparency_info",
        [53] = "connection_id_deprecated", [54] = "connection_id", [55] = "external_id_hash", [56] = "external_session_id",
        [57] = "quic_transport_parameters", [58] = "ticket_request", [59] = "dnssec_chain", [60] = "sequence_number_encryption_algorithms",
        [61] = "rrc", [0x3374] = "next_protocol_negotiation", [0x4469] = "application_settings", [0x44cd] = "application_settings",
        [0xfe0d] = "encrypted_client_hello", [0xff01] = "renegotiation_info",
    }.ToFrozenDictionary();

    /// <summary>IANA name of an extension code; "GREASE" for RFC 8701 values, hex for unknown ones.</summary>
    public static string Extension(ushort code) =>
        Grease.IsGrease(code) ? "GREASE" : ExtensionNames.TryGetValue(code, out var n) ? n : $"0x{code:x4}";

    /// <summary>The code for an extension name or hex code; null when unknown.</summary>
    public static ushort? ExtensionCode(string name)
    {
        foreach (var (code, n) in ExtensionNames)
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) return code;
        if (name.StartsWith("0x", StringComparison.OrdinalIgnoreCase) &&
            ushort.TryParse(name.AsSpan(2), System.Globalization.NumberStyles.HexNumber, null, out var c)) return c;
        return null;
    }

    /// <summary>ec_point_formats names (RFC 8422).</summary>
    public static string PointFormat(byte code) => code switch
    {
        0 => "uncompressed",
        1 => "ansiX962_compressed_prime",
        2 => "ansiX962_compressed_char2",
        _ => $"0x{code:x2}",
    };

    /// <summary>Version spelling (TLSv1.2) for known values, hex otherwise.</summary>
    public static string Version(ushort wire) => TlsVersions.IsKnown(wire) ? ((TlsVersion)wire).Name() : $"0x{wire:x4}";
}
