using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using TlsDoctor.Core;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe.Capture;

/// <summary>How the listener runs.</summary>
/// <param name="Endpoint">Address and port to listen on (port 0 picks a free one).</param>
/// <param name="Count">Stop after this many ClientHellos; null = no limit.</param>
/// <param name="Timeout">Total time to wait (`listen --duration`); null = until cancelled (or until every probe certificate was presented).</param>
/// <param name="ReadTimeout">Wait for each read from a connected client (`listen --timeout`).</param>
/// <param name="ProbeCertificates">Complete handshakes presenting a different certificate on successive connections.</param>
public sealed record ListenOptions(IPEndPoint Endpoint, int? Count, TimeSpan? Timeout, TimeSpan ReadTimeout, bool ProbeCertificates)
{
    /// <summary>`--learn`: answer successive connections of a device differently (lower versions, the certificate ladder, the Terminal Server's suite).</summary>
    public bool Learn { get; init; }

    /// <summary>The Terminal Server whose suite choice `--learn` tries on the device; null = no suite check.</summary>
    public TerminalServerModel? TerminalServer { get; init; }

    /// <summary>Connections read at the same time; more wait in the accept queue (never refused).</summary>
    public int MaxConcurrent { get; init; } = 64;

    /// <summary>Longest one connection may take in all (hello and answer); null = three read timeouts. A slow-drip client ends there.</summary>
    public TimeSpan? ConnectionTimeout { get; init; }

    /// <summary>Clock of the run and connection deadlines.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The connection deadline in effect.</summary>
    public TimeSpan EffectiveConnectionTimeout => ConnectionTimeout ?? ReadTimeout * 3;

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
    /// <summary>With --learn: this connection's exchange (what was answered and what the device did).</summary>
    public LearnExchange? Exchange { get; init; }
    /// <summary>With --learn: connections the device still has to make, right after this one.</summary>
    public int? ConnectionsNeeded { get; init; }
    /// <summary>With --learn: everything learned about the device in this run (filled at the end).</summary>
    public ClientLearning? Learning { get; init; }
}

/// <summary>Why the listener stopped.</summary>
public enum ListenStop { Count, Timeout, Cancelled, CertificatesDone, Learned }

/// <summary>Everything one listen run captured.</summary>
public sealed record ListenResult(IPEndPoint Local, ImmutableArray<HelloCapture> Captures, ListenStop Stop)
{
    /// <summary>Captures that hold a ClientHello.</summary>
    public int Captured => Captures.Count(c => c.Hello is not null);
}
