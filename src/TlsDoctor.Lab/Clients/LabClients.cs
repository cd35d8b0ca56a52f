using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using TlsDoctor.Core;
using BcAlert = Org.BouncyCastle.Tls.AlertDescription;
using AlertDescription = TlsDoctor.Core.AlertDescription;

namespace TlsDoctor.Lab;

/// <summary>How far a lab client's handshake got.</summary>
public enum LabClientStage { Connect, ServerHello, Certificate, KeyExchange, Finished, Completed }

/// <summary>Options of the mfd-legacy-client: the certificates it trusts (SHA-256 hex fingerprints or DER) and its timeout.</summary>
public sealed record LegacyClientOptions(IReadOnlyList<string> TrustedSha256, TimeSpan Timeout)
{
    /// <summary>Trusted certificates given as DER; their SHA-256 fingerprints join TrustedSha256.</summary>
    public IReadOnlyList<byte[]> TrustedDer { get; init; } = [];

    public LegacyClientOptions() : this([], TimeSpan.FromSeconds(10)) { }
}

/// <summary>What the legacy client saw: completed or not, the alert it sent (AlertSentByClient) or received, the stage, and why.</summary>
public sealed record LabClientResult(
    bool Completed,
    AlertDescription? Alert,
    bool AlertSentByClient,
    LabClientStage Stage,
    string Reason)
{
    /// <summary>Negotiated protocol version when the ServerHello arrived.</summary>
    public TlsVersion? Version { get; init; }

    /// <summary>The server's leaf certificate SHA-256 (lowercase hex), when one arrived.</summary>
    public string? ServerCertificateSha256 { get; init; }
}

/// <summary>Lab devices acting as TLS clients.</summary>
public static class LabClients
{
    /// <summary>
    /// Connects like an old MFD does: TLS 1.0 only, no signature_algorithms, can verify only RSA ≤ 1024-bit
    /// certificates signed with SHA-1 (or MD5), and trusts only its own list. It aborts with the alert such
    /// a device sends: unsupported_certificate for a key it cannot handle, bad_certificate for a signature
    /// hash it cannot verify, unknown_ca for a certificate it does not trust. Never throws for network errors.
    /// </summary>
    public static Task<LabClientResult> RunLegacyClientAsync(IPEndPoint server, LegacyClientOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        var trusted = new HashSet<string>(options.TrustedSha256.Select(s => s.Replace(":", "").Trim().ToLowerInvariant()));
        foreach (var der in options.TrustedDer) trusted.Add(Convert.ToHexStringLower(SHA256.HashData(der)));
        return RunAsync(server, new DeviceTlsClient(new BcTlsCrypto(new SecureRandom()), DeviceTlsClient.Legacy(trusted)), options.Timeout, ct);
    }

    /// <summary>
    /// Connects as the named client profile: mfd-legacy-client (see <see cref="RunLegacyClientAsync"/>), mfd-tls12-client
    /// (TLS 1.2 only, refuses a lower ServerHello with protocol_version) or mfd-sha1-client (signature_algorithms
    /// rsa_pkcs1_sha1 only; verifies only SHA-1-signed certificates, bad_certificate otherwise). The last two trust any issuer.
    /// </summary>
    public static Task<LabClientResult> RunClientAsync(string profile, IPEndPoint server, LegacyClientOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var crypto = new BcTlsCrypto(new SecureRandom());
        return profile switch
        {
            LabProfiles.MfdTls12Client => RunAsync(server, new DeviceTlsClient(crypto, DeviceTlsClient.Tls12Only), options.Timeout, ct),
            LabProfiles.MfdSha1Client => RunAsync(server, new DeviceTlsClient(crypto, DeviceTlsClient.Sha1Only), options.Timeout, ct),
            LabProfiles.MfdLegacyClient => RunLegacyClientAsync(server, options, ct),
            _ => throw new ArgumentException($"'{profile}' is not a lab client profile", nameof(profile)),
        };
    }

    private static async Task<LabClientResult> RunAsync(IPEndPoint server, DeviceTlsClient client, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);

        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(server, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            ct.ThrowIfCancellationRequested();
            return new LabClientResult(false, null, false, LabClientStage.Connect, $"connect failed: {e.Message}");
        }

        // Closing the socket is the only way to interrupt BouncyCastle's blocking reads on cancellation.
        using var reg = cts.Token.Register(() => { try { socket.Dispose(); } catch (ObjectDisposedException) { } });
        return await Task.Factory.StartNew(() => Handshake(socket, client, timeout), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
    }

    private static LabClientResult Handshake(Socket socket, DeviceTlsClient client, TimeSpan timeout)
    {
        // MaxMRTests=0: a device-simulator does not need BouncyCastle's primality checks on the server's modulus.
        Org.BouncyCastle.Utilities.Properties.SetThreadProperty("Org.BouncyCastle.Rsa.MaxMRTests", "0");
        try
        {
            var ms = (int)timeout.TotalMilliseconds;
            using var stream = new NetworkStream(socket, ownsSocket: false) { ReadTimeout = ms, WriteTimeout = ms };
            var protocol = new TlsClientProtocol(stream);
            protocol.Connect(client);
            protocol.Close();
            return client.Result(true, null, false, LabClientStage.Completed, "handshake completed");
        }
        catch (TlsFatalAlertReceived e)
        {
            var stage = client.Stage;
            return client.Result(false, (AlertDescription)e.AlertDescription, false, stage, $"server sent {BcAlert.GetText(e.AlertDescription)}");
        }
        catch (TlsFatalAlert e)
        {
            return client.Result(false, (AlertDescription)e.AlertDescription, true, client.Stage,
                e.Message is { Length: > 0 } m ? m : $"client sent {BcAlert.GetText(e.AlertDescription)}");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or TlsException)
        {
            return client.Result(false, null, false, client.Stage, $"connection failed: {e.Message}");
        }
        finally
        {
            Org.BouncyCastle.Utilities.Properties.RemoveThreadProperty("Org.BouncyCastle.Rsa.MaxMRTests");
        }
    }
}
