namespace TlsDoctor.Lab;

/// <summary>Whether a lab profile listens (a device's TLS server) or connects (a device's TLS client).</summary>
public enum LabRole { Server, Client }

/// <summary>One simulated device kind: its contract name, role, what it reproduces and the guide case it belongs to.</summary>
public sealed record LabProfile(string Name, LabRole Role, string Reproduces, string GuideCase)
{
    /// <summary>False for the devices beyond the vendor guide (hostile servers, the SSL-only device): `demo` and a bare `lab start` leave them out.</summary>
    public bool InGuide => !GuideCase.StartsWith(LabProfiles.BeyondTheGuide, StringComparison.Ordinal);

    /// <summary>True when the device leaves a client waiting for bytes that never come (silence, a drip, a ServerHello
    /// with no ServerHelloDone): only the client's read timeout ends such a connection.</summary>
    public bool KeepsClientWaiting { get; init; }
}

/// <summary>The catalogue of lab profiles; the names are a contract used by docs, tests and the CLI.</summary>
public static class LabProfiles
{
    public const string MfdWeakDh = "mfd-weak-dh";
    public const string MfdBrokenDh = "mfd-broken-dh";
    public const string MfdFakeTls12 = "mfd-fake-tls12";
    public const string MfdTls12Only = "mfd-tls12-only";
    public const string PaymentSha512 = "payment-sha512";
    public const string MfdLegacyClient = "mfd-legacy-client";
    public const string MfdTls12Client = "mfd-tls12-client";
    public const string MfdSha1Client = "mfd-sha1-client";
    public const string MfdModern = "mfd-modern";
    public const string MfdSslOnly = "mfd-ssl-only";
    public const string MfdHelloLimit = "mfd-hello-limit";
    public const string MfdNoOcsp = "mfd-no-ocsp";
    public const string MfdFfdhe = "mfd-ffdhe";
    public const string MfdChaChaOrder = "mfd-chacha-order";
    public const string MfdChunkedOrder = "mfd-chunked-order";
    public const string HostileGarbage = "hostile-garbage";
    public const string HostileHttp = "hostile-http";
    public const string HostileSlowDrip = "hostile-slow-drip";
    public const string HostileResetAfterHello = "hostile-reset-after-hello";
    public const string HostileSilent = "hostile-silent";
    public const string HostileTruncated = "hostile-truncated";
    public const string HostileAbsurdLength = "hostile-absurd-length";
    public const string HostileUnofferedSuite = "hostile-unoffered-suite";
    public const string HostileUnofferedVersion = "hostile-unoffered-version";
    public const string HostileAlertOnHello = "hostile-alert-on-hello";
    public const string HostileVersionIntolerant = "hostile-version-intolerant";
    public const string HostileSslv2Version = "hostile-sslv2-version";
    public const string HostileGreaseSuite = "hostile-grease-suite";
    public const string HostileDeflate = "hostile-deflate";
    public const string HostileRecordVersionChange = "hostile-record-version-change";
    public const string HostileFakeTls13 = "hostile-fake-tls13";
    public const string HostileInvalidDh = "hostile-invalid-dh";

    /// <summary>The start of the GuideCase of every profile the vendor guide does not describe.</summary>
    public const string BeyondTheGuide = "beyond the guide";

    private const string Hostile = BeyondTheGuide + ": error handling";

    /// <summary>Every profile: guide cases first, then the SSL-only device and the field-report devices, then the hostile servers.</summary>
    public static IReadOnlyList<LabProfile> All { get; } =
    [
        new(MfdWeakDh, LabRole.Server,
            "TLS 1.0 only; DHE-RSA with a 512-bit group plus RSA key exchange; RSA-1024 certificate signed sha1WithRSAEncryption",
            "The Device Only Supports Weak DH Keys"),
        new(MfdBrokenDh, LabRole.Server,
            "TLS 1.0-1.2, prefers DHE-RSA (1024-bit Oakley group 2), RSA-1024/SHA-256 certificate; keeps the leading zero byte of the DH shared secret (RFC 5246 8.1.2 says strip it): ~1/256 random handshakes and every forced-leading-zero handshake fail with bad_record_mac",
            "The Incorrect Implementation of the DH Algorithm in the Device"),
        new(MfdFakeTls12, LabRole.Server,
            "answers a TLS 1.2 ClientHello with a TLS 1.2 ServerHello, then fails with a fatal bad_record_mac on the client's Finished; TLS 1.0 and 1.1 complete",
            "The MFD Only Supports Older SSL/TLS Protocol Versions, but also Accepts Higher Ones"),
        new(MfdTls12Only, LabRole.Server,
            "TLS 1.2 only, ECDHE-RSA suites only, RSA-2048 certificate signed sha256WithRSAEncryption",
            "The Device Supporting Only Higher Versions of the SSL/TLS Protocol Cannot Connect"),
        new(PaymentSha512, LabRole.Server,
            "TLS 1.2 service whose leaf and CA certificates are signed sha512WithRSAEncryption",
            "Communication with Dispatcher Paragon Payment System Fails"),
        new(MfdLegacyClient, LabRole.Client,
            "a device connecting to a server: TLS 1.0 only, no signature_algorithms, verifies only RSA <= 1024-bit / SHA-1 certificates, trusts only its own list; aborts with unknown_ca, unsupported_certificate or bad_certificate",
            "The Device Is Installed Correctly, but Cannot Connect to Dispatcher Paragon Server"),
        new(MfdTls12Client, LabRole.Client,
            "a device connecting to a server: TLS 1.2 only without supported_versions (a hello that looks like it also accepts TLS 1.0), refuses a lower ServerHello with protocol_version; trusts any issuer",
            "The Device Supporting Only Higher Versions of the SSL/TLS Protocol Cannot Connect"),
        new(MfdSha1Client, LabRole.Client,
            "a device connecting to a server: TLS 1.0-1.2, signature_algorithms rsa_pkcs1_sha1 only, verifies only SHA-1-signed RSA <= 2048-bit certificates (bad_certificate otherwise); trusts any issuer",
            "The Device Does Not Support the Cryptographic Algorithm Used for the Certificate or the Key Length"),
        new(MfdModern, LabRole.Server,
            "healthy TLS 1.2 + 1.3 device with ECDHE and an RSA-2048 / SHA-256 certificate (the control case)",
            "control"),
        new(MfdSslOnly, LabRole.Server,
            "SSLv2 and SSL 3.0 only, at hello level: an SSLv2 SERVER-HELLO with SSL_CK_RC4_128_WITH_MD5 and SSL_CK_DES_192_EDE3_CBC_WITH_MD5; any SSL 3.0/TLS hello negotiated down to SSL 3.0 with TLS_RSA_WITH_3DES_EDE_CBC_SHA, then TLS_RSA_WITH_RC4_128_SHA (server order); RSA-1024 certificate signed sha1WithRSAEncryption; no key exchange completes",
            BeyondTheGuide + ": versions OpenSSL cannot serve"),
        new(MfdHelloLimit, LabRole.Server,
            "TLS 1.2 + 1.3, server order, answers a ClientHello with more than 150 suites with decode_error; its favourite TLS 1.2 suite TLS_RSA_WITH_AES_256_CCM is none a short hello offers first",
            BeyondTheGuide + ": field reports"),
        new(MfdNoOcsp, LabRole.Server,
            "TLS 1.3 only; closes the connection after a ClientHello that asks for OCSP stapling (status_request), completes without it",
            BeyondTheGuide + ": field reports"),
        new(MfdFfdhe, LabRole.Server,
            "TLS 1.0-1.2, DHE-RSA with its own 1024-bit group; in TLS 1.2 a client offering ffdhe2048 or ffdhe3072 (RFC 7919) gets that group instead, as JSSE does",
            BeyondTheGuide + ": field reports"),
        new(MfdChaChaOrder, LabRole.Server,
            "TLS 1.2 + 1.3 with Go's order: AES-GCM first, unless the client lists ChaCha20-Poly1305 before AES-GCM",
            BeyondTheGuide + ": field reports"),
        new(MfdChunkedOrder, LabRole.Server,
            "TLS 1.2 only, server order, answers a ClientHello with more than 150 suites with decode_error; two suites: its favourite TLS_RSA_WITH_AES_256_CCM, which no short hello offers first, then TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            BeyondTheGuide + ": field reports"),
        new(HostileGarbage, LabRole.Server, "reads the ClientHello and answers with random non-TLS bytes", Hostile),
        new(HostileHttp, LabRole.Server, "reads the ClientHello and answers with a plain HTTP/1.1 400 response", Hostile),
        new(HostileSlowDrip, LabRole.Server, "sends a valid ServerHello one byte every 500 ms", Hostile) { KeepsClientWaiting = true },
        new(HostileResetAfterHello, LabRole.Server, "reads the ClientHello, then resets the connection (TCP RST)", Hostile),
        new(HostileSilent, LabRole.Server, "reads the ClientHello and never answers (closes after its 10 s read timeout)", Hostile) { KeepsClientWaiting = true },
        new(HostileTruncated, LabRole.Server, "sends the first half of a ServerHello record, then closes (FIN)", Hostile),
        new(HostileAbsurdLength, LabRole.Server, "sends a handshake record header of length 65535 holding a handshake message of length 16777215", Hostile),
        new(HostileUnofferedSuite, LabRole.Server, "answers with a ServerHello that selects a cipher suite the client did not offer", Hostile) { KeepsClientWaiting = true },
        new(HostileUnofferedVersion, LabRole.Server, "answers with a ServerHello whose version is one above the highest the client offered", Hostile) { KeepsClientWaiting = true },
        new(HostileAlertOnHello, LabRole.Server, "answers the ClientHello with a fatal handshake_failure alert", Hostile),
        new(HostileVersionIntolerant, LabRole.Server,
            "TLS 1.0 only and version-intolerant: answers every hello above TLS 1.0 with protocol_version instead of negotiating down; accepts TLS_RSA_WITH_AES_128_CBC_SHA and TLS_RSA_WITH_AES_256_CBC_SHA (hello level only)",
            Hostile) { KeepsClientWaiting = true },
        new(HostileSslv2Version, LabRole.Server, "answers with a 47-byte TLS record holding a ServerHello whose version field is 0x0002", Hostile),
        new(HostileGreaseSuite, LabRole.Server, "answers with a ServerHello that selects the GREASE suite 0x0a0a", Hostile) { KeepsClientWaiting = true },
        new(HostileDeflate, LabRole.Server, "answers with a ServerHello that selects deflate compression (1), which no client offers", Hostile) { KeepsClientWaiting = true },
        new(HostileRecordVersionChange, LabRole.Server, "sends its ServerHello in a TLS 1.2 record and its ServerHelloDone in a TLS 1.0 record", Hostile),
        new(HostileFakeTls13, LabRole.Server,
            "answers a hello offering TLS 1.3 with a TLS 1.2 flight (plaintext ServerHelloDone) whose ServerHello carries supported_versions = TLS 1.3; accepts TLS_RSA_WITH_AES_128_CBC_SHA and TLS_RSA_WITH_AES_256_CBC_SHA (hello level only)",
            Hostile),
        new(HostileInvalidDh, LabRole.Server,
            "selects TLS_DHE_RSA_WITH_AES_128_CBC_SHA and sends DH parameters with an even 1024-bit p (no prime), g = 2 (hello level only)",
            Hostile),
    ];

    /// <summary>The profile of that name; throws <see cref="ArgumentException"/> for a name not in the catalogue.</summary>
    public static LabProfile Get(string name) =>
        TryGet(name, out var p) ? p : throw new ArgumentException($"unknown lab profile '{name}'", nameof(name));

    /// <summary>Finds a profile by its exact (case-insensitive) name.</summary>
    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out LabProfile profile)
    {
        foreach (var p in All)
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) { profile = p; return true; }
        }
        profile = null;
        return false;
    }
}
