using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using TlsDoctor.Core;

namespace TlsDoctor.TestPeers;

/// <summary>A certificate as a reference client received it.</summary>
public sealed record ReceivedCertificate(string Subject, string Issuer, string KeyAlgorithm, int KeyBits, string SignatureAlgorithmOid)
{
    public string SignatureAlgorithm => Oids.Name(SignatureAlgorithmOid);

    public static ReceivedCertificate From(X509Certificate2 cert)
    {
        string alg;
        int bits;
        using (var rsa = cert.GetRSAPublicKey())
        using (var ec = rsa is null ? cert.GetECDsaPublicKey() : null)
        {
            (alg, bits) = rsa is not null ? ("RSA", rsa.KeySize) : ec is not null ? ("EC", ec.KeySize) : (cert.PublicKey.Oid.Value ?? "?", 0);
        }
        return new ReceivedCertificate(cert.GetNameInfo(X509NameType.SimpleName, false), cert.GetNameInfo(X509NameType.SimpleName, true),
            alg, bits, cert.SignatureAlgorithm.Value ?? "");
    }
}

/// <summary>What `openssl s_client` reported for one connection.</summary>
/// <param name="Version">Negotiated version, null when the handshake failed.</param>
/// <param name="CipherOpenSslName">Negotiated suite in OpenSSL's spelling, null when the handshake failed.</param>
/// <param name="ServerTempKey">The "Server Temp Key:" line's value, e.g. "DH, 512 bits" or "X25519, 253 bits".</param>
/// <param name="Certificates">The chain from -showcerts, leaf first.</param>
public sealed record OpenSslHandshake(ProcessResult Process, TlsVersion? Version, string? CipherOpenSslName, string? ServerTempKey, IReadOnlyList<ReceivedCertificate> Certificates)
{
    public bool Succeeded => Version is not null && CipherOpenSslName is not null;

    /// <summary>Finite-field DH bits from "Server Temp Key: DH, N bits", else null.</summary>
    public int? DhBits => ServerTempKey is { } k && Regex.Match(k, @"^DH, (\d+) bits") is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;

    public override string ToString() => $"{Process.CommandLine}\n{Process.Output}";
}

/// <summary>Runs `openssl s_client` (optionally under the SECLEVEL shim) as a reference client for test peers.</summary>
public static partial class OpenSslClient
{
    /// <summary>
    /// One handshake at exactly <paramref name="version"/>, offering <paramref name="suites"/> in that order
    /// (OpenSSL names; @SECLEVEL=0 is appended for TLS 1.2 and older) and optionally only <paramref name="groups"/> (IANA names).
    /// </summary>
    public static async Task<OpenSslHandshake> ConnectAsync(
        PeerEnvironment env, IPEndPoint server, TlsVersion version, IEnumerable<string> suites,
        bool useSeclevelShim, IEnumerable<string>? groups = null, CancellationToken cancellationToken = default)
    {
        var args = new List<string> { "s_client", "-connect", $"{server.Address}:{server.Port}", "-showcerts", VersionFlag(version) };
        var list = string.Join(':', suites);
        if (version == TlsVersion.TLSv1_3) args.AddRange(["-ciphersuites", list]);
        else args.AddRange(["-cipher", list + ":@SECLEVEL=0"]);
        if (groups is not null) args.AddRange(["-groups", string.Join(':', groups.Select(ServerCommand.OpenSslGroup))]);
        var result = await ProcessRunner.RunAsync(env.Tools.OpenSsl, args, useSeclevelShim ? env.Tools.SeclevelEnvironment : null,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return Parse(result);
    }

    public static string VersionFlag(TlsVersion version) => version switch
    {
        TlsVersion.TLSv1_0 => "-tls1",
        TlsVersion.TLSv1_1 => "-tls1_1",
        TlsVersion.TLSv1_2 => "-tls1_2",
        TlsVersion.TLSv1_3 => "-tls1_3",
        _ => throw new ArgumentOutOfRangeException(nameof(version)),
    };

    public static OpenSslHandshake Parse(ProcessResult result)
    {
        var text = result.StandardOutput;
        string? cipher = null;
        TlsVersion? version = null;
        // "New, TLSv1.3, Cipher is X": the version there is the suite's, exact only for TLS 1.3 suites.
        var m = NewLine().Match(text);
        if (m.Success && m.Groups[2].Value is not "(NONE)")
        {
            cipher = m.Groups[2].Value;
            if (m.Groups[1].Value == "TLSv1.3") version = TlsVersion.TLSv1_3;
        }
        var p = ProtocolLine().Match(text);
        if (cipher is not null && p.Success && TlsVersions.TryParse(p.Groups[1].Value, out var v)) version = v;
        if (cipher is null) version = null;

        var tempKey = TempKeyLine().Match(text) is { Success: true } t ? t.Groups[1].Value.Trim() : null;

        var certs = new List<ReceivedCertificate>();
        var chainStart = text.IndexOf("Certificate chain", StringComparison.Ordinal);
        if (chainStart >= 0)
        {
            var chainEnd = text.IndexOf("\n---\n", chainStart, StringComparison.Ordinal);
            var chain = chainEnd > 0 ? text[chainStart..chainEnd] : text[chainStart..];
            foreach (Match pem in PemBlock().Matches(chain))
            {
                using var cert = X509Certificate2.CreateFromPem(pem.Value);
                certs.Add(ReceivedCertificate.From(cert));
            }
        }
        return new OpenSslHandshake(result, version, cipher, tempKey, certs);
    }

    [GeneratedRegex(@"^New, (\S+), Cipher is (\S+)", RegexOptions.Multiline)]
    private static partial Regex NewLine();

    [GeneratedRegex(@"^\s*Protocol\s*:\s*(\S+)", RegexOptions.Multiline)]
    private static partial Regex ProtocolLine();

    [GeneratedRegex(@"^Server Temp Key:\s*(.+)$", RegexOptions.Multiline)]
    private static partial Regex TempKeyLine();

    [GeneratedRegex(@"-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----")]
    private static partial Regex PemBlock();
}

/// <summary>What gnutls-cli reported: its "- Description: (TLS1.0-X.509)-(DHE-FFDHE2048)-(AES-256-CBC)-(SHA1)" line, parsed.</summary>
public sealed record GnuTlsHandshake(ProcessResult Process, string? Version, string? KeyExchange, string? Cipher, string? Mac)
{
    public bool Succeeded => Version is not null;
    public override string ToString() => $"{Process.CommandLine}\n{Process.Output}";
}

/// <summary>Runs gnutls-cli, the one local client that can still negotiate RC4 and 3DES.</summary>
public static partial class GnuTlsClient
{
    public static async Task<GnuTlsHandshake> ConnectAsync(PeerEnvironment env, IPEndPoint server, string priority, CancellationToken cancellationToken = default)
    {
        var result = await ProcessRunner.RunAsync(env.Tools.GnutlsCli,
            ["--insecure", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), server.Address.ToString(), "--priority", priority],
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var m = Description().Match(result.StandardOutput);
        return m.Success
            ? new GnuTlsHandshake(result, m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value)
            : new GnuTlsHandshake(result, null, null, null, null);
    }

    [GeneratedRegex(@"- Description: \((TLS1\.\d)-[^)]*\)-\(([^)]*)\)-\(([^)]*)\)-\(([^)]*)\)")]
    private static partial Regex Description();
}
