using System.Net;
using System.Net.Sockets;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using TlsDoctor.Core;
using AlertDescription = TlsDoctor.Core.AlertDescription;
using BcAlert = Org.BouncyCastle.Tls.AlertDescription;

namespace TlsDoctor.Probe.Handshake.LeadingZero;

/// <summary>
/// Tests a server for the DH leading-zero bug (RFC 5246 §8.1.2) with one full DHE-RSA handshake. BouncyCastle's
/// own client is correct (it strips Z's leading zeros for TLS ≤ 1.2), so a forced-leading-zero handshake completes
/// against a correct server and fails with bad_record_mac against one that keeps the zero.
/// </summary>
public static class DhLeadingZeroProbe
{
    /// <summary>Runs one handshake at the given version (TLS 1.0–1.2); never throws for network or TLS failures.</summary>
    public static async Task<LeadingZeroResult> RunAsync(IPEndPoint target, TlsVersion version, LeadingZeroMode mode,
        TimeSpan timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (version is not (TlsVersion.TLSv1_0 or TlsVersion.TLSv1_1 or TlsVersion.TLSv1_2))
            throw new ArgumentOutOfRangeException(nameof(version), "finite-field DHE suites exist in TLS 1.0-1.2 only");

        var state = new LeadingZeroState();
        using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(target, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            ct.ThrowIfCancellationRequested();
            return Make(state, false, null, false, $"connect failed: {e.Message}");
        }

        // BouncyCastle blocks in socket reads; disposing the socket is what interrupts it on timeout or cancellation.
        using var reg = cts.Token.Register(() => { try { socket.Dispose(); } catch (ObjectDisposedException) { } });
        var result = await Task.Factory.StartNew(() => Handshake(socket, version, mode, timeout, state), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return result;
    }

    private static LeadingZeroResult Handshake(Socket socket, TlsVersion version, LeadingZeroMode mode, TimeSpan timeout, LeadingZeroState state)
    {
        // The probe never trusts the server's key, so BouncyCastle's Miller-Rabin checks of the RSA modulus
        // (~80% of a handshake's CPU) are skipped; thread-local, and this is the probe's own thread.
        Org.BouncyCastle.Utilities.Properties.SetThreadProperty("Org.BouncyCastle.Rsa.MaxMRTests", "0");
        try
        {
            var ms = (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);
            using var stream = new NetworkStream(socket, ownsSocket: false) { ReadTimeout = ms, WriteTimeout = ms };
            var crypto = new LeadingZeroCrypto(new SecureRandom(), mode, state);
            var bcVersion = ProtocolVersion.Get(3, (ushort)version & 0xFF);
            var protocol = new TlsClientProtocol(stream);
            protocol.Connect(new LeadingZeroClient(crypto, bcVersion, state));
            protocol.Close();
            return Make(state, true, null, false, "handshake completed");
        }
        catch (TlsFatalAlertReceived e)
        {
            Advance(state);
            return Make(state, false, (AlertDescription)e.AlertDescription, true, $"server sent {BcAlert.GetText(e.AlertDescription)}");
        }
        catch (TlsFatalAlert e)
        {
            Advance(state);
            return Make(state, false, (AlertDescription)e.AlertDescription, false, $"client aborted: {e.Message}");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or TlsException)
        {
            Advance(state);
            return Make(state, false, null, false, $"connection failed: {e.Message}");
        }
        finally
        {
            Org.BouncyCastle.Utilities.Properties.RemoveThreadProperty("Org.BouncyCastle.Rsa.MaxMRTests");
        }
    }

    // Once the client has produced its key share, the only step left is the Finished exchange.
    private static void Advance(LeadingZeroState state)
    {
        if (state.Stage == LeadingZeroStage.ServerKeyExchange && state.Attempts > 0) state.Stage = LeadingZeroStage.Finished;
    }

    private static LeadingZeroResult Make(LeadingZeroState s, bool completed, AlertDescription? alert, bool fromServer, string reason) =>
        new(completed, s.Stage, alert, fromServer, s.DhBits, s.SharedLeadingZero, s.PublicLeadingZero, reason)
        {
            Version = s.Version is { } v ? (TlsVersion)v : null,
            CipherSuite = s.Suite,
            Attempts = s.Attempts,
        };
}
