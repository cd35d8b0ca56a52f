namespace TlsDoctor.Probe;

/// <summary>Sends one ClientHello on a fresh connection and reads the server's first flight, up to ServerHelloDone.</summary>
/// <remarks>No key is ever computed: the probe learns the server's choices from plaintext and closes. The reading is
/// <see cref="ServerFlight"/>'s; this class only moves bytes.</remarks>
public static class RawHelloProbe
{
    /// <summary>Sends a hello (a TLS ClientHello record or an SSLv2 CLIENT-HELLO) and reads the answer with the bytes exchanged.</summary>
    public static async Task<(HelloResponse Response, Transcript Transcript)> SendAsync(
        ProbeTarget target, ReadOnlyMemory<byte> hello, ProbeOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ProbeConnection conn;
        try
        {
            conn = await ProbeConnection.ConnectAsync(target, options.ConnectTimeout, options.ReadTimeout, ct).ConfigureAwait(false);
        }
        catch (ProbeException e)
        {
            return (HelloResponse.Failed(e), new Transcript(hello, ReadOnlyMemory<byte>.Empty, e.Kind, e.Message));
        }

        await using (conn.ConfigureAwait(false))
        {
            var flight = new ServerFlight();
            var frames = new Wire.FrameBuffer(16 * 1024);
            // Each read has its own timeout; this bounds a peer that drips one byte just before each expires.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(options.ReadTimeout * 3);
            try
            {
                await conn.SendAsync(hello, deadline.Token).ConfigureAwait(false);
                var (response, closed) = await conn.ReadFramesAsync(frames, flight.TryComplete, deadline.Token).ConfigureAwait(false);
                return closed
                    ? (flight.Closed(frames), new Transcript(hello, frames.Transcript, ProbeErrorKind.Closed))
                    : (response!, new Transcript(hello, frames.Transcript));
            }
            catch (ProbeException e)
            {
                return (flight.Failed(e), new Transcript(hello, frames.Transcript, e.Kind, e.Message));
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                var slow = new ProbeException(ProbeErrorKind.ReadTimeout,
                    $"the server's answer trickled in too slowly (over {(options.ReadTimeout * 3).TotalSeconds:0.#} s)");
                return (flight.Failed(slow), new Transcript(hello, frames.Transcript, slow.Kind, slow.Message));
            }
        }
    }
}
