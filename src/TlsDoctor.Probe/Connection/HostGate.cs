using System.Collections.Concurrent;

namespace TlsDoctor.Probe;

/// <summary>Limits connections per host: at most N at once and a minimum pause between them.</summary>
/// <remarks>One instance is shared by everything that talks to the same set of hosts (a scan, a fleet run),
/// so two targets on one device (ports 443 and 5012) still count against the same device.</remarks>
public sealed class HostGate
{
    private readonly int _maxPerHost;
    private readonly TimeSpan _delay;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, HostSlot> _hosts = new(StringComparer.OrdinalIgnoreCase);

    public HostGate(int maxPerHost = 1, TimeSpan delay = default, TimeProvider? time = null)
    {
        if (maxPerHost < 1) throw new ArgumentOutOfRangeException(nameof(maxPerHost), "at least one connection per host");
        if (delay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(delay));
        _maxPerHost = maxPerHost;
        _delay = delay;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Waits for a slot for <paramref name="host"/>; dispose the lease when the connection is closed.</summary>
    public async ValueTask<IDisposable> EnterAsync(string host, CancellationToken ct)
    {
        var slot = _hosts.GetOrAdd(host, _ => new HostSlot(_maxPerHost));
        await slot.Semaphore.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_delay > TimeSpan.Zero)
            {
                long last = Interlocked.Read(ref slot.LastReleaseTicks);
                if (last != 0)
                {
                    var wait = _delay - _time.GetElapsedTime(last);
                    if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, ct).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            slot.Semaphore.Release();
            throw;
        }
        return new Lease(slot, _time);
    }

    private sealed class HostSlot(int max)
    {
        public readonly SemaphoreSlim Semaphore = new(max, max);
        public long LastReleaseTicks;
    }

    private sealed class Lease(HostSlot slot, TimeProvider time) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            Interlocked.Exchange(ref slot.LastReleaseTicks, time.GetTimestamp());
            slot.Semaphore.Release();
        }
    }
}
