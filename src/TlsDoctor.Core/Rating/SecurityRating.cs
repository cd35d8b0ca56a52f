using System.Collections.Immutable;

namespace TlsDoctor.Core;

/// <summary>One reason that caps a grade.</summary>
/// <param name="Cap">The best grade the endpoint can get with this property.</param>
public sealed record RatingReason(string Cap, string Reason);

/// <summary>An endpoint's security grade (A best, F worst) with every reason that capped it; Grade null when nothing was rated (no TLS).</summary>
/// <param name="Warning">One line for devices that answer only SSLv2/SSLv3: they may "work", but never without it being said.</param>
public sealed record SecurityGrade(string? Grade, ImmutableArray<RatingReason> Reasons, string? Warning);

/// <summary>
/// Grades what a server accepts in the manner of SSL Labs and testssl.sh: the grade is the worst cap any property sets
/// (README "Security rating" lists the criteria). It rates the server's configuration only; trust in its certificate
/// (who issued it, which name it carries) is out of scope, as a device's certificate is judged by TD006/TD007.
/// </summary>
public static class SecurityRating
{
    /// <summary>Grades in order, best first.</summary>
    public static ImmutableArray<string> Grades { get; } = ["A", "B", "C", "F"];

    public static SecurityGrade Rate(ServerProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var versions = profile.SupportedVersions.ToList();
        if (versions.Count == 0) return new SecurityGrade(null, [new RatingReason("-", "not rated: no protocol version answered")], null);
        var reasons = new List<RatingReason>();
        void Cap(string grade, string reason) => reasons.Add(new RatingReason(grade, reason));

        var highest = versions.Max();
        if (versions.Contains(TlsVersion.SSLv2)) Cap("F", "SSLv2 is accepted");
        if (highest <= TlsVersion.SSLv3) Cap("F", "no TLS version: SSLv3 or SSLv2 only");
        else if (versions.Contains(TlsVersion.SSLv3)) Cap("C", "SSLv3 is accepted (POODLE)");
        if (highest < TlsVersion.TLSv1_2) Cap("C", "no TLS 1.2 or 1.3");
        if (versions.Any(v => v is TlsVersion.TLSv1_0 or TlsVersion.TLSv1_1)) Cap("B", "TLS 1.0 or 1.1 is accepted");

        var suites = profile.Protocols.Where(p => p.Supported && !p.CipherSuites.IsDefault).SelectMany(p => p.CipherSuites).ToList();
        var known = suites.Select(s => s.Suite).Where(s => s.KeyExchange != KeyExchange.Unknown && !s.Scsv).DistinctBy(s => s.Code).ToList();
        if (known.Any(s => s.Export || s.IsNullCipher() || s.Authentication == Authentication.Anonymous)) Cap("F", "an export, NULL or anonymous cipher suite is accepted");
        if (known.Any(s => s.Cipher.StartsWith("RC4", StringComparison.Ordinal))) Cap("C", "RC4 is accepted (RFC 7465)");
        if (known.Any(s => !s.Export && s.CipherBits < 128 && !s.IsNullCipher())) Cap("C", "a cipher under 128 bits (DES, RC2) is accepted");
        if (known.Any(s => s.Cipher.StartsWith("3DES", StringComparison.Ordinal))) Cap("B", "3DES is accepted (64-bit block: SWEET32)");
        if (known.Any(s => s.Mac == "MD5")) Cap("B", "a suite with an MD5 MAC is accepted");
        if (known.Count > 0 && known.All(s => s.KeyExchange is KeyExchange.RSA)) Cap("B", "no forward secrecy: RSA key exchange only");

        var dh = suites.Where(s => s.DhBits is not null).Select(s => s.DhBits!.Value).DefaultIfEmpty(0).Min();
        if (dh is > 0 and < 1024) Cap("F", $"DH group of {dh} bits (under 1024: Logjam)");
        else if (dh is > 0 and < 2048) Cap("B", $"DH group of {dh} bits (under 2048)");

        if (!profile.Certificates.IsDefaultOrEmpty && profile.Certificates[0] is { } leaf)
        {
            if (leaf.KeyAlgorithm == "RSA" && leaf.KeyBits is > 0 and < 1024) Cap("F", $"RSA key of {leaf.KeyBits} bits (under 1024)");
            else if (leaf.KeyAlgorithm == "RSA" && leaf.KeyBits is > 0 and < 2048) Cap("B", $"RSA key of {leaf.KeyBits} bits (under 2048)");
            if (leaf.SignatureAlgorithm.Contains("md5", StringComparison.OrdinalIgnoreCase)) Cap("F", $"certificate signed {leaf.SignatureAlgorithm}");
            else if (leaf.SignatureAlgorithm.Contains("sha1", StringComparison.OrdinalIgnoreCase)) Cap("B", $"certificate signed {leaf.SignatureAlgorithm}");
        }
        if (profile.Behaviours.Any(b => b.Kind is BehaviourKind.HandshakeFailsAfterHello or BehaviourKind.DhLeadingZeroBug or BehaviourKind.ProtocolViolation))
            Cap("C", "a protocol implementation defect: " + string.Join(", ", profile.Behaviours.Select(b => b.Kind)
                .Where(k => k is BehaviourKind.HandshakeFailsAfterHello or BehaviourKind.DhLeadingZeroBug or BehaviourKind.ProtocolViolation).Distinct().Select(k => k.Name())));

        var grade = reasons.Count == 0 ? "A" : reasons.Select(r => r.Cap).MaxBy(Grades.IndexOf)!;
        var warning = highest <= TlsVersion.SSLv3
            ? $"this device answers only {string.Join(" and ", versions.Select(v => v.Name()))}: broken protocols that current Windows disables; any connection that works is insecure"
            : null;
        return new SecurityGrade(grade, [.. reasons.OrderBy(r => -Grades.IndexOf(r.Cap))], warning);
    }
}
