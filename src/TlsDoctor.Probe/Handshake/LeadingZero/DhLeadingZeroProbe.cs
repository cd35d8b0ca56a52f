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
    /// <summary>
    /// Runs one handshake at the given version (TLS 1.0–1.2) through the probe's connection policy; never throws for
    /// network or TLS failures. The whole handshake is bounded by the connect plus the read timeout.
    /// </summary>
    public static async Task<(LeadingZeroResult Result, Transcript Transcript)> RunAsync(ProbeTarget target, TlsVersion version, LeadingZeroMode mode,
        ProbeOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        if (version is not (TlsVersion.TLSv1_0 or TlsVersion.TLSv1_1 or TlsVersion.TLSv1_2))
            throw new ArgumentOutOfRangeException(nameof(version), "finite-field DHE suites exist in TLS 1.0-1.2 only");

        var state = new LeadingZeroState();
        var timeout = options.ConnectTimeout + options.ReadTimeout;
        ProbeConnection conn;
        try
        {
            conn = await ProbeConnection.ConnectAsync(target, options.ConnectTimeout, options.ReadTimeout, ct).ConfigureAwait(false);
        }
        catch (ProbeException e)
        {
            return (Make(state, false, null, false, $"connect failed: {e.Message}") with { Failure = e.Kind },
                Transcript.Empty with { EndedBy = e.Kind, EndMessage = e.Message });
        }

        await using (conn.ConfigureAwait(false))
        {
            var socket = conn.Socket;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            var ms = (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);
            using var stream = new ProbeStream(new NetworkStream(socket, ownsSocket: false) { ReadTimeout = ms, WriteTimeout = ms });
            // BouncyCastle blocks in socket reads; closing the socket is what interrupts it on timeout or cancellation.
            using var reg = cts.Token.Register(() => { try { socket.Close(0); } catch (ObjectDisposedException) { } });
            var result = await Task.Factory.StartNew(() => Handshake(stream, version, mode, state), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            return (result, stream.Transcript());
        }
    }

    private static LeadingZeroResult Handshake(Stream stream, TlsVersion version, LeadingZeroMode mode, LeadingZeroState state)
    {
        try
        {
            var crypto = new LeadingZeroCrypto(new SecureRandom(), mode, state);
            var bcVersion = ProtocolVersion.Get(3, (ushort)version & 0xFF);
            var protocol = new TlsClientProtocol(stream);
            // The probe never trusts the server's key: the RSA modulus checks are skipped as in every probe handshake.
            FullHandshakeProbe.WithFastRsa(() => protocol.Connect(new LeadingZeroClient(crypto, bcVersion, state)));
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
    }

    // Once the client has produced its key share, the only step left is the Finished exchange.
    private static void Advance(LeadingZeroState state)
    {
        if (state.Stage == HandshakeStage.ServerKeyExchange && state.Attempts > 0) state.Stage = HandshakeStage.Finished;
    }

    private static LeadingZeroResult Make(LeadingZeroState s, bool completed, AlertDescription? alert, bool fromServer, string reason) =>
        new(completed, s.Stage, alert, fromServer, s.DhBits, s.SharedLeadingZero, s.PublicLeadingZero, reason)
        {
            Version = s.Version is { } v ? (TlsVersion)v : null,
            CipherSuite = s.Suite,
            Attempts = s.Attempts,
        };
}
