using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using TlsDoctor.Core;

namespace TlsDoctor.Diagnosis;

/// <summary>Certificates the remedies plan, as the simulation sees them.</summary>
public static class PlannedCertificates
{
    /// <summary>A self-signed RSA certificate as `tlsdoctor cert new` would make it.</summary>
    public static CertificateInfo Make(string subject, int rsaBits, string hash, DateTimeOffset notBefore, DateTimeOffset notAfter, string seed) => new(
        subject, subject, notBefore, notAfter, "RSA", rsaBits, null, hash + "WithRSAEncryption", [], true,
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}|{subject}|{rsaBits}|{hash}"))), "");

    /// <summary>The strongest RSA key and hash a client profile verifies (2048 / sha256 when it states no limit).</summary>
    public static (int Bits, string Hash) StrongestAccepted(ClientProfile device)
    {
        var bits = device.RsaMaxBits is { } m ? Math.Min(m, 2048) : 2048;
        if (bits < device.RsaMinBits) bits = device.RsaMinBits;
        var hashes = device.AcceptedCertificateHashes;
        var hash = hashes.IsDefaultOrEmpty ? "sha256" : new[] { "sha256", "sha384", "sha512", "sha1" }.FirstOrDefault(h => hashes.Contains(h, StringComparer.OrdinalIgnoreCase)) ?? hashes[0];
        return (bits, hash);
    }

    /// <summary>The certificate remedy: the `tlsdoctor cert new` command, the steps to install and import it, and re-simulation with it.</summary>
    public static Remedy Remedy(DiagnosisContext ctx, string key, string title, string risk)
    {
        var (bits, hash) = StrongestAccepted(ctx.Client);
        var cn = ctx.Host ?? "terminal-server";
        var now = ctx.Options.Now ?? DateTimeOffset.UtcNow;
        var planned = Make($"CN={cn}", bits, hash, now.AddDays(-1), now.AddDays(3650), key);
        var client = ctx.Client.TrustedCertificates is { } trusted ? ctx.Client with { TrustedCertificates = trusted.Add(planned.Sha256) } : ctx.Client;
        var server = ctx.Windows.Policy.ToServerProfile(planned);
        var command = $"tlsdoctor cert new --key rsa:{bits.ToString(CultureInfo.InvariantCulture)} --hash {hash} --cn {cn} --days 3650 --out ./tlsdoctor-cert";
        var steps = ImmutableArray.Create(
            $"Run: {command}",
            "Configure the Terminal Server to use the new PFX (Dispatcher Paragon documentation: \"Configuring secured connection between terminals and Terminal Server\") and restart it.",
            "Import the .cer file into the device as a trusted certificate (device administration page → certificates).",
            "Install the device again.");
        return new Remedy(RemedyKind.Certificate, title, key,
            [new RemedyFile("cert-command.txt", command + "\r\n")], risk, steps, ctx.Resimulate(client, server), []);
    }
}

/// <summary>TD004: TLS 1.2 with a SHA-512-signed certificate on Windows without the August 2014 update.</summary>
public sealed class Sha512UnpatchedRule : IFindingRule
{
    public FindingDescriptor Descriptor => Findings.Sha512Unpatched;

    public IEnumerable<Finding> Analyze(DiagnosisContext ctx)
    {
        if (!ctx.Outbound || !ctx.Explains(Descriptor)) yield break;
        var policy = ctx.Windows.Policy;
        var evidence = new List<Evidence>();
        foreach (var c in ctx.Server.Certificates)
            evidence.Add(Evidence.Probe($"certificate {c.Subject} is signed with {c.SignatureAlgorithm}", ctx.CertificateAttemptId(c)));
        evidence.Add(Evidence.Probe($"the service accepts {Observed.Versions(ctx.PeerVersions)}"));
        evidence.Add(Evidence.Policy($"SHA-512 in TLS 1.2: {(policy.Sha512InTls12.Value ? "yes" : "no")} ({policy.Sha512InTls12.Source}); installed updates {(policy.UpdatesKnown ? "given" : "assumed")}: {(policy.Updates.IsEmpty ? "none" : string.Join(", ", policy.Updates))}"));
        evidence.Add(ctx.SimulationEvidence());
        var remedies = new List<Remedy>();
        var kbs = policy.Release.Sha512InTls12.FixedBy;
        if (!kbs.IsDefaultOrEmpty)
        {
            var kb = kbs[0];
            var number = kb[2..];
            remedies.Add(ctx.WindowsRemedy(RemedyKind.WindowsUpdate, $"TD004:{kb}", $"Install {kb} on the Terminal Server ({policy.Release.Name}; SHA-512 in TLS 1.2)",
                ctx.Windows.WithUpdate(kb), "Low: a Microsoft rollup from August 2014; reboot required.",
                [$"Download {kb} (https://support.microsoft.com/kb/{number}; the vendor guide links KB2973337) from the Microsoft Update Catalog or install it from Windows Update.",
                 "Reboot.", $"Check with PowerShell: Get-HotFix -Id {kb}"],
                [new RemedyFile("windows-update.txt", $"{kb}\r\nhttps://support.microsoft.com/kb/{number}\r\nPowerShell check: Get-HotFix -Id {kb}\r\n")]));
        }
        var lower = ctx.Server.SupportedVersions.Where(v => v < TlsVersion.TLSv1_2).ToList();
        if (ProtocolRemedies.Setting(lower) is { } setting)
            remedies.Add(ProtocolRemedies.ProductSettingRemedy(ctx, $"TD004:product-setting-{setting.Raw.Replace(" ", "")}", setting, "avoid TLS 1.2 with this service"));
        yield return ctx.Make(Descriptor,
            $"{ctx.Target} sends a SHA-512-signed certificate in TLS 1.2; {policy.Release.Name} without {(kbs.IsDefaultOrEmpty ? "the August 2014 update" : string.Join(" / ", kbs))} drops the handshake",
            evidence, remedies);
    }
}

/// <summary>TD006: the device does not trust the Terminal Server's certificate (inbound).</summary>
public sealed class UntrustedCertificateRule : IFindingRule
{
    public FindingDescriptor Descriptor => Findings.UntrustedCertificate;

    public IEnumerable<Finding> Analyze(DiagnosisContext ctx)
    {
        if (ctx.Outbound) yield break;
        var failing = ctx.Explains(Descriptor);
        if (!failing && !(ctx.ServerCertificateAssumed && ctx.Client.TrustedCertificates is null)) yield break;
        var cert = ctx.ServerCertificate;
        var evidence = new List<Evidence>
        {
            ctx.ServerCertificateAssumed
                ? Evidence.Policy("the Terminal Server is assumed to present its default certificate, which is the same in every deployment and not trusted by devices (give --server HOST:PORT to read the real one)")
                : Evidence.Probe($"the Terminal Server presents {cert?.Subject} (issuer {cert?.Issuer}, SHA-256 {cert?.Sha256})", ctx.CertificateAttemptId(cert)),
            ctx.Client.TrustedCertificates is { } t ? Evidence.Capture($"the device trusts {t.Length} certificate(s), none of them this one") : Evidence.Capture("the capture does not say which certificates the device trusts"),
        };
        if (failing) evidence.Add(ctx.SimulationEvidence());
        var remedy = PlannedCertificates.Remedy(ctx, "TD006:new-certificate", "Create a key and certificate for this Terminal Server and import it into the device as trusted",
            "Low: a certificate of your own instead of the shared default; every device must import it (or the CA, with --ca).");
        yield return ctx.Make(Descriptor,
            failing ? "The device does not trust the Terminal Server's certificate" : "The Terminal Server presents the shared default certificate, which devices do not trust",
            evidence, [remedy], failing ? null : Severity.Warning);
    }
}

/// <summary>TD007: the device cannot verify the certificate's key size, key algorithm or signature hash (inbound).</summary>
public sealed class UnsupportedCertificateRule : IFindingRule
{
    public FindingDescriptor Descriptor => Findings.UnsupportedCertificate;

    public IEnumerable<Finding> Analyze(DiagnosisContext ctx)
    {
        if (ctx.Outbound) yield break;
        if (ctx.Explains(Descriptor)) yield return Report(ctx, null);
        else if (AssumedHashes(ctx) is { } hypothetical) yield return Report(hypothetical, ctx);
    }

    // Inbound, from a hello only: its signature_algorithms exclude the hash of the Terminal Server's certificate (RFC 5246
    // §7.4.2 ties the chain to that list), and no learning showed the device verifying it anyway.
    private static DiagnosisContext? AssumedHashes(DiagnosisContext ctx)
    {
        if (!ctx.Client.AcceptedCertificateHashes.IsDefaultOrEmpty || ctx.Client.Limit(ClientLimits.CertificateHashes) is { Basis: LimitBasis.Observed }) return null;
        var hashes = TlsDoctor.Probe.Capture.CaptureProfiles.SchemeHashes(ctx.Client);
        var certHash = ctx.ServerCertificate is { } sc ? SignatureAlgorithms.HashOf(sc.SignatureAlgorithm) : null;
        if (hashes.IsEmpty || certHash is null || hashes.Contains(certHash)) return null;
        var hypothetical = ctx.WithClient(ctx.Client with { AcceptedCertificateHashes = hashes });
        return hypothetical.Explains(Findings.UnsupportedCertificate) ? hypothetical : null;
    }

    // assumedFrom: the direction as captured, when the finding rests on the signature_algorithms assumption (a warning).
    private Finding Report(DiagnosisContext ctx, DiagnosisContext? assumedFrom)
    {
        var cert = ctx.ServerCertificate;
        var c = ctx.Client;
        var evidence = new List<Evidence>
        {
            (ctx.ServerCertificateAssumed ? (Func<string, Evidence>)Evidence.Policy : t => Evidence.Probe(t))(
                $"the Terminal Server certificate: {cert?.KeyAlgorithm} {cert?.KeyBits} bits, {cert?.SignatureAlgorithm}{(ctx.ServerCertificateAssumed ? " (assumed default)" : "")}"),
            Evidence.Capture($"the device verifies RSA keys up to {c.RsaMaxBits?.ToString(CultureInfo.InvariantCulture) ?? "any size"}, " +
                             $"hashes {(c.AcceptedCertificateHashes.IsDefaultOrEmpty ? "any" : string.Join(", ", c.AcceptedCertificateHashes))}, " +
                             $"key algorithms {(c.AcceptedCertificateKeys.IsDefaultOrEmpty ? "any" : string.Join(", ", c.AcceptedCertificateKeys))}"
                             + (c.Limit(ClientLimits.CertificateHashes) is { Basis: LimitBasis.Observed } seen ? $" (observed: {seen.Source})" : "")),
            ctx.SimulationEvidence(),
        };
        var (bits, hash) = PlannedCertificates.StrongestAccepted(c);
        var weak = bits < 2048 || hash is "sha1" or "md5";
        var remedy = PlannedCertificates.Remedy(ctx, $"TD007:rsa{bits}-{hash}", $"Create an RSA-{bits} / {hash.ToUpperInvariant()} certificate the device can verify",
            weak ? $"RSA-{bits} and/or {hash.ToUpperInvariant()} are below today's minimum (RSA-2048, SHA-256): the certificate can be forged by a well-funded attacker. Use it only while the device cannot be updated, on a trusted network."
                 : "Low: a certificate of your own; devices must import it.");
        if (assumedFrom is null)
            return ctx.Make(Descriptor, $"The device cannot verify the Terminal Server certificate ({cert?.KeyAlgorithm} {cert?.KeyBits}, {cert?.SignatureAlgorithm})", evidence, [remedy]);
        evidence.Add(Evidence.Capture($"assumed, not observed: {assumedFrom.Client.Limit(ClientLimits.CertificateHashes)?.Source ?? "the hello's signature_algorithms exclude " + SignatureAlgorithms.HashOf(cert?.SignatureAlgorithm ?? "")}"));
        evidence.Add(Evidence.Simulation($"taking only what signature_algorithms lists as verifiable: {ctx.Outcome.Explanation}; as captured (no certificate limit known) it connects"));
        evidence.Add(Evidence.Capture($"settle it: {DiagnosisContext.LearnCommand}"));
        return ctx.Make(Descriptor,
            $"The device probably cannot verify the Terminal Server certificate ({cert?.SignatureAlgorithm}): its signature_algorithms offer only {string.Join(", ", c.AcceptedCertificateHashes)} (assumed, not observed)",
            evidence, [remedy], Severity.Warning);
    }
}

/// <summary>TD104: a certificate has expired or is not yet valid.</summary>
public sealed class CertificateExpiredRule : IFindingRule
{
    public FindingDescriptor Descriptor => Findings.CertificateExpired;

    public IEnumerable<Finding> Analyze(DiagnosisContext ctx)
    {
        var failing = ctx.Explains(Descriptor);
        var chain = ctx.Outbound ? ctx.Server.Certificates : ctx.ServerCertificate is { } sc ? [sc] : [];
        var now = ctx.Options.Now ?? DateTimeOffset.UtcNow;
        var bad = chain.Where(c => now > c.NotAfter || now < c.NotBefore).ToList();
        if (!failing && bad.Count == 0) yield break;
        var evidence = bad.Select(c => (ctx.Outbound ? Evidence.Probe(now > c.NotAfter ? $"{c.Subject} expired on {c.NotAfter:yyyy-MM-dd}" : $"{c.Subject} is valid only from {c.NotBefore:yyyy-MM-dd}")
            : Evidence.Probe($"{c.Subject} valid {c.NotBefore:yyyy-MM-dd} – {c.NotAfter:yyyy-MM-dd}"))).ToList();
        evidence.Add(failing ? ctx.SimulationEvidence()
            : Evidence.Policy("the Terminal Server is assumed not to check the validity dates of device certificates (devices use self-signed certificates)"));
        var remedy = ctx.Outbound
            ? new Remedy(RemedyKind.Certificate, "Renew the certificate on the endpoint (or correct its clock)", "TD104:renew", [],
                "None: a new certificate of the same kind.", ["Create a new certificate on the device or service (its administration page) and install it.", "Check the endpoint's clock."],
                ctx.Resimulate(server: ctx.Server with { Certificates = [.. ctx.Server.Certificates.Select(c => c with { NotBefore = now.AddDays(-1), NotAfter = now.AddYears(2) })] }), [])
            : PlannedCertificates.Remedy(ctx, "TD104:new-certificate", "Create a new certificate for the Terminal Server", "Low: devices must import the new certificate.");
        // Not failing: the Terminal Server does not check device certificates' dates, so it is only a risk there.
        yield return ctx.Make(Descriptor,
            bad.Count > 0 && now > bad[0].NotAfter ? $"The certificate of {ctx.Target} has expired" : $"A certificate of {ctx.Target} is not valid at this time",
            evidence, [remedy], failing || ctx.Direction == Direction.OutboundPayment ? null : Severity.Warning);
    }
}

/// <summary>TD105: the service's certificate does not name the host name it is reached by (.NET checks the name).</summary>
public sealed class CertificateNameMismatchRule : IFindingRule
{
    public FindingDescriptor Descriptor => Findings.CertificateNameMismatch;

    public IEnumerable<Finding> Analyze(DiagnosisContext ctx)
    {
        if (ctx.Direction != Direction.OutboundPayment || ctx.Host is not { } host || ctx.Server.Certificates.IsDefaultOrEmpty) yield break;
        var leaf = ctx.Server.Certificates[0];
        if (Matches(leaf, host)) yield break;
        var names = leaf.SubjectAlternativeNames.IsDefaultOrEmpty ? leaf.Subject : string.Join(", ", leaf.SubjectAlternativeNames);
        yield return ctx.Make(Descriptor, $"The certificate of {ctx.Target} does not name {host}",
            [Evidence.Probe($"certificate {leaf.Subject} names {names}"), Evidence.Policy(".NET validates the server name of outbound connections (RemoteCertificateNameMismatch)")],
            [new Remedy(RemedyKind.Certificate, $"Reach the service by a name its certificate holds, or reissue the certificate with DNS:{host}", "TD105:reissue", [],
                "None.", [$"Use one of: {names}", $"Or reissue the service's certificate with subjectAltName DNS:{host}."], null, [])]);
    }

    /// <summary>RFC 6125 matching: DNS SANs (one leftmost wildcard label), IP SANs, else the CN.</summary>
    public static bool Matches(CertificateInfo cert, string host)
    {
        var sans = cert.SubjectAlternativeNames.IsDefault ? [] : cert.SubjectAlternativeNames;
        if (IPAddress.TryParse(host, out var ip))
            return sans.Any(s => s.StartsWith("IP:", StringComparison.Ordinal) && IPAddress.TryParse(s[3..], out var a) && a.Equals(ip));
        var dns = sans.Where(s => s.StartsWith("DNS:", StringComparison.Ordinal)).Select(s => s[4..]).ToList();
        if (dns.Count == 0)
        {
            var cn = cert.Subject.Split(',').Select(p => p.Trim()).FirstOrDefault(p => p.StartsWith("CN=", StringComparison.OrdinalIgnoreCase));
            if (cn is not null) dns.Add(cn[3..]);
        }
        return dns.Any(d => NameMatches(d, host));
    }

    private static bool NameMatches(string pattern, string host)
    {
        if (pattern.Equals(host, StringComparison.OrdinalIgnoreCase)) return true;
        if (!pattern.StartsWith("*.", StringComparison.Ordinal)) return false;
        var dot = host.IndexOf('.');
        return dot > 0 && host[(dot + 1)..].Equals(pattern[2..], StringComparison.OrdinalIgnoreCase);
    }
}
