using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using TlsDoctor.Core;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe.Capture;

/// <summary>
/// Accepts clients and reads their ClientHellos concurrently (at most <see cref="ListenOptions.MaxConcurrent"/> at a
/// time, each within its connection deadline), keeps the captures in connection order, fingerprints each hello and
/// answers with a fatal handshake_failure alert, a probe certificate, or the next learning question. Every read has a
/// timeout; a client sending garbage, a partial hello or nothing yields a capture with an error, never the end of the run.
/// </summary>
public sealed class ClientHelloListener : IDisposable
{
    private readonly Socket _socket;
    private readonly ListenOptions _options;
    private readonly Lock _gate = new();
    // Per device address: certificate attempts (--probe-certs) or the learning state (--learn).
    private readonly Dictionary<string, List<CertificateProbeAttempt>> _probed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeviceLearning> _learning = new(StringComparer.Ordinal);
    private ImmutableArray<ProbeCertificate> _certs = [];

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
            // A deep accept queue: a burst of connections waits for a free reader instead of being refused.
            socket.Listen(1024);
            return new ClientHelloListener(socket, options);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Runs until the count, the timeout, cancellation, or (probing/learning without a count) every device is done.</summary>
    public async Task<ListenResult> RunAsync(IProgress<HelloCapture>? progress, CancellationToken ct)
    {
        _certs = _options.ProbeCertificates || _options.Learn ? (_options.Certificates ?? CertificateProbe.CreateDefaultSet()) : [];
        using var deadline = _options.Timeout is { } t ? new CancellationTokenSource(t, _options.Clock) : new CancellationTokenSource();
        using var stopping = new CancellationTokenSource();
        using var run = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token, stopping.Token);
        var sink = new CaptureSequence(progress, _options.Count, () => DevicesDone(), stopping);
        using var slots = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrent));
        var running = new List<Task>();
        var number = 0;
        while (!run.IsCancellationRequested)
        {
            Socket client;
            try
            {
                await slots.WaitAsync(run.Token).ConfigureAwait(false);
                try { client = await _socket.AcceptAsync(run.Token).ConfigureAwait(false); }
                catch { slots.Release(); throw; }
            }
            catch (OperationCanceledException)
            {
                break;
            }
            var n = ++number;
            running.Add(Task.Run(async () =>
            {
                try { sink.Add(await HandleSafelyAsync(client, n, run.Token).ConfigureAwait(false)); }
                finally { slots.Release(); }
            }, CancellationToken.None));
            if (running.Count > 4 * _options.MaxConcurrent) running.RemoveAll(x => x.IsCompleted);
        }
        await Task.WhenAll(running).ConfigureAwait(false);
        var stop = ct.IsCancellationRequested ? ListenStop.Cancelled
            : sink.Stop ?? (deadline.IsCancellationRequested ? ListenStop.Timeout : ListenStop.Cancelled);
        return new ListenResult(LocalEndPoint, [.. Finish(sink.Captures)], stop);
    }

    // Without a count, probing ends when every device has seen every certificate, learning when every device is learned.
    private ListenStop? DevicesDone()
    {
        if (_options.Count is not null) return null;
        lock (_gate)
        {
            if (_options.Learn) return _learning.Count > 0 && _learning.Values.All(d => d.Complete) ? ListenStop.Learned : null;
            if (_options.ProbeCertificates && _probed.Count > 0 && _probed.Values.All(a => a.Count >= _certs.Length)) return ListenStop.CertificatesDone;
            return null;
        }
    }

    // Gives every capture of a device the full list of its certificate attempts, its learning and the profile they imply.
    private IEnumerable<HelloCapture> Finish(IReadOnlyList<HelloCapture> captures)
    {
        foreach (var c in captures)
        {
            if (_options.Learn && _learning.TryGetValue(c.RemoteAddress, out var learning))
            {
                var summary = learning.Summary();
                var certs = learning.Certificates.ToList();
                yield return c with
                {
                    Learning = summary,
                    CertificateProbe = [.. certs],
                    CertificateSummary = certs.Count > 0 ? CertificateProbeSummary.From(certs) : null,
                    Profile = c.Profile is null ? null : summary.Profile with { Origin = c.Profile.Origin },
                };
                continue;
            }
            if (!_probed.TryGetValue(c.RemoteAddress, out var attempts) || attempts.Count == 0) { yield return c; continue; }
            var probe = CertificateProbeSummary.From(attempts);
            yield return c with
            {
                CertificateProbe = [.. attempts],
                CertificateSummary = probe,
                Profile = c.Profile is null ? null : probe.ApplyTo(c.Profile),
            };
        }
    }

    // A connection never ends the run: whatever happens to it becomes its capture.
    private async Task<HelloCapture> HandleSafelyAsync(Socket client, int number, CancellationToken run)
    {
        var started = _options.Clock.GetUtcNow();
        var remoteEp = client.RemoteEndPoint as IPEndPoint;
        var remoteAddress = remoteEp?.Address.IsIPv4MappedToIPv6 == true ? remoteEp.Address.MapToIPv4() : remoteEp?.Address;
        var remote = new Remote(remoteAddress is null ? "unknown" : new ProbeTarget(remoteAddress.ToString(), remoteEp!.Port).ToString(), remoteAddress?.ToString() ?? "unknown");
        using var limit = new CancellationTokenSource(_options.EffectiveConnectionTimeout, _options.Clock);
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(run, limit.Token);
        var frames = new FrameBuffer(1024);
        var conn = ProbeConnection.Accepted(client, _options.ReadTimeout, remote.Text);
        try
        {
            return await HandleAsync(client, conn, frames, number, started, remote, connection.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            var why = limit.IsCancellationRequested && !run.IsCancellationRequested
                ? $"the connection took longer than its {_options.EffectiveConnectionTimeout.TotalSeconds:0.#} s deadline ({frames.Received} byte(s) received): a slow or stalled client"
                : $"the listener stopped before this connection finished ({frames.Received} byte(s) received)";
            return Make(number, started, remote, null, why, "closed");
        }
        catch (Exception e) when (e is ProbeException or IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            return Make(number, started, remote, null, $"connection failed after {frames.Received} byte(s): {e.Message}", "closed");
        }
        finally
        {
            await conn.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed record Remote(string Text, string Address);

    private HelloCapture Make(int number, DateTimeOffset started, Remote remote, ClientHelloFacts? hello, string? error, string response,
        CertificateProbeAttempt? attempt = null, LearnExchange? exchange = null, int? needed = null)
    {
        var c = new HelloCapture(number, remote.Text, started, hello, error)
        {
            RemoteAddress = remote.Address,
            Response = response,
            Attempt = attempt,
            Exchange = exchange,
            ConnectionsNeeded = needed,
            ElapsedMs = (long)(_options.Clock.GetUtcNow() - started).TotalMilliseconds,
        };
        if (hello is null) return c;
        var ja3 = Fingerprints.Ja3(hello);
        var profile = CaptureProfiles.ToClientProfile(hello, $"capture of {remote.Address}") with
        {
            Origin = $"listen capture from {remote.Text} at {started:yyyy-MM-ddTHH:mm:ssZ}, JA3 {ja3.Hash}",
        };
        return c with { Ja3 = ja3, Ja4 = Fingerprints.Ja4(hello), Profile = profile };
    }

    private async Task<HelloCapture> HandleAsync(Socket client, ProbeConnection conn, FrameBuffer frames, int number, DateTimeOffset started, Remote remote, CancellationToken ct)
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
            return Make(number, started, remote, null, error, answer);
        }
        if (_options.Learn) return await LearnAsync(client, conn, frames, number, started, remote, hello, ct).ConfigureAwait(false);
        if (!_options.ProbeCertificates)
            return Make(number, started, remote, hello, null, await RefuseAsync(conn, hello, ct).ConfigureAwait(false));

        ProbeCertificate? cert = null;
        lock (_gate)
        {
            if (!_probed.TryGetValue(remote.Address, out var attempts)) _probed[remote.Address] = attempts = [];
            // Certificates this device cannot use at all are settled without spending a connection on them.
            while (attempts.Count < _certs.Length && !CertificateProbe.IsApplicable(_certs[attempts.Count], hello))
            {
                var c = _certs[attempts.Count];
                attempts.Add(new CertificateProbeAttempt(null, c.Label, c.Info.KeyAlgorithm, c.Info.KeyBits, c.Info.SignatureAlgorithm, c.Info.Sha256,
                    CertificateVerdict.NotApplicable, null, false, false, null, null, "the device offers no cipher suite or version usable with this certificate"));
            }
            if (attempts.Count < _certs.Length) cert = _certs[attempts.Count];
        }
        if (cert is null) return Make(number, started, remote, hello, null, await RefuseAsync(conn, hello, ct).ConfigureAwait(false));
        var attempt = await ServeAsync(client, frames.Transcript.ToArray(), cert, number, null, ct).ConfigureAwait(false);
        lock (_gate) _probed[remote.Address].Add(attempt);
        return Make(number, started, remote, hello, null, $"certificate {cert.Label}", attempt);
    }

    private async Task<HelloCapture> LearnAsync(Socket client, ProbeConnection conn, FrameBuffer frames, int number, DateTimeOffset started, Remote remote,
        ClientHelloFacts hello, CancellationToken ct)
    {
        DeviceLearning device;
        LearnStep? step;
        lock (_gate)
        {
            if (!_learning.TryGetValue(remote.Address, out device!))
                _learning[remote.Address] = device = new DeviceLearning(remote.Address, hello, CaptureProfiles.ToClientProfile(hello, $"capture of {remote.Address}"), _certs, _options.TerminalServer);
            step = device.Next();
        }
        if (step is null)
        {
            int left;
            lock (_gate) left = Math.Max(0, device.ConnectionsNeeded);
            return Make(number, started, remote, hello, null, await RefuseAsync(conn, hello, ct).ConfigureAwait(false) + " (nothing left to learn)", needed: left);
        }
        var attempt = await ServeAsync(client, frames.Transcript.ToArray(), step.Certificate, number, step.Restrictions, ct).ConfigureAwait(false);
        LearnExchange exchange;
        int needed;
        lock (_gate)
        {
            exchange = device.Record(number, step, attempt);
            needed = Math.Max(0, device.ConnectionsNeeded);
        }
        return Make(number, started, remote, hello, null, $"{step.Question.Name()}: {step.Why}", attempt, exchange, needed);
    }

    private async Task<CertificateProbeAttempt> ServeAsync(Socket client, byte[] prefix, ProbeCertificate cert, int number, ServeRestrictions? restrict, CancellationToken ct)
    {
        var ms = (int)_options.ReadTimeout.TotalMilliseconds;
        // BouncyCastle's blocking API only stops on a socket error: closing the socket is how a deadline reaches it.
        using var reg = ct.Register(() => { try { client.Dispose(); } catch (ObjectDisposedException) { } });
        var attempt = await Task.Factory.StartNew(() =>
        {
            using var stream = new ProbeStream(new NetworkStream(client, ownsSocket: false) { ReadTimeout = ms, WriteTimeout = ms }, prefix);
            return CertificateProbe.Serve(stream, cert, number, restrict);
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

    /// <summary>
    /// Collects finished connections in connection order (a slow early one holds back the report of later ones, never
    /// their reading), reports each in order, and signals the stop once the count or the devices are done.
    /// </summary>
    private sealed class CaptureSequence(IProgress<HelloCapture>? progress, int? count, Func<ListenStop?> devicesDone, CancellationTokenSource stopping)
    {
        private readonly Lock _lock = new();
        private readonly SortedDictionary<int, HelloCapture> _waiting = [];
        private readonly List<HelloCapture> _captures = [];
        private int _next = 1;
        private int _hellos;

        public ListenStop? Stop { get; private set; }

        public IReadOnlyList<HelloCapture> Captures
        {
            get { lock (_lock) return [.. _captures, .. _waiting.Values]; }
        }

        public void Add(HelloCapture capture)
        {
            ListenStop? stop = null;
            lock (_lock)
            {
                _waiting[capture.Connection] = capture;
                while (_waiting.Remove(_next, out var c))
                {
                    _captures.Add(c);
                    progress?.Report(c);
                    _next++;
                }
                if (capture.Hello is not null) _hellos++;
                if (Stop is null && count is { } n && _hellos >= n) stop = Stop = ListenStop.Count;
            }
            if (stop is null && devicesDone() is { } done)
            {
                lock (_lock) Stop ??= done;
                stop = done;
            }
            if (stop is not null) stopping.Cancel();
        }
    }
}
