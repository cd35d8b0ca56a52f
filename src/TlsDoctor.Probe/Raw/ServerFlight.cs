using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe;

/// <summary>
/// Reads a server's answer to one hello from the frames received so far, up to ServerHelloDone: no I/O, so a recorded
/// transcript replays to the same <see cref="HelloResponse"/> as the live connection.
/// </summary>
public sealed class ServerFlight
{
    /// <summary>A server flight with a long chain fits easily; anything beyond this is a hostile peer.</summary>
    public const int MaxFlightBytes = 512 * 1024;

    private readonly HandshakeReassembler _reassembler = new();
    private ServerHello? _serverHello;
    private ImmutableArray<byte[]> _certs = [];
    private int? _dhBits;
    private string? _dhProblem;
    private NamedGroup? _ffdhe;
    private NamedGroup? _group;
    private ushort? _recordVersion;
    // A ServerHello that selected TLS 1.3 is followed by encrypted records; plaintext handshake messages after it mean
    // a TLS 1.2 flight that merely carries supported_versions.
    private bool _tls13Hello;
    private bool _tls12AfterTls13;

    /// <summary>What was understood so far, valid even if the peer then hangs or resets; null before a ServerHello.</summary>
    public HelloResponse? Partial { get; private set; }

    /// <summary>The answer once the received frames hold one; null while more bytes are needed.</summary>
    public HelloResponse? TryComplete(FrameBuffer frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Received > MaxFlightBytes)
            return Failed(new ProbeException(ProbeErrorKind.Malformed, $"server sent more than {MaxFlightBytes / 1024} KiB before ServerHelloDone"));
        return frames.Framing switch
        {
            RecordFraming.Tls => TryTls(frames),
            RecordFraming.Sslv2 => TrySslv2(frames),
            RecordFraming.NotTls => NotTls(frames.Transcript.Span),
            _ => null,
        };
    }

    /// <summary>The answer when the peer closed the connection before <see cref="TryComplete"/> had one.</summary>
    public HelloResponse Closed(FrameBuffer frames) => frames.Framing switch
    {
        RecordFraming.Sslv2 => ClosedResponse("connection closed inside an SSLv2 message"),
        RecordFraming.Tls => Done(false) ?? ClosedResponse("connection closed without an answer"),
        _ => ClosedResponse("connection closed without an answer"),
    };

    /// <summary>The answer when reading failed (timeout, reset, the flight's own deadline).</summary>
    public HelloResponse Failed(ProbeException e) => Partial ?? HelloResponse.Failed(e);

    /// <summary>Replays a recorded transcript: the same answer the live connection gave.</summary>
    public static HelloResponse Replay(Transcript transcript)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        if (transcript.EndedBy is { } kind && kind is ProbeErrorKind.Refused or ProbeErrorKind.ConnectTimeout or ProbeErrorKind.NameResolution or ProbeErrorKind.Unreachable)
            return HelloResponse.Failed(new ProbeException(kind, transcript.EndMessage ?? kind.ToString()));
        var frames = new FrameBuffer(transcript.Received.Length);
        frames.Append(transcript.Received.Span);
        var flight = new ServerFlight();
        if (flight.TryComplete(frames) is { } done) return done;
        return transcript.EndedBy is null or ProbeErrorKind.Closed
            ? flight.Closed(frames)
            : flight.Failed(new ProbeException(transcript.EndedBy.Value, transcript.EndMessage ?? ""));
    }

    private static HelloResponse ClosedResponse(string text) => new(HelloOutcome.Closed, Error: text) { Failure = ProbeErrorKind.Closed };

    private static HelloResponse NotTls(ReadOnlySpan<byte> received)
    {
        var head = received[..Math.Min(received.Length, 16)];
        var text = System.Text.Encoding.ASCII.GetString(head);
        var hint = text.StartsWith("HTTP/", StringComparison.Ordinal) ? " (an HTTP answer: plain HTTP on this port?)" : "";
        return new HelloResponse(HelloOutcome.Malformed, Error: $"not TLS: first bytes {Convert.ToHexString(head)}{hint}")
        {
            Failure = ProbeErrorKind.Malformed,
            WireError = new WireError(0, "TLSPlaintext.type", $"0x{head[0]:x2} starts neither a TLS record nor an SSLv2 message"),
        };
    }

    private HelloResponse? TryTls(FrameBuffer frames)
    {
        while (true)
        {
            var status = frames.TryTakeRecord(out var record, out var error);
            if (status == WireStatus.NeedMoreData) return null;
            if (status == WireStatus.Malformed) return MalformedAfter(error);
            // RFC 5246 §6.2.1: every record of the flight carries the negotiated version; a stack that changes it
            // mid-flight has lost track of its own state.
            if (_recordVersion is { } first && record.Version != first)
                return MalformedAfter(new WireError(0, "TLSPlaintext.version", $"0x{record.Version:x4} after 0x{first:x4} within one flight"));
            _recordVersion ??= record.Version;
            if (Record(record) is { } done) return done;
        }
    }

    private HelloResponse? Record(TlsRecord record)
    {
        switch (record.Type)
        {
            case ContentType.Alert:
                if (AlertReader.TryRead(record.Fragment.Span, out var alert, out var aerr) != WireStatus.Done) return MalformedAfter(aerr);
                if (_serverHello is null) return new HelloResponse(HelloOutcome.Alert, Alert: alert, Error: $"server sent {alert}");
                return Done(false, alert);
            case ContentType.Handshake:
                if (_reassembler.Add(record.Fragment.Span, out var herr) == WireStatus.Malformed) return MalformedAfter(herr);
                while (_reassembler.TryTake(out var msg))
                    if (Message(msg) is { } done) return done;
                return null;
            case ContentType.ChangeCipherSpec when _serverHello is not null:
            case ContentType.ApplicationData when _tls13Hello:
                // Session resumption, TLS 1.3 middlebox compatibility or TLS 1.3's encrypted records: the plaintext part is over.
                return Done(false);
            default:
                return MalformedAfter(new WireError(0, "TLSPlaintext.type", $"unexpected {record.Type} record"));
        }
    }

    private HelloResponse? Message(HandshakeMessage msg)
    {
        if (_tls13Hello && msg.Type != HandshakeType.ServerHello) (_tls13Hello, _tls12AfterTls13) = (false, true);
        switch (msg.Type)
        {
            case HandshakeType.ServerHello when _serverHello is null:
                if (ServerHelloReader.TryRead(msg.Body.Span, out var sh, out var serr) != WireStatus.Done) return MalformedAfter(serr);
                if (sh.LegacyVersion >> 8 != 3 || sh.SelectedVersion >> 8 != 3)
                    return MalformedAfter(new WireError(0, "ServerHello.legacy_version",
                        $"0x{(sh.LegacyVersion >> 8 != 3 ? sh.LegacyVersion : sh.SelectedVersion):x4} is not an SSL 3.0 or TLS version"));
                _serverHello = sh;
                if (sh.SelectedVersion >= 0x0304)
                {
                    if (sh.KeyShareGroup is { } g) _group = NamedGroups.Get(g);
                    // After a HelloRetryRequest the server waits for our second hello: its choice is all there is to read.
                    if (sh.IsHelloRetryRequest) return Done(false);
                    _tls13Hello = true;
                }
                break;
            case HandshakeType.Certificate when _serverHello is not null:
                if (CertificateReader.TryRead(msg.Body.Span, false, out var chain, out var cerr) != WireStatus.Done) return MalformedAfter(cerr);
                _certs = [.. chain.Select(c => c.ToArray())];
                break;
            case HandshakeType.ServerKeyExchange when _serverHello is not null:
                ReadKeyExchange(_serverHello, msg.Body.Span);
                break;
            case HandshakeType.ServerHelloDone when _serverHello is not null:
                return Done(true);
            case HandshakeType.ServerHello:
                return MalformedAfter(new WireError(0, "ServerHello", "second ServerHello in one flight"));
            default:
                if (_serverHello is null) return MalformedAfter(new WireError(0, "Handshake.msg_type", $"{msg.Type} before ServerHello"));
                return null; // CertificateRequest, CertificateStatus: nothing we need
        }
        Partial = Done(false);
        return null;
    }

    private void ReadKeyExchange(ServerHello hello, ReadOnlySpan<byte> body)
    {
        var suite = CipherSuites.Get(hello.CipherSuite);
        var signed = hello.SelectedVersion >= 0x0303 && suite.Authentication is not (Authentication.Anonymous or Authentication.Null or Authentication.PSK);
        if (suite.KeyExchange.IsFiniteFieldDh())
        {
            if (ServerKeyExchangeReader.TryReadDhe(body, signed, out var dh, out _) == WireStatus.Done)
                (_dhBits, _dhProblem, _ffdhe) = (dh.PrimeBits, DhParameterCheck.Problem(dh), DhParameterCheck.Rfc7919Group(dh));
        }
        else if (suite.KeyExchange.IsEllipticCurve())
        {
            if (ServerKeyExchangeReader.TryReadEcdhe(body, signed, out var ec, out _) == WireStatus.Done && ec.CurveType == 3)
                _group = NamedGroups.Get(ec.NamedCurve);
        }
    }

    private HelloResponse? Done(bool sawDone, TlsAlert? alertAfter = null)
    {
        if (_serverHello is not { } hello) return null;
        return new HelloResponse(
            HelloOutcome.ServerHello,
            Version: (TlsVersion)(_tls12AfterTls13 ? hello.LegacyVersion : hello.SelectedVersion),
            CipherSuite: hello.CipherSuite,
            HelloRetry: hello.IsHelloRetryRequest,
            Group: _group,
            DhBits: _dhBits,
            RenegotiationInfo: hello.HasRenegotiationInfo,
            ExtendedMasterSecret: hello.ExtendedMasterSecret,
            Certificates: _certs,
            AlertAfterHello: alertAfter,
            SawServerHelloDone: sawDone,
            Compression: hello.Compression,
            DhProblem: _dhProblem,
            Tls12AfterTls13: _tls12AfterTls13,
            FfdheGroup: _ffdhe);
    }

    private HelloResponse MalformedAfter(WireError error)
    {
        var text = $"malformed TLS from server: {error.Field} at offset {error.Offset}: {error.Reason}";
        // What was understood before the damage still tells the server's choice.
        if (Done(false) is { } understood) return understood with { Error = text, WireError = error };
        return new HelloResponse(HelloOutcome.Malformed, Error: text) { Failure = ProbeErrorKind.Malformed, WireError = error };
    }

    private static HelloResponse? TrySslv2(FrameBuffer frames)
    {
        var status = frames.TryTakeSslv2(out var message, out _);
        if (status != WireStatus.Done) return null;
        if (Sslv2ServerHelloReader.TryRead(message.Span, out var h, out var err) != WireStatus.Done)
        {
            if (message.Span[0] == Sslv2.MsgError) return new HelloResponse(HelloOutcome.Alert, Version: TlsVersion.SSLv2, Error: "SSLv2 ERROR message");
            return new HelloResponse(HelloOutcome.Malformed, Error: $"malformed SSLv2 SERVER-HELLO: {err.Field}: {err.Reason}")
            { Failure = ProbeErrorKind.Malformed, WireError = err };
        }
        return new HelloResponse(
            HelloOutcome.ServerHello,
            Version: TlsVersion.SSLv2,
            Certificates: h.Certificate.IsEmpty ? [] : [h.Certificate.ToArray()],
            Sslv2CipherKinds: h.CipherKinds);
    }
}
