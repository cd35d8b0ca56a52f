using System.Collections.Immutable;
using System.Net.Sockets;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using TlsDoctor.Core;
using BcAlert = Org.BouncyCastle.Tls.AlertDescription;

namespace TlsDoctor.Probe;

/// <summary>The result of one complete handshake attempt, with what the server chose and where it stopped.</summary>
/// <param name="Check">Completion, stage and alert, as reported in scans.</param>
/// <param name="Version">Version from the ServerHello, when one arrived.</param>
/// <param name="CipherSuite">Suite from the ServerHello, when one arrived.</param>
/// <param name="Certificates">DER chain the server sent (also for TLS 1.3, where only a full handshake can see it).</param>
public sealed record FullHandshakeResult(
    HandshakeCheck Check,
    TlsVersion? Version,
    ushort? CipherSuite,
    int? DhBits,
    ImmutableArray<byte[]> Certificates) : ProbeAnswer;

/// <summary>Completes a real handshake with BouncyCastle, opened up for legacy versions and small DH groups.</summary>
/// <remarks>Raw hellos stop at ServerHelloDone and cannot see a device that accepts TLS 1.2 and then fails the
/// Finished exchange with bad_record_mac; only a full handshake shows that.</remarks>
public static class FullHandshakeProbe
{
    /// <summary>Offers <paramref name="version"/> only and the given suites (those BouncyCastle implements), and reports how far it got.</summary>
    /// <param name="statusRequest">Ask for OCSP stapling (status_request), as BouncyCastle and SCHANNEL do by default; some servers close on it.</param>
    public static async Task<(FullHandshakeResult Result, Transcript Transcript)> RunAsync(
        ProbeTarget target, TlsVersion version, IReadOnlyList<ushort> suites, ProbeOptions options, CancellationToken ct, bool statusRequest = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        ProbeConnection conn;
        try
        {
            conn = await ProbeConnection.ConnectAsync(target, options.ConnectTimeout, options.ReadTimeout, ct).ConfigureAwait(false);
        }
        catch (ProbeException e)
        {
            return (new(new HandshakeCheck(false, HandshakeStage.Connect, null, Error: e.Message), null, null, null, []) { Failure = e.Kind },
                Transcript.Empty with { EndedBy = e.Kind, EndMessage = e.Message });
        }

        await using (conn.ConfigureAwait(false))
        {
            var crypto = new ProbeCrypto(new SecureRandom());
            var client = new ProbeClient(crypto, version, suites, options.ServerName ?? (target.IsAddress ? null : target.Host), statusRequest);
            if (client.OfferedSuites.Length == 0)
                return (new(new HandshakeCheck(false, HandshakeStage.Connect, null, Error: "no offered suite is implemented by the handshake engine"), null, null, null, []),
                    Transcript.Empty);

            var socket = conn.Socket;
            socket.ReceiveTimeout = (int)options.ReadTimeout.TotalMilliseconds;
            socket.SendTimeout = (int)options.ReadTimeout.TotalMilliseconds;
            using var stream = new ProbeStream(new NetworkStream(socket, ownsSocket: false));
            // BouncyCastle's blocking API has no token; closing the socket is what unblocks it on Ctrl+C.
            using var reg = ct.Register(() => { try { socket.Close(0); } catch (ObjectDisposedException) { } });
            var (error, failure) = await ConnectAsync(new TlsClientProtocol(stream), client, options, stream).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();

            var completed = client.Stage == HandshakeStage.Completed;
            var alert = client.ReceivedAlert ?? client.RaisedAlert;
            var check = new HandshakeCheck(
                completed,
                client.Stage,
                completed ? null : alert,
                AlertSentByUs: !completed && client.ReceivedAlert is null && client.RaisedAlert is not null,
                CipherSuite: client.SelectedSuite is { } s ? CipherSuites.Get(s).Name : null,
                DhBits: client.DhBits,
                Error: completed ? null : error);
            return (new(check, client.ServerVersion, client.SelectedSuite, client.DhBits, client.Certificates) { Failure = failure },
                stream.Transcript(failure, failure is null ? null : error));
        }
    }

    // Drives BouncyCastle's blocking handshake on a pool thread; returns the error text and, for a peer that never
    // answered, why it stayed silent.
    private static async Task<(string? Error, ProbeErrorKind? Failure)> ConnectAsync(TlsClientProtocol protocol, ProbeClient client, ProbeOptions options,
        ProbeStream stream)
    {
        try
        {
            await Task.Run(() => WithFastRsa(() => protocol.Connect(client)), CancellationToken.None).ConfigureAwait(false);
            client.Stage = HandshakeStage.Completed;
            try { protocol.Close(); } catch (IOException) { /* the peer may already be gone */ }
            return (null, null);
        }
        catch (TlsFatalAlertReceived e)
        {
            client.ReceivedAlert ??= (Core.AlertDescription)e.AlertDescription;
            return (null, null);
        }
        catch (TlsFatalAlert) when (stream.PeerClosed && client.ReceivedAlert is null)
        {
            // BouncyCastle raises handshake_failure itself when the peer closes mid-handshake: that is the server's close, not our alert.
            client.RaisedAlert = null;
            return ("connection closed by peer", client.Stage == HandshakeStage.Connect ? ProbeErrorKind.Closed : null);
        }
        catch (TlsFatalAlert e)
        {
            if (client.RaisedAlert is null) client.RaisedAlert = (Core.AlertDescription)e.AlertDescription;
            return (e.Message, null);
        }
        catch (IOException e)
        {
            var socketError = (e.InnerException as SocketException)?.SocketErrorCode;
            var error = socketError == SocketError.TimedOut
                ? $"no answer within {options.ReadTimeout.TotalSeconds:0.#} s"
                : e.InnerException?.Message ?? e.Message;
            var closed = e.Message.Contains("end of stream", StringComparison.OrdinalIgnoreCase) || e is EndOfStreamException;
            if (closed) error = "connection closed by peer";
            // Only a peer that never answered counts as silent; one that sent its ServerHello first did answer.
            if (client.Stage != HandshakeStage.Connect) return (error, null);
            return (error, socketError switch
            {
                SocketError.TimedOut => ProbeErrorKind.ReadTimeout,
                SocketError.ConnectionReset or SocketError.ConnectionAborted => ProbeErrorKind.Reset,
                _ when closed => ProbeErrorKind.Closed,
                _ => null,
            });
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException or ArgumentException)
        {
            return (e.Message, null);
        }
    }

    /// <summary>Loads and JITs the handshake engine off the network path, so the first real handshake is not the slow one.</summary>
    /// <remarks>A scan starts this on a spare core while its raw hellos wait for the device.</remarks>
    public static void WarmUp()
    {
        Load();
        var crypto = new BcTlsCrypto(new SecureRandom());
        var x25519 = crypto.CreateECDomain(new TlsECConfig(Org.BouncyCastle.Tls.NamedGroup.x25519)).CreateECDH();
        x25519.GenerateEphemeral();
        var p256 = crypto.CreateECDomain(new TlsECConfig(Org.BouncyCastle.Tls.NamedGroup.secp256r1)).CreateECDH();
        p256.GenerateEphemeral();
        _ = crypto.HasEncryptionAlgorithm(EncryptionAlgorithm.AES_128_GCM);
    }

    /// <summary>Does the handshake engine's one-time loading (native libraries, random seeding, suite table) and nothing else.</summary>
    public static void Load()
    {
        _ = new SecureRandom().NextInt(); // seeded from the platform's generator: OpenSSL on Linux, loaded on first use
        _ = Implemented.Count;
    }

    /// <summary>True when BouncyCastle can negotiate this suite in this version.</summary>
    public static bool CanOffer(ushort suite, TlsVersion version)
    {
        var pv = ToBc(version);
        return pv is not null && TlsUtilities.IsValidVersionForCipherSuite(suite, pv) && Implemented.Contains(suite);
    }

    private static readonly ImmutableHashSet<int> Implemented = BuildImplemented();

    private static ImmutableHashSet<int> BuildImplemented()
    {
        var crypto = new BcTlsCrypto(new SecureRandom());
        var set = ImmutableHashSet.CreateBuilder<int>();
        foreach (var s in CipherSuites.All)
        {
            if (s.Scsv) continue;
            var enc = TlsUtilities.GetEncryptionAlgorithm(s.Code);
            var mac = TlsUtilities.GetMacAlgorithm(s.Code);
            var kx = TlsUtilities.GetKeyExchangeAlgorithm(s.Code);
            if (enc < 0 || kx < 0) continue;
            if (!crypto.HasEncryptionAlgorithm(enc)) continue;
            if (mac > 0 && !crypto.HasMacAlgorithm(mac)) continue;
            if (kx is KeyExchangeAlgorithm.RSA or KeyExchangeAlgorithm.DHE_RSA or KeyExchangeAlgorithm.DHE_DSS
                or KeyExchangeAlgorithm.ECDHE_RSA or KeyExchangeAlgorithm.ECDHE_ECDSA or KeyExchangeAlgorithm.NULL
                or KeyExchangeAlgorithm.DH_anon or KeyExchangeAlgorithm.ECDH_anon)
                set.Add(s.Code);
        }
        return set.ToImmutable();
    }

    internal static ProtocolVersion? ToBc(TlsVersion v) => v switch
    {
        TlsVersion.TLSv1_0 => ProtocolVersion.TLSv10,
        TlsVersion.TLSv1_1 => ProtocolVersion.TLSv11,
        TlsVersion.TLSv1_2 => ProtocolVersion.TLSv12,
        TlsVersion.TLSv1_3 => ProtocolVersion.TLSv13,
        _ => null,
    };

    // BouncyCastle tests every RSA modulus it parses (a GCD with small primes, then Miller-Rabin: ~20 ms a
    // handshake); a scanner does not trust the server key anyway, so the checks buy nothing here. Per thread.
    internal static void WithFastRsa(Action action)
    {
        Org.BouncyCastle.Utilities.Properties.WithThreadProperty("Org.BouncyCastle.Rsa.AllowUnsafeModulus", "true", () =>
            Org.BouncyCastle.Utilities.Properties.WithThreadProperty("Org.BouncyCastle.Rsa.MaxMRTests", "0", action));
    }

    private sealed class ProbeClient : DefaultTlsClient
    {
        private readonly TlsVersion _version;
        private readonly string? _serverName;

        private readonly bool _statusRequest;

        public ProbeClient(TlsCrypto crypto, TlsVersion version, IReadOnlyList<ushort> suites, string? serverName, bool statusRequest) : base(crypto)
        {
            _version = version;
            _serverName = serverName;
            _statusRequest = statusRequest;
            OfferedSuites = suites.Where(s => CanOffer(s, version)).Select(s => (int)s).ToArray();
        }

        public int[] OfferedSuites { get; }
        public HandshakeStage Stage { get; set; } = HandshakeStage.Connect;
        public Core.AlertDescription? ReceivedAlert { get; set; }
        public Core.AlertDescription? RaisedAlert { get; set; }
        public TlsVersion? ServerVersion { get; private set; }
        public ushort? SelectedSuite { get; private set; }
        public int? DhBits { get; set; }
        public ImmutableArray<byte[]> Certificates { get; set; } = [];

        protected override ProtocolVersion[] GetSupportedVersions() => [ToBc(_version)!];

        protected override CertificateStatusRequest? GetCertificateStatusRequest() => _statusRequest ? base.GetCertificateStatusRequest() : null;

        protected override int[] GetSupportedCipherSuites() => OfferedSuites;

        // SCHANNEL offers no FFDHE group, so a device may answer with a weaker custom group; we want to see that group.
        protected override IList<int> GetSupportedGroups(IList<int> namedGroupRoles) =>
            [Org.BouncyCastle.Tls.NamedGroup.x25519, Org.BouncyCastle.Tls.NamedGroup.secp256r1, Org.BouncyCastle.Tls.NamedGroup.secp384r1, Org.BouncyCastle.Tls.NamedGroup.secp521r1];

        protected override IList<ServerName>? GetSniServerNames() =>
            _serverName is null ? null : [new ServerName(NameType.host_name, System.Text.Encoding.ASCII.GetBytes(_serverName))];

        public override TlsDHGroupVerifier GetDHGroupVerifier() => new RecordingDhVerifier(this);

        public override TlsAuthentication GetAuthentication() => new RecordingAuthentication(this);

        public override void NotifyServerVersion(ProtocolVersion serverVersion)
        {
            base.NotifyServerVersion(serverVersion);
            ServerVersion = (TlsVersion)(ushort)((serverVersion.MajorVersion << 8) | serverVersion.MinorVersion);
            Stage = HandshakeStage.ServerHello;
        }

        public override void NotifySelectedCipherSuite(int selectedCipherSuite)
        {
            base.NotifySelectedCipherSuite(selectedCipherSuite);
            SelectedSuite = (ushort)selectedCipherSuite;
        }

        // Called when ServerHelloDone arrives, just before the client's key exchange and Finished go out.
        public override IList<SupplementalDataEntry>? GetClientSupplementalData()
        {
            Stage = HandshakeStage.Finished;
            return base.GetClientSupplementalData();
        }

        public override void NotifyAlertReceived(short alertLevel, short alertDescription)
        {
            if (alertLevel == Org.BouncyCastle.Tls.AlertLevel.fatal || alertDescription != BcAlert.close_notify)
                ReceivedAlert ??= (Core.AlertDescription)alertDescription;
        }

        public override void NotifyAlertRaised(short alertLevel, short alertDescription, string message, Exception cause)
        {
            if (alertLevel == Org.BouncyCastle.Tls.AlertLevel.fatal) RaisedAlert ??= (Core.AlertDescription)alertDescription;
        }
    }

    private sealed class RecordingDhVerifier(ProbeClient client) : TlsDHGroupVerifier
    {
        public bool Accept(Org.BouncyCastle.Tls.Crypto.DHGroup dhGroup)
        {
            client.DhBits = dhGroup.P.BitLength;
            client.Stage = HandshakeStage.ServerKeyExchange;
            return dhGroup.P.BitLength >= 256;
        }
    }

    private sealed class RecordingAuthentication(ProbeClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate)
        {
            var chain = serverCertificate.Certificate;
            var list = ImmutableArray.CreateBuilder<byte[]>(chain.Length);
            for (var i = 0; i < chain.Length; i++) list.Add(chain.GetCertificateAt(i).GetEncoded());
            client.Certificates = list.ToImmutable();
            client.Stage = HandshakeStage.Certificate;
        }

        public TlsCredentials? GetClientCredentials(CertificateRequest certificateRequest) => null;
    }
}
