using System.Collections.Immutable;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TlsDoctor.Core;
using TlsDoctor.Probe.Capture;

namespace TlsDoctor.Diagnosis.Certificates;

/// <summary>What `cert new` makes.</summary>
/// <param name="Password">PFX password: null = generate a random one, "" = no password.</param>
/// <param name="Overwrite">Replace existing files in the output directory.</param>
public sealed record CertificateKitRequest(
    CertificateKeyKind Key,
    string Hash,
    string CommonName,
    ImmutableArray<string> SubjectAlternativeNames,
    int Days,
    bool WithCa,
    string? Password,
    bool Overwrite = false);

/// <summary>One written file: name, full path, what it is for, and whether it holds a private key (owner-only permissions).</summary>
public sealed record KitFile(string Name, string Path, string Purpose, bool Private);

/// <summary>What `cert new` wrote and how to install it.</summary>
/// <param name="Password">The PFX password when it was generated (printed once); null when the user gave one.</param>
/// <param name="Sha1Thumbprint">Windows' thumbprint of the server certificate (upper-case hex), for certutil and the Terminal Server setting.</param>
public sealed record CertificateKitResult(
    string Directory,
    ImmutableArray<KitFile> Files,
    CertificateInfo Server,
    CertificateInfo? Ca,
    string Sha1Thumbprint,
    string? Password,
    bool PasswordProtected,
    ImmutableArray<string> WindowsSteps,
    ImmutableArray<string> DeviceSteps,
    ImmutableArray<string> Warnings);

/// <summary>Bad `cert new` input; the message is for the user.</summary>
public sealed class CertificateKitException(string message) : InputException(message);

/// <summary>
/// Generates a server certificate (optionally issued by a private CA) that an old device can verify, and writes it
/// as PFX, PEM and DER with private keys readable by the owner only. System.Security.Cryptography only.
/// </summary>
public static class CertificateKit
{
    /// <summary>rsa:1024, rsa:2048, rsa:4096, ec:p256 (also rsa1024, p-256, ecdsa:p256). rsa:512 and other sizes are refused.</summary>
    public static bool TryParseKey(string? text, out CertificateKeyKind key, out string? error)
    {
        key = default;
        error = null;
        var t = (text ?? "").Trim().ToLowerInvariant().Replace("-", "").Replace("_", "");
        switch (t)
        {
            case "rsa:1024" or "rsa1024": key = CertificateKeyKind.Rsa1024; return true;
            case "rsa:2048" or "rsa2048" or "rsa": key = CertificateKeyKind.Rsa2048; return true;
            case "rsa:4096" or "rsa4096": key = CertificateKeyKind.Rsa4096; return true;
            case "ec:p256" or "ecp256" or "ecdsa:p256" or "p256" or "ec:prime256v1" or "ec:secp256r1": key = CertificateKeyKind.EcP256; return true;
        }
        if (t.StartsWith("rsa:", StringComparison.Ordinal) && int.TryParse(t[4..], out var bits) && bits < 1024)
            error = $"--key {text}: RSA keys under 1024 bits are refused (broken since 2010; no device needs them). Use rsa:1024 for the oldest devices.";
        else
            error = $"--key '{text}' is not supported: use rsa:1024, rsa:2048, rsa:4096 or ec:p256";
        return false;
    }

    /// <summary>Parses SAN entries: DNS:name, IP:address, or a plain name or address.</summary>
    public static ImmutableArray<string> ParseSans(IEnumerable<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = ImmutableArray.CreateBuilder<string>();
        foreach (var raw in entries.SelectMany(e => e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            string value;
            if (raw.StartsWith("IP:", StringComparison.OrdinalIgnoreCase))
            {
                value = raw[3..].Trim();
                if (!IPAddress.TryParse(value, out _)) throw new CertificateKitException($"--san {raw}: '{value}' is not an IP address");
            }
            else if (raw.StartsWith("DNS:", StringComparison.OrdinalIgnoreCase))
            {
                value = raw[4..].Trim();
                if (IPAddress.TryParse(value, out _)) throw new CertificateKitException($"--san {raw}: an address belongs in IP:{value}");
                CheckDns(value, raw);
            }
            else
            {
                value = raw;
                if (!IPAddress.TryParse(value, out _)) CheckDns(value, raw);
            }
            if (!list.Contains(value, StringComparer.OrdinalIgnoreCase)) list.Add(value);
        }
        return list.ToImmutable();
    }

    /// <summary>Generates and writes the files; throws <see cref="CertificateKitException"/> for bad input or existing files.</summary>
    public static CertificateKitResult Create(CertificateKitRequest request, string directory)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var hash = CertificateBuilder.ParseHash(request.Hash) ?? throw new CertificateKitException($"--hash '{request.Hash}' is not supported: use sha1, sha256, sha384 or sha512");
        if (string.IsNullOrWhiteSpace(request.CommonName)) throw new CertificateKitException("--cn must not be empty");
        if (request.Days is < 1 or > 36500) throw new CertificateKitException("--days must be 1-36500");
        var sans = request.SubjectAlternativeNames.IsDefaultOrEmpty ? ParseSans([request.CommonName]) : request.SubjectAlternativeNames;

        var dir = Path.GetFullPath(directory);
        var names = request.WithCa
            ? new[] { "server.pfx", "server.crt", "server.key", "server.cer", "ca.crt", "ca.cer", "ca.key" }
            : ["server.pfx", "server.crt", "server.key", "server.cer"];
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new CertificateKitException($"--out {directory}: cannot create the directory ({e.Message})");
        }
        var existing = names.Where(n => File.Exists(Path.Combine(dir, n))).ToList();
        if (existing.Count > 0 && !request.Overwrite)
            throw new CertificateKitException($"{dir} already holds {string.Join(", ", existing)}; use another --out or --force to replace them");

        var spec = new CertificateSpec(request.Key, hash, request.CommonName.Trim(), sans, request.Days);
        GeneratedCertificate? ca = null;
        try
        {
            if (request.WithCa)
            {
                // The device verifies the server certificate with the CA's key: the CA gets the same key type and hash,
                // and outlives the server certificate.
                var caSpec = new CertificateSpec(request.Key, hash, $"{spec.CommonName} private CA", [], request.Days + 365);
                ca = CertificateBuilder.SelfSigned(caSpec, isCa: true);
            }
            using var server = ca is null ? CertificateBuilder.SelfSigned(spec) : CertificateBuilder.IssuedBy(spec, ca, hash);
            var password = request.Password ?? RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 20);
            var files = new List<KitFile>();
            void Put(string name, ReadOnlySpan<byte> content, string purpose, bool secret)
            {
                var path = Path.Combine(dir, name);
                WriteFile(path, content, secret);
                files.Add(new KitFile(name, path, purpose, secret));
            }

            using (var withKey = server.WithPrivateKey())
            {
                var collection = new X509Certificate2Collection(withKey);
                if (ca is not null) collection.Add(X509CertificateLoader.LoadCertificate(ca.Certificate.RawData));
                // 3DES/SHA-1 PKCS#12 imports on every Windows release; the AES default does not on Server 2008 R2-2016.
                var pfx = collection.ExportPkcs12(Pkcs12ExportPbeParameters.Pkcs12TripleDesSha1, password) ?? throw new CryptographicException("PKCS#12 export failed");
                Put("server.pfx", pfx, "certificate + private key (+ CA) for the Windows server's certificate store", true);
            }
            Put("server.crt", System.Text.Encoding.ASCII.GetBytes(server.Certificate.ExportCertificatePem() + "\n"), "server certificate, PEM", false);
            Put("server.key", System.Text.Encoding.ASCII.GetBytes(PemEncoding.WriteString("PRIVATE KEY", server.Pkcs8()) + "\n"), "server private key, PEM PKCS#8", true);
            Put("server.cer", server.Certificate.RawData, ca is null ? "server certificate, DER: import into the device as trusted" : "server certificate, DER", false);
            if (ca is not null)
            {
                Put("ca.crt", System.Text.Encoding.ASCII.GetBytes(ca.Certificate.ExportCertificatePem() + "\n"), "CA certificate, PEM", false);
                Put("ca.cer", ca.Certificate.RawData, "CA certificate, DER: import into the device as a trusted CA", false);
                Put("ca.key", System.Text.Encoding.ASCII.GetBytes(PemEncoding.WriteString("PRIVATE KEY", ca.Pkcs8()) + "\n"), "CA private key, PEM PKCS#8: keep offline", true);
            }

            var info = CertificateInfo.FromCertificate(server.Certificate);
            var caInfo = ca is null ? null : CertificateInfo.FromCertificate(ca.Certificate);
            var thumb = Convert.ToHexString(SHA1.HashData(server.Certificate.RawData));
            return new CertificateKitResult(dir, [.. files], info, caInfo, thumb,
                request.Password is null ? password : null, password.Length > 0,
                WindowsSteps(thumb, request.Password is null ? password : request.Password, ca is not null),
                DeviceSteps(ca is not null), Warnings(spec));
        }
        finally
        {
            ca?.Dispose();
        }
    }

    private static void CheckDns(string name, string raw)
    {
        var ok = name.Length is > 0 and <= 253 && name.Split('.').All(l => l.Length is > 0 and <= 63 &&
            l.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '*' or '_'));
        if (!ok) throw new CertificateKitException($"--san {raw}: '{name}' is not a DNS name or IP address");
    }

    // Private keys are created owner-only from the first byte: no window where another user could read them.
    private static void WriteFile(string path, ReadOnlySpan<byte> content, bool secret)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (secret && !OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var fs = new FileStream(path, options)) fs.Write(content);
        // An existing file keeps its old mode when overwritten; set it explicitly.
        if (secret && !OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static ImmutableArray<string> WindowsSteps(string thumbprint, string password, bool withCa)
    {
        var pw = password.Length == 0 ? "\"\"" : password;
        var steps = new List<string>
        {
            $"Copy server.pfx to the Terminal Server machine and import it into the computer's Personal store (elevated prompt): certutil -f -p {pw} -importpfx My server.pfx",
            "  or: mmc → File → Add/Remove Snap-in → Certificates → Computer account → Personal → Certificates → All Tasks → Import → server.pfx (mark the key as not exportable)",
        };
        if (withCa) steps.Add("Optionally trust the private CA on the server too: certutil -addstore Root ca.cer");
        steps.Add($"Configure Terminal Server to use the certificate with thumbprint {thumbprint} (product documentation: \"Configuring secured connection between terminals and Terminal Server\"), grant the service account read access to its private key (mmc → Manage Private Keys), and restart the Terminal Server service.");
        steps.Add($"Check: certutil -verifystore My {thumbprint}");
        return [.. steps];
    }

    private static ImmutableArray<string> DeviceSteps(bool withCa) => withCa
        ?
        [
            "Open the device's web administration → security / certificate management → import ca.cer as a trusted CA certificate (use ca.crt if it wants PEM).",
            "Every server certificate later issued by this CA is then trusted without touching the device again; keep ca.key offline.",
            "Reinstall or reconnect the terminal, then confirm with: tlsdoctor listen --port 5012 --probe-certs (or watch terminalserver.log).",
        ]
        :
        [
            "Open the device's web administration → security / certificate management → import server.cer as a trusted certificate (use server.crt if it wants PEM).",
            "Reinstall or reconnect the terminal, then confirm with: tlsdoctor listen --port 5012 --probe-certs (or watch terminalserver.log).",
        ];

    private static ImmutableArray<string> Warnings(CertificateSpec spec)
    {
        var w = new List<string>();
        if (spec.Key == CertificateKeyKind.Rsa1024)
            w.Add("RSA-1024 can be factored by a well-funded attacker; use it only for devices that cannot verify RSA-2048, on an isolated network.");
        if (spec.Hash == "sha1")
            w.Add("SHA-1 signatures can be forged (chosen-prefix collisions, 2020); modern clients reject them. Use only for devices that cannot verify SHA-256.");
        if (spec.Key == CertificateKeyKind.Rsa4096)
            w.Add("Some older devices cannot verify RSA-4096 signatures (slow or unsupported); rsa:2048 is the safe default.");
        if (spec.Key == CertificateKeyKind.EcP256)
            w.Add("Only clients that offer ECDHE_ECDSA cipher suites can use an ECDSA certificate; many old devices do not.");
        if (spec.Days > 825)
            w.Add("Validity over 825 days is refused by some modern clients; devices usually do not care.");
        return [.. w];
    }
}
