using System.Net.Sockets;

namespace TlsDoctor.Probe;

/// <summary>Why a connection produced no TLS answer.</summary>
public enum ProbeErrorKind
{
    /// <summary>TCP connect refused (RST).</summary>
    Refused,
    /// <summary>TCP connect did not complete in time.</summary>
    ConnectTimeout,
    /// <summary>Host name did not resolve.</summary>
    NameResolution,
    /// <summary>Host or network unreachable.</summary>
    Unreachable,
    /// <summary>Connected, but the peer sent nothing within the read timeout.</summary>
    ReadTimeout,
    /// <summary>Peer closed the connection (FIN) before answering.</summary>
    Closed,
    /// <summary>Peer reset the connection.</summary>
    Reset,
    /// <summary>Peer sent bytes that are not TLS, or malformed TLS.</summary>
    Malformed,
    /// <summary>The target's deadline passed.</summary>
    Deadline,
}

/// <summary>A connection failure with the kind and text an administrator can act on.</summary>
public sealed class ProbeException(ProbeErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public ProbeErrorKind Kind { get; } = kind;

    /// <summary>True when the target could not be reached at all (exit code 3), not merely misbehaved.</summary>
    public bool IsUnreachable => Kind is ProbeErrorKind.Refused or ProbeErrorKind.ConnectTimeout or ProbeErrorKind.NameResolution or ProbeErrorKind.Unreachable;

    internal static ProbeException FromSocket(SocketException e, bool connecting, string target) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => new(ProbeErrorKind.Refused, $"{target}: connection refused", e),
        SocketError.TimedOut when connecting => new(ProbeErrorKind.ConnectTimeout, $"{target}: connect timed out", e),
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => new(ProbeErrorKind.NameResolution, $"{target}: host name not found", e),
        SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.NetworkDown => new(ProbeErrorKind.Unreachable, $"{target}: unreachable ({e.SocketErrorCode})", e),
        SocketError.ConnectionReset or SocketError.ConnectionAborted => new(ProbeErrorKind.Reset, $"{target}: connection reset by peer", e),
        _ => new(connecting ? ProbeErrorKind.Unreachable : ProbeErrorKind.Reset, $"{target}: {e.SocketErrorCode}", e),
    };
}
