namespace TlsDoctor.Fleet;

/// <summary>
/// Keeps enough thread-pool threads for a fleet's concurrency. The scanner's full handshakes run BouncyCastle's blocking
/// TLS client on a pool thread each (Task.Run around socket reads), so 64 devices in their handshake phase hold 64 threads
/// while waiting for the device; the pool starts with one thread per core and adds about two a second, which left most
/// devices queued behind a handful of blocked threads.
/// </summary>
/// <remarks>The pool's minimum is per process; it is only ever raised here (a concurrent scan in the same process keeps its reserve).</remarks>
internal static class ThreadReserve
{
    /// <summary>Raises the pool's minimum worker threads to cover <paramref name="concurrency"/> blocked handshakes plus one per core.</summary>
    public static void Ensure(int concurrency)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        var want = Math.Min(concurrency + Environment.ProcessorCount, 1100);
        if (workers < want) ThreadPool.SetMinThreads(want, io);
    }
}
