using System.Collections.Immutable;

namespace TlsDoctor.Core;

/// <summary>Inputs of a simulation that are not part of either profile.</summary>
/// <param name="Now">Clock for certificate validity; null = dates are not checked (keeps the plain overload pure and repeatable).</param>
public sealed record NegotiationOptions(DateTimeOffset? Now = null)
{
    /// <summary>No clock: certificate dates are not checked.</summary>
    public static NegotiationOptions Default { get; } = new();
}

/// <summary>
/// Simulates a handshake between a client and a server profile, following RFC 5246 / RFC 8446 and SCHANNEL's
/// documented behaviour. Pure and deterministic: the same profiles always give the same outcome.
/// </summary>
/// <remarks>
/// Checks run in wire order, and the first failing one is the outcome's reason: ServerHello (version, suite,
/// group), Certificate (key algorithm and size, signature hashes, SHA-512 in TLS 1.2), ServerKeyExchange (DH size),
/// trust and dates (after the key exchange when the client validates after the handshake, as .NET does), and
/// Finished (fake versions, DH leading zero). Later problems are listed in AdditionalReasons.
/// DH leading zero: the shared secret Z starts with a zero byte with probability ≈ 1/256 (for the usual primes whose
/// top bits are set), so when exactly one side strips that byte the sides derive different keys in ≈ 1/256 of DHE
/// handshakes and the server rejects the client's Finished with bad_record_mac. The outcome is then Completed with
/// FailureRate = 1/256 and reason dh-leading-zero; when both sides make the same mistake they agree (hs-tls PR #201).
/// </remarks>
public static class Negotiator
{
    /// <summary>Probability that a DH shared secret starts with a zero byte.</summary>
    public const double LeadingZeroFailureRate = 1.0 / 256;

    /// <summary>Simulates without a clock (certificate dates are not checked).</summary>
    public static HandshakeOutcome Simulate(ClientProfile client, ServerProfile server) =>
        Simulate(client, server, NegotiationOptions.Default);

    /// <summary>Simulates with <paramref name="now"/> as the clock for certificate validity.</summary>
    public static HandshakeOutcome Simulate(ClientProfile client, ServerProfile server, DateTimeOffset now) =>
        Simulate(client, server, new NegotiationOptions(now));

    /// <summary>Simulates with explicit options.</summary>
    public static HandshakeOutcome Simulate(ClientProfile client, ServerProfile server, NegotiationOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);

        var hello = ServerHello(client, server);
        if (hello.Failure is { } failed) return failed;
        var (version, support, pick, group) = (hello.Version, hello.Support!, hello.Pick!, hello.Group);
        var clientGroups = Norm(client.Groups);

        var suite = pick.Suite;
        var kx = suite.KeyExchange;
        if (kx == KeyExchange.Any) kx = group?.Kind == GroupKind.FiniteField ? KeyExchange.DHE : KeyExchange.ECDHE;
        var ffdh = kx.IsFiniteFieldDh();
        int? dhBits = ffdh
            ? (version == TlsVersion.TLSv1_3 && group is not null ? group.Bits
               : clientGroups.Any(g => g.Kind == GroupKind.FiniteField) && pick.DhBitsWithFfdhe is { } f ? f : pick.DhBits)
            : null;
        var leaf = Norm(server.Certificates).FirstOrDefault();
        int? kxBits = ffdh ? dhBits : group is not null ? group.Bits : kx == KeyExchange.RSA ? leaf?.KeyBits : null;

        var problems = Problems(client, server, options, version, support, suite, ffdh ? dhBits : null);
        if (problems.Count > 0)
        {
            var first = problems[0];
            return new HandshakeOutcome(false, version, suite, kx, kxBits, first.Reason, first.Side, first.Alert, null, first.Text)
            {
                Group = group,
                AdditionalReasons = problems.Skip(1).Select(p => p.Reason).Distinct().ToImmutableArray(),
            };
        }

        var summary = $"{version.Name()} with {suite.Name}" + (kxBits is { } kb ? $" ({kx.Name()} {kb} bits{(group is null ? "" : ", " + group.Name)})" : "");
        if (ffdh && version != TlsVersion.TLSv1_3 && client.StripsDhLeadingZero == server.Has(BehaviourKind.DhLeadingZeroBug))
        {
            var who = client.StripsDhLeadingZero ? "the server does not strip" : "the client does not strip";
            return new HandshakeOutcome(true, version, suite, kx, kxBits, FailureReason.DhLeadingZero, Side.Server,
                AlertDescription.BadRecordMac, LeadingZeroFailureRate,
                $"{summary} completes, but {who} leading zeros of the DH shared secret (RFC 5246 §8.1.2): about 1 in 256 handshakes derive different keys and fail with bad_record_mac.")
            { Group = group };
        }
        return new HandshakeOutcome(true, version, suite, kx, kxBits, null, null, null, null, summary + " completes.") { Group = group };
    }

    /// <summary>What the server's first flight settles: version, suite and group, or the failure that stops it there.</summary>
    private sealed record Hello(HandshakeOutcome? Failure, TlsVersion Version = default, ProtocolSupport? Support = null, AcceptedSuite? Pick = null,
        NamedGroup? Group = null);

    private static Hello ServerHello(ClientProfile client, ServerProfile server)
    {
        var offered = Norm(client.Versions);
        if (offered.IsEmpty)
            return new(Fail(FailureReason.NoCommonProtocol, Side.Client, null, null, null, null,
                $"{client.Name} offers no protocol version, so it cannot send a ClientHello."));
        var clientMax = offered.Max();

        // Intolerance: the server chokes on the offered maximum instead of negotiating down.
        var intolerant = Norm(server.Behaviours).FirstOrDefault(b =>
            b.Kind == BehaviourKind.VersionIntolerance && (b.Version is null || clientMax >= b.Version));
        if (intolerant is not null)
            return new(Fail(FailureReason.VersionIntolerance, Side.Server, AlertDescription.HandshakeFailure, null, null, null,
                $"The server aborts when a ClientHello offers {clientMax.Name()} instead of answering with a lower version ({intolerant.Detail})."));
        if (!Norm(client.Extensions).IsEmpty && server.Has(BehaviourKind.ExtensionIntolerance))
            return new(Fail(FailureReason.ExtensionIntolerance, Side.Server, AlertDescription.HandshakeFailure, null, null, null,
                "The server aborts on ClientHellos that carry extensions, and this client sends some."));

        // Version: TLS 1.3 servers pick from supported_versions; older ones answer with their highest ≤ the client's max.
        var serverVersions = Norm(server.Protocols).Where(p => p.Supported).Select(p => p.Version).ToHashSet();
        TlsVersion? chosen;
        if (offered.Contains(TlsVersion.TLSv1_3) && serverVersions.Contains(TlsVersion.TLSv1_3))
            chosen = TlsVersion.TLSv1_3;
        else
        {
            var legacyMax = clientMax > TlsVersion.TLSv1_2 ? TlsVersion.TLSv1_2 : clientMax;
            chosen = serverVersions.Where(v => v <= legacyMax && v != TlsVersion.SSLv2).Cast<TlsVersion?>().Max();
            if (chosen is null && offered.Contains(TlsVersion.SSLv2) && serverVersions.Contains(TlsVersion.SSLv2)) chosen = TlsVersion.SSLv2;
        }
        if (chosen is null)
            return new(Fail(FailureReason.NoCommonProtocol, Side.Server, AlertDescription.ProtocolVersion, null, null, null,
                $"The client offers {List(offered)}; the server supports {List(serverVersions)}: nothing in common, the server rejects the ClientHello."));
        var version = chosen.Value;
        if (!offered.Contains(version))
            return new(Fail(FailureReason.NoCommonProtocol, Side.Client, AlertDescription.ProtocolVersion, version, null, null,
                $"The server answers with {version.Name()}, which the client does not accept (it offers {List(offered)})."));

        var support = server.For(version)!;
        var clientGroups = Norm(client.Groups);
        var serverGroups = Norm(server.Groups).Concat(Norm(support.CipherSuites).Where(a => a.Group is not null).Select(a => a.Group!))
            .DistinctBy(g => g.Code).ToImmutableArray();
        if (version == TlsVersion.TLSv1_3)
        {
            // RFC 7919 groups seen only in TLS <= 1.2 DHE say nothing about TLS 1.3 key shares (SCHANNEL, for one, has
            // none in TLS 1.3); the TLS 1.3 group scan lists its own.
            var tls13Picks = Norm(support.CipherSuites).Where(a => a.Group is not null).Select(a => a.Group!.Code).ToHashSet();
            var olderFfdhe = Norm(server.Protocols).Where(p => p.Version < TlsVersion.TLSv1_3).SelectMany(p => Norm(p.FfdheGroups))
                .Select(g => g.Group.Code).Where(c => !tls13Picks.Contains(c)).ToHashSet();
            serverGroups = [.. serverGroups.Where(g => !olderFfdhe.Contains(g.Code))];
        }

        // Suite: intersection, then drop what needs a group the two sides do not share.
        var clientSuites = Norm(client.CipherSuites).Where(s => s.ValidIn(version)).ToImmutableArray();
        var serverSuites = Norm(support.CipherSuites).Where(a => a.Suite.ValidIn(version)).ToImmutableArray();
        var common = support.ServerOrder == true
            ? serverSuites.Where(a => clientSuites.Any(c => c.Code == a.Suite.Code)).ToImmutableArray()
            : clientSuites.Select(c => serverSuites.FirstOrDefault(a => a.Suite.Code == c.Code)).OfType<AcceptedSuite>().ToImmutableArray();
        if (common.IsEmpty)
            return new(Fail(FailureReason.NoCommonCipherSuite, Side.Server, AlertDescription.HandshakeFailure, version, null, null,
                $"In {version.Name()} the client offers {clientSuites.Length} suites and the server accepts {serverSuites.Length}; none is in both lists."));

        foreach (var a in common)
        {
            var needsGroup = version == TlsVersion.TLSv1_3 || a.Suite.KeyExchange.IsEllipticCurve();
            if (!needsGroup) return new(null, version, support, a);
            var g = PickGroup(a, clientGroups, serverGroups, version, serverListsGroups: !Norm(server.Groups).IsEmpty);
            if (g.Ok) return new(null, version, support, a, g.Group);
        }
        return new(Fail(FailureReason.NoCommonGroup, Side.Server, AlertDescription.HandshakeFailure, version, null, null,
            $"The suites in common need a named group; the client offers {List(clientGroups.Select(g => g.Name))}, the server accepts {List(serverGroups.Select(g => g.Name))}."));
    }

    /// <summary>Everything after ServerHello, in wire order: Certificate, ServerKeyExchange, late trust checks, Finished.</summary>
    private static List<Problem> Problems(ClientProfile client, ServerProfile server, NegotiationOptions options, TlsVersion version,
        ProtocolSupport support, CipherSuite suite, int? dhBits)
    {
        var problems = new List<Problem>();
        var leaf = Norm(server.Certificates).FirstOrDefault();
        var needsCertificate = suite.Authentication is not (Authentication.Anonymous or Authentication.PSK or Authentication.Null);

        // Certificate message.
        var late = new List<Problem>();
        if (needsCertificate)
        {
            if (leaf is null)
                problems.Add(new(FailureReason.NoCertificate, Side.Client, AlertDescription.HandshakeFailure,
                    "The server sends no certificate for a suite that needs one."));
            else
            {
                CheckSignatureSchemes(client, version, leaf, problems);
                CheckCertificate(client, version, Norm(server.Certificates), problems);
                var trust = new List<Problem>();
                CheckTrustAndDates(client, Norm(server.Certificates), options, trust);
                (client.ChecksTrustAfterHandshake ? late : problems).AddRange(trust);
            }
        }

        // ServerKeyExchange.
        var invalidDh = suite.KeyExchange.IsFiniteFieldDh() && version != TlsVersion.TLSv1_3 ? Norm(server.Behaviours).FirstOrDefault(b =>
            b.Kind == BehaviourKind.DhInvalidParameters && (b.Version is null || b.Version == version)) : null;
        if (invalidDh is not null)
            // A handshake the probe saw fail is never simulated as completing, whatever size the bytes claim.
            problems.Add(new(FailureReason.DhInvalidParameters, Side.Client, AlertDescription.IllegalParameter,
                $"The server's DH parameters cannot work ({invalidDh.Detail}); the client aborts after ServerKeyExchange."));
        else if (dhBits is { } bits && version != TlsVersion.TLSv1_3)
        {
            if (bits < client.DhMinBits)
                problems.Add(new(FailureReason.DhTooSmall, Side.Client, client.DhRejectAlert,
                    $"The server's DH group has {bits} bits; the client requires at least {client.DhMinBits}" +
                    (client.DhRejectAlert is null ? " and closes the connection after ServerKeyExchange without an alert." : ".")));
            else if (client.DhMaxBits is { } max && bits > max)
                problems.Add(new(FailureReason.DhTooLarge, Side.Client, client.DhRejectAlert ?? AlertDescription.HandshakeFailure,
                    $"The server's DH group has {bits} bits; the client handles at most {max}."));
        }
        problems.AddRange(late);

        // Finished.
        var fake = Norm(server.Behaviours).FirstOrDefault(b => b.Kind == BehaviourKind.HandshakeFailsAfterHello && (b.Version is null || b.Version == version));
        if (fake is not null)
        {
            var alert = support.FullHandshake is { Completed: false, Alert: { } seen } ? seen : AlertDescription.BadRecordMac;
            var side = support.FullHandshake is { Completed: false, AlertSentByUs: true } ? Side.Client : Side.Server;
            problems.Add(new(FailureReason.HandshakeFailsAfterHello, side, alert,
                $"The server answers {version.Name()} in ServerHello but does not implement it correctly: the Finished check fails with {alert.Name()}."));
        }
        return problems;
    }

    private static (bool Ok, NamedGroup? Group) PickGroup(AcceptedSuite a, ImmutableArray<NamedGroup> client, ImmutableArray<NamedGroup> server, TlsVersion version,
        bool serverListsGroups)
    {
        var kinds = version == TlsVersion.TLSv1_3
            ? new[] { GroupKind.EllipticCurve, GroupKind.FiniteField, GroupKind.Hybrid, GroupKind.Unknown }
            : new[] { GroupKind.EllipticCurve, GroupKind.Unknown };
        var clientUsable = client.Where(g => kinds.Contains(g.Kind)).ToImmutableArray();
        // A curve recorded per TLS <= 1.2 suite is only what the server picked for the scanner's offer; when the profile
        // lists the server's curves, the client at hand gets one of those instead.
        if (a.Group is { } fixedGroup && (version == TlsVersion.TLSv1_3 || !serverListsGroups || fixedGroup.Kind != GroupKind.EllipticCurve))
        {
            if (clientUsable.IsEmpty && version != TlsVersion.TLSv1_3 || clientUsable.Any(g => g.Code == fixedGroup.Code)) return (true, fixedGroup);
            // In TLS 1.3 the recorded group is the server's pick among the scanner's offer; a client that does not offer
            // it still gets one the server's group scan accepted (through HelloRetryRequest when no key share fits).
            if (version != TlsVersion.TLSv1_3 || !serverListsGroups) return (false, null);
        }
        if (clientUsable.IsEmpty)
            // Without supported_groups a TLS ≤ 1.2 server may use any curve (RFC 4492 §4); TLS 1.3 needs the extension.
            return version == TlsVersion.TLSv1_3 ? (false, null) : (true, server.FirstOrDefault(g => g.Kind == GroupKind.EllipticCurve));
        if (server.IsEmpty) return (true, clientUsable[0]);
        var g2 = clientUsable.FirstOrDefault(c => server.Any(s => s.Code == c.Code));
        return g2 is null ? (false, null) : (true, g2);
    }

    private static void CheckSignatureSchemes(ClientProfile client, TlsVersion version, CertificateInfo leaf, List<Problem> problems)
    {
        var schemes = Norm(client.SignatureSchemes);
        if (version < TlsVersion.TLSv1_2) return;
        if (schemes.IsEmpty)
        {
            if (version == TlsVersion.TLSv1_3)
                problems.Add(new(FailureReason.NoCommonSignatureScheme, Side.Server, AlertDescription.MissingExtension,
                    "A TLS 1.3 ClientHello without signature_algorithms is rejected (RFC 8446 §9.2)."));
            return;
        }
        var wanted = leaf.KeyAlgorithm switch
        {
            "RSA" => new[] { "rsa", "rsa_pss" },
            "EC" => ["ecdsa"],
            "DSA" => ["dsa"],
            "Ed25519" => ["ed25519"],
            "Ed448" => ["ed448"],
            _ => [],
        };
        if (wanted.Length == 0) return;
        var ok = schemes.Any(s => wanted.Contains(s.Signature, StringComparer.OrdinalIgnoreCase)
                                  || wanted.Any(w => s.Name.StartsWith(w, StringComparison.OrdinalIgnoreCase)));
        if (version == TlsVersion.TLSv1_3 && leaf.KeyAlgorithm == "RSA")
            ok = schemes.Any(s => s.Name.StartsWith("rsa_pss", StringComparison.OrdinalIgnoreCase));
        if (!ok)
            problems.Add(new(FailureReason.NoCommonSignatureScheme, Side.Server, AlertDescription.HandshakeFailure,
                $"The server's {leaf.KeyAlgorithm} key cannot sign with any scheme in the client's signature_algorithms ({List(schemes.Select(s => s.Name))})."));
    }

    private static void CheckCertificate(ClientProfile client, TlsVersion version, ImmutableArray<CertificateInfo> chain, List<Problem> problems)
    {
        var leaf = chain[0];
        var keys = Norm(client.AcceptedCertificateKeys);
        if (!keys.IsEmpty && !keys.Contains(leaf.KeyAlgorithm, StringComparer.OrdinalIgnoreCase))
            problems.Add(new(FailureReason.CertificateKeyUnsupported, Side.Client, AlertDescription.UnsupportedCertificate,
                $"The certificate has an {leaf.KeyAlgorithm} key; the client verifies only {List(keys)}."));
        if (leaf.KeyAlgorithm == "RSA")
        {
            if (leaf.KeyBits < client.RsaMinBits)
                problems.Add(new(FailureReason.CertificateKeyTooSmall, Side.Client, AlertDescription.BadCertificate,
                    $"The certificate's RSA key has {leaf.KeyBits} bits; the client requires at least {client.RsaMinBits}."));
            else if (client.RsaMaxBits is { } max && leaf.KeyBits > max)
                problems.Add(new(FailureReason.CertificateKeyTooLarge, Side.Client, AlertDescription.UnsupportedCertificate,
                    $"The certificate's RSA key has {leaf.KeyBits} bits; the client can verify at most {max}."));
        }

        // Signatures the client verifies: every certificate sent except self-signed CA roots (trust anchors are not
        // verified by signature [S44]); a self-signed leaf counts because it is all the client gets.
        var verified = chain.Select((c, i) => (c, i)).Where(t => t.i == 0 || !t.c.SelfSigned).Select(t => t.c).ToArray();
        var sha512 = verified.FirstOrDefault(c => c.SignatureHash == "sha512");
        if (version == TlsVersion.TLSv1_2 && !client.Sha512InTls12 && sha512 is not null)
            problems.Add(new(FailureReason.Sha512Tls12Unpatched, Side.Client, null,
                $"TLS 1.2 and a certificate signed with {sha512.SignatureAlgorithm} ({sha512.Subject}): this Windows lacks SHA-512 in TLS 1.2 " +
                "(KB2973337 / August 2014 rollups) and drops the handshake; TLS 1.0 would not be affected."));
        var hashes = Norm(client.AcceptedCertificateHashes);
        if (!hashes.IsEmpty)
        {
            var bad = verified.FirstOrDefault(c => c.SignatureHash is { } h && !hashes.Contains(h, StringComparer.OrdinalIgnoreCase));
            if (bad is not null)
                problems.Add(new(FailureReason.CertificateHashUnsupported, Side.Client, AlertDescription.UnsupportedCertificate,
                    $"{bad.Subject} is signed with {bad.SignatureAlgorithm}; the client verifies only {List(hashes)}."));
        }
    }

    private static void CheckTrustAndDates(ClientProfile client, ImmutableArray<CertificateInfo> chain, NegotiationOptions options, List<Problem> problems)
    {
        if (client.TrustedCertificates is { } trusted)
        {
            var set = Norm(trusted).Select(t => t.Replace(":", "").ToLowerInvariant()).ToHashSet();
            if (!chain.Any(c => set.Contains(c.Sha256.Replace(":", "").ToLowerInvariant())))
                problems.Add(new(FailureReason.UntrustedCertificate, Side.Client, AlertDescription.UnknownCa,
                    $"The client trusts none of the {chain.Length} certificate(s) the server sends (leaf {chain[0].Subject}, issuer {chain[0].Issuer})."));
        }
        if (client.ChecksCertificateDates && options.Now is { } now)
        {
            var expired = chain.FirstOrDefault(c => now > c.NotAfter);
            var early = chain.FirstOrDefault(c => now < c.NotBefore);
            if (expired is not null)
                problems.Add(new(FailureReason.CertificateExpired, Side.Client, AlertDescription.CertificateExpired,
                    $"{expired.Subject} expired on {expired.NotAfter:yyyy-MM-dd}."));
            if (early is not null)
                problems.Add(new(FailureReason.CertificateNotYetValid, Side.Client, AlertDescription.BadCertificate,
                    $"{early.Subject} is valid only from {early.NotBefore:yyyy-MM-dd}."));
        }
    }

    private static HandshakeOutcome Fail(FailureReason reason, Side side, AlertDescription? alert, TlsVersion? version, CipherSuite? suite, KeyExchange? kx, string text) =>
        new(false, version, suite, kx, null, reason, side, alert, null, text);

    private static ImmutableArray<T> Norm<T>(ImmutableArray<T> a) => a.IsDefault ? [] : a;

    private static string List(IEnumerable<TlsVersion> versions) => List(versions.Order().Select(v => v.Name()));

    private static string List(IEnumerable<string> items)
    {
        var s = string.Join(", ", items);
        return s.Length == 0 ? "nothing" : s;
    }

    private sealed record Problem(FailureReason Reason, Side Side, AlertDescription? Alert, string Text);
}
