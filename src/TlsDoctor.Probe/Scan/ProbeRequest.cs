using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Probe.Handshake.LeadingZero;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe;

/// <summary>The step of a scan that asked for a connection; evidence is looked up by it, never by the purpose text.</summary>
public enum ProbeStep
{
    /// <summary>Which versions the server accepts (the first hello, one per version, SSLv2).</summary>
    Versions,
    /// <summary>The tolerance ladder: a short hello, then one without extensions.</summary>
    Tolerance,
    /// <summary>Iterative removal of accepted suites in one version.</summary>
    Suites,
    /// <summary>Which (EC)DHE groups / key_share groups the server accepts.</summary>
    Groups,
    /// <summary>The DH group a client gets when it offers FFDHE groups (RFC 7919).</summary>
    Ffdhe,
    /// <summary>A complete handshake in one version.</summary>
    FullHandshake,
    /// <summary>Two suites offered in reverse order: whose order does the server follow.</summary>
    Order,
    /// <summary>A DHE handshake of the leading-zero proof.</summary>
    LeadingZero,
}

/// <summary>How a hello is shaped after the tolerance ladder: full offers, small offers, or no extensions at all.</summary>
public enum HelloShape { Full, Small, NoExtensions }

/// <summary>One connection a scan step asks for; the runner performs it, the step folds the answer.</summary>
public abstract record ProbeRequest
{
    public required ProbeStep Step { get; init; }
    /// <summary>The version the request is about (the highest offered for raw hellos).</summary>
    public TlsVersion? Version { get; init; }
    /// <summary>Why the connection is made, in words ("suites TLSv1.2").</summary>
    public required string Purpose { get; init; }
    /// <summary>What was offered, in words ("TLSv1.2, 143 suites, 517 bytes").</summary>
    public abstract string Offered { get; }
}

/// <summary>A raw TLS ClientHello: its spec, the suites and groups it offers (SCSV excluded) and its record bytes.</summary>
public sealed record HelloRequest(HelloShape Shape, ClientHelloSpec Spec, ImmutableArray<ushort> Suites, ImmutableArray<ushort>? Groups, ReadOnlyMemory<byte> Record)
    : ProbeRequest
{
    /// <summary>The highest version offered.</summary>
    public TlsVersion Max => Version!.Value;

    public override string Offered =>
        $"{Max.Name()}, {Suites.Length} suites{(Groups is { } g ? $", {g.Length} groups" : "")}, {Record.Length} bytes";
}

/// <summary>An SSLv2 CLIENT-HELLO offering the given cipher kinds.</summary>
public sealed record Sslv2HelloRequest(ImmutableArray<int> CipherKinds, ReadOnlyMemory<byte> Hello) : ProbeRequest
{
    public override string Offered => $"SSLv2 CLIENT-HELLO, {CipherKinds.Length} cipher kinds";
}

/// <summary>A complete handshake offering only <see cref="ProbeRequest.Version"/> and these suites, in this order.</summary>
/// <param name="Repeat">The second try after a failure that looks like the DH leading-zero bug.</param>
/// <param name="WithoutStatusRequest">Without the status_request extension (OCSP stapling) that the server closed on.</param>
public sealed record FullHandshakeRequest(ImmutableArray<ushort> Suites, bool Repeat, bool WithoutStatusRequest = false) : ProbeRequest
{
    public override string Offered => $"{Version!.Value.Name()}, {Suites.Length} suites";
}

/// <summary>One DHE handshake of the leading-zero proof, with the DH values chosen per <paramref name="Mode"/>.</summary>
/// <param name="Stress">One of the random handshakes run only to count failures.</param>
public sealed record LeadingZeroRequest(LeadingZeroMode Mode, bool Stress = false) : ProbeRequest
{
    public override string Offered => $"{Version!.Value.Name()}, DHE-RSA suites, {LeadingZeroModes.Name(Mode)}";
}
