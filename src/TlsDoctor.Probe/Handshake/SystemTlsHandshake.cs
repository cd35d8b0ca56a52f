using System.Collections.Immutable;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using TlsDoctor.Core;

namespace TlsDoctor.Probe;

/// <summary>What one handshake through the platform's TLS stack did: the version and suite, or why it failed.</summary>
/// <param name="CipherSuite">IANA code of the negotiated suite; null when the stack did not say (Wine's SCHANNEL reports 0).</param>
public sealed record SystemHandshakeResult(bool Completed, TlsVersion? Version, ushort? CipherSuite, string? Error);

/// <summary>
/// One handshake through SslStream, which is SCHANNEL on Windows: the model's own check of what Windows really does
/// with the versions the Terminal Server would ask for. The certificate is accepted whatever it is (the model
/// assumes the Terminal Server accepts device certificates); only the handshake is compared.
/// </summary>
public static class SystemTlsHandshake
{
    // SslProtocols values (Ssl3 and Tls/Tls11 are obsolete names in .NET, the numbers are Windows' own).
    private static readonly (TlsVersion Version, int Flag)[] Flags =
    [
        (TlsVersion.SSLv3, 0x30), (TlsVersion.TLSv1_0, 0xC0), (TlsVersion.TLSv1_1, 0x300), (TlsVersion.TLSv1_2, 0xC00), (TlsVersion.TLSv1_3, 0x3000),
    ];

    /// <summary>SslProtocols for the versions named; empty = SystemDefault (None), as the Terminal Server with no version named.</summary>
    public static SslProtocols ProtocolsFor(ImmutableArray<TlsVersion> versions) =>
        (SslProtocols)versions.Select(v => Flags.FirstOrDefault(f => f.Version == v).Flag).Aggregate(0, (a, b) => a | b);

    public static async Task<SystemHandshakeResult> RunAsync(ProbeTarget target, SslProtocols protocols, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(target.Host, target.Port, cts.Token).ConfigureAwait(false);
            using var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = target.IsAddress ? "" : target.Host,
                EnabledSslProtocols = protocols,
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
            }, cts.Token).ConfigureAwait(false);
            var flag = (int)ssl.SslProtocol;
            TlsVersion? version = Flags.Any(f => f.Flag == flag) ? Flags.First(f => f.Flag == flag).Version : null;
            var suite = (ushort)ssl.NegotiatedCipherSuite;
            return new SystemHandshakeResult(true, version, suite == 0 ? null : suite, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new SystemHandshakeResult(false, null, null, $"no handshake within {timeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SocketException or PlatformNotSupportedException or NotSupportedException or ArgumentException)
        {
            return new SystemHandshakeResult(false, null, null, e.GetBaseException().Message);
        }
    }
}
