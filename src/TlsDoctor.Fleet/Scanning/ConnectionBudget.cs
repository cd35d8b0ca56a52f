namespace TlsDoctor.Fleet;

/// <summary>
/// A token bucket for the fleet's global connection rate, charged per device: a device starts only when the
/// bucket holds what a device usually costs, and pays the difference when it finishes (debt is allowed), so the
/// long-run rate stays at or below the limit while bursts stay within <c>burst</c> connections.
/// </summary>
/// <remarks>
/// The scanner opens its connections inside TlsScanner, which offers no per-connection hook; charging per device
/// with a running estimate is the closest a caller can get. System.Threading.RateLimiting ships with ASP.NET Core,
/// not the base shared framework, hence this small class.
/// </remarks>
public sealed class ConnectionBudget
{
    private readonly double _rate;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private readonly object _lock = new();
    private double _tokens;
    private long _stamp;
    private double _estimate;
    private long _devices;
    private long _connections;

    /// <param name="connectionsPerSecond">Long-run limit; must be positive.</param>
    /// <param name="burst">Bucket size in connections; at least one device's estimate.</param>
    /// <param name="initialEstimate">Connections a device is expected to cost before any has finished.</param>
    public ConnectionBudget(double connectionsPerSecond, double burst, double initialEstimate = 12, TimeProvider? time = null)
    {
        if (!(connectionsPerSecond > 0)) throw new ArgumentOutOfRangeException(nameof(connectionsPerSecond));
        _rate = connectionsPerSecond;
        _burst = Math.Max(burst, 1);
        _time = time ?? TimeProvider.System;
        _tokens = _burst;
        _stamp = _time.GetTimestamp();
        _estimate = Math.Max(1, initialEstimate);
    }

    /// <summary>Connections per device observed so far (the amount charged at start).</summary>
    public double Estimate { get { lock (_lock) return _estimate; } }

    /// <summary>Waits until a device may start and charges its estimated cost; returns the amount charged.</summary>
    public async ValueTask<double> AcquireAsync(CancellationToken ct)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_lock)
            {
                Refill();
                var cost = Math.Min(_estimate, _burst);
                if (_tokens >= cost)
                {
                    _tokens -= cost;
                    return cost;
                }
                wait = TimeSpan.FromSeconds((cost - _tokens) / _rate);
            }
            await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, _time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Settles a finished device: charges (or refunds) the difference between its real cost and what was charged.</summary>
    public void Settle(double charged, int actualConnections)
    {
        lock (_lock)
        {
            Refill();
            _tokens -= actualConnections - charged;
            if (_tokens > _burst) _tokens = _burst;
            _devices++;
            _connections += actualConnections;
            _estimate = Math.Max(1, (double)_connections / _devices);
        }
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        _tokens = Math.Min(_burst, _tokens + _time.GetElapsedTime(_stamp, now).TotalSeconds * _rate);
        _stamp = now;
    }
}
