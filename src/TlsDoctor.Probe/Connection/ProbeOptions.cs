namespace TlsDoctor.Probe;

/// <summary>How gently and how long a scan talks to one target.</summary>
/// <param name="ConnectTimeout">Limit for the TCP connect.</param>
/// <param name="ReadTimeout">Limit for each wait on data from the peer.</param>
/// <param name="TargetDeadline">Limit for the whole scan of one target.</param>
/// <param name="MaxConnectionsPerHost">Connections open at once to one host (fragile devices: 1).</param>
/// <param name="DelayBetweenConnections">Pause between the end of one connection and the start of the next to the same host.</param>
/// <param name="FullHandshakes">Complete one handshake per supported version (finds failures after ServerHello).</param>
/// <param name="ServerName">SNI to send; null sends none for IP literals and the host name otherwise.</param>
public sealed record ProbeOptions(
    TimeSpan ConnectTimeout,
    TimeSpan ReadTimeout,
    TimeSpan TargetDeadline,
    int MaxConnectionsPerHost = 1,
    TimeSpan DelayBetweenConnections = default,
    bool FullHandshakes = true,
    string? ServerName = null)
{
    /// <summary>Defaults for printers on a LAN: 5 s connect, 5 s read, 120 s per target, one connection at a time.</summary>
    public static ProbeOptions Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(120));
}
