using System.Globalization;
using System.Net;

namespace TlsDoctor.Probe;

/// <summary>A TLS endpoint: host name or address, and port.</summary>
public sealed record ProbeTarget(string Host, int Port)
{
    /// <summary>host:port, with IPv6 literals in brackets.</summary>
    public override string ToString() =>
        Host.Contains(':') ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}" : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>True when the host is an IP literal (no SNI is sent for those).</summary>
    public bool IsAddress => IPAddress.TryParse(Host, out _);

    /// <summary>Parses "host", "host:port", "[v6]:port" or a bare IPv6 literal.</summary>
    public static bool TryParse(string? text, int defaultPort, out ProbeTarget target, out string? error)
    {
        target = null!;
        error = null;
        if (string.IsNullOrWhiteSpace(text)) { error = "empty target"; return false; }
        var t = text.Trim();
        string host;
        string? portText = null;
        if (t.StartsWith('['))
        {
            var close = t.IndexOf(']');
            if (close < 0) { error = $"'{t}': missing ']'"; return false; }
            host = t[1..close];
            var rest = t[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':') { error = $"'{t}': expected ':' after ']'"; return false; }
                portText = rest[1..];
            }
        }
        else if (t.Count(c => c == ':') > 1)
        {
            host = t; // bare IPv6 literal
        }
        else
        {
            var colon = t.IndexOf(':');
            host = colon < 0 ? t : t[..colon];
            portText = colon < 0 ? null : t[(colon + 1)..];
        }
        if (host.Length == 0) { error = $"'{t}': empty host"; return false; }
        var port = defaultPort;
        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            error = $"'{t}': port must be 1-65535";
            return false;
        }
        target = new ProbeTarget(host, port);
        return true;
    }
}
