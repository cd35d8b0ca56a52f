using System.Collections.Immutable;

namespace TlsDoctor.Core;

/// <summary>What a TLS client offers in its ClientHello and what it tolerates in the server's answer.</summary>
/// <param name="Name">Human-readable name (windows:2012r2 outbound, capture of 10.0.0.7, …).</param>
/// <param name="Versions">Versions the client accepts, each explicitly; gaps are allowed (a client may skip TLS 1.1).</param>
/// <param name="CipherSuites">Offered suites in the client's preference order.</param>
/// <param name="Groups">supported_groups (elliptic_curves) in order; empty = the extension is not sent.</param>
/// <param name="SignatureSchemes">signature_algorithms; empty = the extension is not sent (TLS ≤ 1.1 style).</param>
/// <param name="Extensions">Names of the extensions sent (server_name, renegotiation_info, …).</param>
public sealed record ClientProfile(
    string Name,
    ImmutableArray<TlsVersion> Versions,
    ImmutableArray<CipherSuite> CipherSuites,
    ImmutableArray<NamedGroup> Groups,
    ImmutableArray<SignatureScheme> SignatureSchemes,
    ImmutableArray<string> Extensions)
{
    /// <summary>Smallest finite-field DH prime (bits) accepted in a ServerKeyExchange; 0 = any.</summary>
    public int DhMinBits { get; init; }

    /// <summary>Largest DH prime accepted; null = no limit.</summary>
    public int? DhMaxBits { get; init; }

    /// <summary>Smallest RSA certificate key accepted; 0 = any.</summary>
    public int RsaMinBits { get; init; }

    /// <summary>Largest RSA certificate key the client can verify (old devices: 1024 or 2048); null = no limit.</summary>
    public int? RsaMaxBits { get; init; }

    /// <summary>Certificate key algorithms the client can verify (RSA, EC, DSA); empty = any.</summary>
    public ImmutableArray<string> AcceptedCertificateKeys { get; init; } = [];

    /// <summary>Hashes the client can verify in certificate signatures (md5, sha1, sha256, …); empty = any.</summary>
    public ImmutableArray<string> AcceptedCertificateHashes { get; init; } = [];

    /// <summary>False for Windows without the August 2014 rollups (KB2973337 family): SHA-512 signatures fail in TLS 1.2.</summary>
    public bool Sha512InTls12 { get; init; } = true;

    /// <summary>SHA-256 fingerprints (lower-case hex) of certificates the client trusts; null = trusts anything / not checked.</summary>
    public ImmutableArray<string>? TrustedCertificates { get; init; }

    /// <summary>True when the client strips leading zero bytes of the DH shared secret as RFC 5246 §8.1.2 says.</summary>
    public bool StripsDhLeadingZero { get; init; } = true;

    /// <summary>True when the client checks certificate validity dates (when the simulation is given a clock).</summary>
    public bool ChecksCertificateDates { get; init; } = true;

    /// <summary>
    /// True when certificate trust and dates are checked only after the handshake (.NET over SCHANNEL: the
    /// validation callback), so a key-exchange failure inside the TLS stack is reported first.
    /// </summary>
    public bool ChecksTrustAfterHandshake { get; init; }

    /// <summary>Alert the client sends when it rejects the server's DH group; null = it just closes (SCHANNEL sends a FIN [S42]).</summary>
    public AlertDescription? DhRejectAlert { get; init; } = AlertDescription.InsufficientSecurity;

    /// <summary>Each limit with how it is known (observed or assumed) and why; empty = nothing stated (the values are taken as given).</summary>
    public ImmutableArray<ClientLimit> Limits { get; init; } = [];

    /// <summary>The client family recognised from the hello (Java 6/7 JSSE, Android ≤ 4.3, …); null when unknown or not a capture.</summary>
    public string? Family { get; init; }

    /// <summary>Where the profile came from (policy, capture, file), for explanations.</summary>
    public string? Origin { get; init; }

    /// <summary>The highest version offered, or null when none.</summary>
    public TlsVersion? MaxVersion => Versions.IsDefaultOrEmpty ? null : Versions.Max();

    /// <summary>True when the client offers the version.</summary>
    public bool Offers(TlsVersion version) => !Versions.IsDefault && Versions.Contains(version);
}
