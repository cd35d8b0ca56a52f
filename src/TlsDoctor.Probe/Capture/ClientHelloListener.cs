using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using TlsDoctor.Core;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe.Capture;

/// <summary>How the listener runs.</summary>
/// <param name="Endpoint">Address and port to listen on (port 0 picks a free one).</param>
/// <param name="Count">Stop after this many ClientHellos; null = no limit.</param>
/// <param name="Timeout">Total time to wait; null = until cancelled (or until every probe certificate was presented).</param>
/// <param name="ReadTimeout">Wait for each read from a connected client.</param>
/// <param name="ProbeCertificates">Complete handshakes presenting a different certificate on successive connections.</param>
public sealed record ListenOptions(IPEndPoint Endpoint, int? Count, TimeSpan? Timeout, TimeSpan ReadTimeout, bool ProbeCertificates)
{
    /// <summary>Upper bound on ClientHello bytes read before giving up on a client.</summary>
    public int MaxHelloBytes { get; init; } = 64 * 1024;

    /// <summary>Certificates to present with <see cref="ProbeCertificates"/>; default: <see cref="CertificateProbe.CreateDefaultSet"/>.</summary>
    public ImmutableArray<ProbeCertificate>? Certificates { get; init; }
}

/// <summary>One accepted connection: the ClientHello it sent (or why none could be read) and what we made of it.</summary>
/// <param name="Connection">1-based number of the connection within the run.</param>
/// <param name="Remote">Client address and port (IPv6 in brackets).</param>
/// <param name="Error">Why no ClientHello was captured; null on success.</param>
public sealed record HelloCapture(int Connection, string Remote, DateTimeOffset Time, ClientHelloFacts? Hello, string? Error)
{
    /// <summary>Remote address without the port.</summary>
    public required string RemoteAddress { get; init; }
    public Ja3Fingerprint? Ja3 { get; init; }
    public string? Ja4 { get; init; }
    /// <summary>The ClientProfile; with certificate probing, including what the device's attempts taught.</summary>
    public ClientProfile? Profile { get; init; }
    /// <summary>What we answered: "handshake_failure alert", "certificate RSA-2048/SHA-256", …</summary>
    public string Response { get; init; } = "";
    /// <summary>The certificate presented on this connection and the device's verdict.</summary>
    public CertificateProbeAttempt? Attempt { get; init; }
    /// <summary>Every certificate attempt of the same device address in this run (filled at the end).</summary>
    public ImmutableArray<CertificateProbeAttempt> CertificateProbe { get; init; } = [];
    public CertificateProbeSummary? CertificateSummary { get; init; }
    public long ElapsedMs { get; init; }
}

/// <summary>Why the listener stopped.</summary>
public enum ListenStop { Count, Timeout, Cancelled, CertificatesDone }

/// <summary>Everything one listen run captured.</summary>
public sealed record ListenResult(IPEndPoint Local, ImmutableArray<HelloCapture> Captures, ListenStop Stop)
{
    /// <summary>Captures that hold a ClientHello.</summary>
    public int Captured => Captures.Count(c => c.Hello is not null);
}

/// <summary>
/// Accepts clients one at a time, reads each ClientHello (TLS record or SSLv2 format), fingerprints it and answers
/// with a fatal handshake_failure alert, or with a full handshake presenting the next probe certificate.
/// Every read has a timeout; a client sending garbage yields a capture with an error.
/// </summary>
public sealed class ClientHelloListener : IDisposable
{
    private readonly Socket _socket;
    private readonly ListenOptions _options;

    private ClientHelloListener(Socket socket, ListenOptions options)
    {
        _socket = socket;
        _options = options;
    }

    /// <summary>The bound endpoint (tells the port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Binds and listens; a port in use or a bad address throws <see cref="SocketException"/>.</summary>
    public static ClientHelloListener Start(ListenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var socket = new Socket(options.Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(options.Endpoint);
            socket.Listen(16);
            return new ClientHelloListener(socket, options);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Runs until the count, the timeout, cancellation, or (probing without a count) every certificate was presented.</summary>
    public async Task<ListenResult> RunAsync(IProgress<HelloCapture>? progress, CancellationToken ct)
    {
        var captures = new List<HelloCapture>();
        var certs = _options.ProbeCertificates ? (_options.Certificates ?? CertificateProbe.CreateDefaultSet()) : [];
        // Per device address: the next certificate index and its attempts so far.
        var perDevice = new Dictionary<string, List<CertificateProbeAttempt>>(StringComparer.Ordinal);
        using var deadline = new CancellationTokenSource();
        if (_options.Timeout is { } t) deadline.CancelAfter(t);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        ListenStop stop;
        var number = 0;
        while (true)
        {
            if (_options.Count is { } n && captures.Count(c => c.Hello is not null) >= n) { stop = ListenStop.Count; break; }
            if (_options.ProbeCertificates && _options.Count is null && perDevice.Count > 0 && perDevice.Values.All(a => a.Count >= certs.Length))
            { stop = ListenStop.CertificatesDone; break; }
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                stop = ct.IsCancellationRequested ? ListenStop.Cancelled : ListenStop.Timeout;
                break;
            }
            number++;
            HelloCapture capture;
            try
            {
                capture = await HandleAsync(client, number, certs, perDevice, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                client.Dispose();
                stop = ListenStop.Cancelled;
                break;
            }
            captures.Add(capture);
            progress?.Report(capture);
        }
        return new ListenResult(LocalEndPoint, [.. Finish(captures, perDevice)], stop);
    }

    // Gives every capture of a device the full list of its certificate attempts and the profile facts they imply.
    private static IEnumerable<HelloCapture> Finish(List<HelloCapture> captures, Dictionary<string, List<CertificateProbeAttempt>> perDevice)
    {
        foreach (var c in captures)
        {
            if (!perDevice.TryGetValue(c.RemoteAddress, out var attempts) || attempts.Count == 0) { yield return c; continue; }
            var summary = CertificateProbeSummary.From(attempts);
            yield return c with
            {
                CertificateProbe = [.. attempts],
                CertificateSummary = summary,
                Profile = c.Profile is null ? null : summary.ApplyTo(c.Profile),
            };
        }
    }

    private async Task<HelloCapture> HandleAsync(Socket client, int number, ImmutableArray<ProbeCertificate> certs,
        Dictionary<string, List<CertificateProbeAttempt>> perDevice, CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        var remoteEp = client.RemoteEndPoint as IPEndPoint;
        var remoteAddress = remoteEp?.Address.IsIPv4MappedToIPv6 == true ? remoteEp.Address.MapToIPv4() : remoteEp?.Address;
        var remoteText = remoteAddress is null ? "unknown" : new ProbeTarget(remoteAddress.ToString(), remoteEp!.Port).ToString();
        var addressText = remoteAddress?.ToString() ?? "unknown";
        var frames = new FrameBuffer(1024);
        var conn = ProbeConnection.Accepted(client, _options.ReadTimeout, remoteText);
        HelloCapture Done(ClientHelloFacts? hello, string? error, string response, CertificateProbeAttempt? attempt = null)
        {
            var c = new HelloCapture(number, remoteText, started, hello, error)
            {
                RemoteAddress = addressText,
                Response = response,
                Attempt = attempt,
                ElapsedMs = (long)(DateTimeOffset.UtcNow - started).TotalMilliseconds,
            };
            if (hello is null) return c;
            var ja3 = Fingerprints.Ja3(hello);
            var profile = CaptureProfiles.ToClientProfile(hello, $"capture of {addressText}") with
            {
                Origin = $"listen capture from {remoteText} at {started:yyyy-MM-ddTHH:mm:ssZ}, JA3 {ja3.Hash}",
            };
            return c with { Ja3 = ja3, Ja4 = Fingerprints.Ja4(hello), Profile = profile };
        }

        try
        {
            var (hello, error, framing) = await ReadHelloAsync(conn, frames, ct).ConfigureAwait(false);
            if (hello is null)
            {
                // A TLS-looking client that sent a broken hello gets decode_error, like a real server would send.
                var answer = "closed";
                if (framing == RecordFraming.Tls)
                {
                    await TrySendAsync(conn, AlertWriter.ToRecord(0x0301, AlertLevel.Fatal, Core.AlertDescription.DecodeError), ct).ConfigureAwait(false);
                    answer = "decode_error alert";
                }
                return Done(null, error, answer);
            }

            if (!_options.ProbeCertificates)
                return Done(hello, null, await RefuseAsync(conn, hello, ct).ConfigureAwait(false));

            if (!perDevice.TryGetValue(addressText, out var attempts)) perDevice[addressText] = attempts = [];
            // Certificates this device cannot use at all are settled without spending a connection on them.
            while (attempts.Count < certs.Length && !CertificateProbe.IsApplicable(certs[attempts.Count], hello))
            {
                var c = certs[attempts.Count];
                attempts.Add(new CertificateProbeAttempt(null, c.Label, c.Info.KeyAlgorithm, c.Info.KeyBits, c.Info.SignatureAlgorithm, c.Info.Sha256,
                    CertificateVerdict.NotApplicable, null, false, false, null, null, "the device offers no cipher suite or version usable with this certificate"));
            }
            if (attempts.Count >= certs.Length)
                return Done(hello, null, await RefuseAsync(conn, hello, ct).ConfigureAwait(false));

            var cert = certs[attempts.Count];
            var attempt = await ServeAsync(client, frames.Transcript.ToArray(), cert, number, ct).ConfigureAwait(false);
            attempts.Add(attempt);
            return Done(hello, null, $"certificate {cert.Label}", attempt);
        }
        finally
        {
            await conn.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<CertificateProbeAttempt> ServeAsync(Socket client, byte[] prefix, ProbeCertificate cert, int number, CancellationToken ct)
    {
        var ms = (int)_options.ReadTimeout.TotalMilliseconds;
        // BouncyCastle's blocking API only stops on a socket error: closing the socket is how cancellation reaches it.
        using var reg = ct.Register(() => { try { client.Dispose(); } catch (ObjectDisposedException) { } });
        var attempt = await Task.Factory.StartNew(() =>
        {
            using var stream = new ProbeStream(new NetworkStream(client, ownsSocket: false) { ReadTimeout = ms, WriteTimeout = ms }, prefix);
            return CertificateProbe.Serve(stream, cert, number);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return attempt;
    }

    // A fatal handshake_failure in the record version the client can read; pure SSLv2 clients get an SSLv2 ERROR.
    private static async Task<string> RefuseAsync(ProbeConnection conn, ClientHelloFacts hello, CancellationToken ct)
    {
        if (hello.Format == HelloFormat.Sslv2 && hello.LegacyVersion == 0x0002)
        {
            // MSG-ERROR, NO-CIPHER-ERROR (0x0001), behind a two-byte header of length 3.
            await TrySendAsync(conn, [0x80, 0x03, Sslv2.MsgError, 0x00, 0x01], ct).ConfigureAwait(false);
            return "SSLv2 no-cipher error";
        }
        var version = (ushort)Math.Clamp((int)hello.LegacyVersion, 0x0300, 0x0303);
        await TrySendAsync(conn, AlertWriter.ToRecord(version, AlertLevel.Fatal, Core.AlertDescription.HandshakeFailure), ct).ConfigureAwait(false);
        return "handshake_failure alert";
    }

    // The client may have left first: then there is nobody to tell.
    private static async Task TrySendAsync(ProbeConnection conn, byte[] data, CancellationToken ct)
    {
        try { await conn.SendAsync(data, ct).ConfigureAwait(false); }
        catch (ProbeException) { }
    }

    private async Task<ClientHelloRead> ReadHelloAsync(ProbeConnection conn, FrameBuffer frames, CancellationToken ct)
    {
        var reading = new ClientHelloReading(_options.MaxHelloBytes);
        try
        {
            var (hello, closed) = await conn.ReadFramesAsync(frames, reading.TryComplete, ct).ConfigureAwait(false);
            return closed
                ? new(null, $"the client closed the connection after {frames.Received} byte(s), before a complete ClientHello", frames.Framing)
                : hello!;
        }
        catch (ProbeException e) when (e.Kind == ProbeErrorKind.ReadTimeout)
        {
            return new(null, $"no complete ClientHello within {_options.ReadTimeout.TotalSeconds:0.#} s ({frames.Received} byte(s) received)", frames.Framing);
        }
        catch (ProbeException e)
        {
            return new(null, $"connection failed after {frames.Received} byte(s): {e.InnerException?.Message ?? e.Message}", frames.Framing);
        }
    }

    public void Dispose() => _socket.Dispose();
}
