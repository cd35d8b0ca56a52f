using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe.Capture;

/// <summary>A client family with limits its ClientHello does not state, each with where the limit is documented.</summary>
/// <param name="Name">Human name ("Java 6/7 (JSSE) or Android ≤ 2.3").</param>
/// <param name="Evidence">What in the hello identified it.</param>
public sealed record ClientFamily(string Name, string Evidence, ImmutableArray<ClientLimit> Limits, int? DhMaxBits);

/// <summary>
/// Recognises client families with hard limits from their ClientHello: the exact JA3 of a published hello first, then
/// the suite/extension shape. The limits are assumptions (a family's documented behaviour, not this device's) and say so.
/// </summary>
public static class ClientFamilies
{
    private const string JavaDhSource =
        "JSSE before JDK 8 generates DH keys of 512-1024 bits only (JDK-6521495, fixed in JDK 8; mozilla/server-side-tls#31 and #47: " +
        "Java 6 and 7 fail with \"Could not generate DH keypair\" against 2048-bit DHE); only the non-public 6u105 / 7u91 raised it to 2048";

    // JA3 of the hello published in libressl/portable#122 (Android 2.3.7): the JSSE 6 default suite list, TLS 1.0, no extensions.
    private const string Jsse6Ja3 = "769,4-5-47-51-50-10-22-19-9-21-18-3-8-20-17-255,,,";

    /// <summary>The family of the hello, or null when none is recognised.</summary>
    public static ClientFamily? Recognise(ClientHelloFacts hello)
    {
        ArgumentNullException.ThrowIfNull(hello);
        var ja3 = Fingerprints.Ja3(hello);
        var suites = hello.CipherSuites.Where(c => !Grease.IsGrease(c)).ToList();
        var known = suites.Select(CipherSuites.Get).ToList();
        var aead = known.Any(s => s.Cipher.Contains("GCM", StringComparison.Ordinal) || s.Cipher.Contains("CHACHA", StringComparison.Ordinal) || s.Cipher.Contains("CCM", StringComparison.Ordinal));
        var dss = known.Any(s => s.Authentication == Authentication.DSS && s.KeyExchange == KeyExchange.DHE);
        var scsvLast = suites.Count > 0 && suites[^1] == 0x00FF;

        // JSSE 6/7 (and Android ≤ 2.3, which shipped the same list): SCSV at the end, DHE-DSS suites, no AEAD suites, no TLS 1.3.
        if (ja3.Text == Jsse6Ja3 || (scsvLast && dss && !aead && !hello.Has(ExtensionType.SupportedVersions) && hello.LegacyVersion <= 0x0303))
        {
            var evidence = ja3.Text == Jsse6Ja3
                ? $"JA3 {ja3.Hash}: the JSSE 6 default suite list (also Android ≤ 2.3, libressl/portable#122)"
                : "suite shape of JSSE 6/7: DHE-DSS suites, no AEAD suite, TLS_EMPTY_RENEGOTIATION_INFO_SCSV last";
            return new ClientFamily("Java 6/7 (JSSE) or Android ≤ 2.3", evidence,
                [new ClientLimit(ClientLimits.DhMaxBits, "1024", LimitBasis.Assumed, $"client family Java 6/7 (JSSE), recognised by {evidence}: {JavaDhSource}")], 1024);
        }

        // Android 4.0-4.3: OpenSSL 1.0.x hello with NPN and session tickets, TLS 1.0 only.
        if (hello.LegacyVersion == 0x0301 && hello.Has(ExtensionType.NextProtocolNegotiation) && hello.Has(ExtensionType.SessionTicket)
            && !hello.Has(ExtensionType.SignatureAlgorithms) && !aead && hello.Format == HelloFormat.Tls)
        {
            const string evidence = "TLS 1.0 hello with next_protocol_negotiation and session_ticket, no signature_algorithms (Android 4.0-4.3 default)";
            return new ClientFamily("Android 4.0-4.3", evidence,
                [new ClientLimit(ClientLimits.MaxVersion, "TLSv1.0", LimitBasis.Assumed,
                    $"client family Android 4.0-4.3, recognised by {evidence}: TLS 1.1/1.2 are disabled by default before Android 5.0 (API 20; Android SSLSocket documentation, protocol table), so only a firmware update raises it")], null);
        }

        // OpenSSL before 1.0.1: no TLS 1.1/1.2 at all; SSLv2-compatible hello by default.
        if (hello.Format == HelloFormat.Sslv2 && hello.LegacyVersion == 0x0301 && !hello.Sslv2CipherKinds.IsEmpty && !aead)
        {
            const string evidence = "SSLv2-format hello offering SSLv2 kinds and TLS 1.0 at most (OpenSSL 0.9.x SSLv23_method default)";
            return new ClientFamily("OpenSSL 0.9.x", evidence,
                [new ClientLimit(ClientLimits.MaxVersion, "TLSv1.0", LimitBasis.Assumed,
                    $"client family OpenSSL 0.9.x, recognised by {evidence}: TLS 1.1 and 1.2 arrived in OpenSSL 1.0.1 (OpenSSL changelog), so no setting raises it")], null);
        }
        return null;
    }

    /// <summary>The named assumption for a client whose family is not recognised.</summary>
    public static ClientLimit UnknownFamilyDh { get; } = new(ClientLimits.DhMaxBits, "no limit", LimitBasis.Assumed,
        "client family not recognised from the hello: no DH size limit assumed (Java 6/7, for one, cannot use DHE above 1024 bits)");
}
