using System.Buffers;
using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe;

/// <summary>Sends one ClientHello on a fresh connection and reads the server's first flight, up to ServerHelloDone.</summary>
/// <remarks>No key is ever computed: the probe learns the server's choices from plaintext and closes.</remarks>
public static class RawHelloProbe
{
    // A server flight with a long chain fits easily; anything beyond this is a hostile peer.
    private const int MaxFlightBytes = 512 * 1024;

    /// <summary>Sends a TLS ClientHello record and reads the answer.</summary>
    public static Task<HelloResponse> SendAsync(ProbeTarget target, ReadOnlyMemory<byte> helloRecord, ProbeOptions options, CancellationToken ct) =>
        ExchangeAsync(target, helloRecord, options, sslv2: false, ct);

    /// <summary>Sends an SSLv2 CLIENT-HELLO and reads an SSLv2 SERVER-HELLO (or whatever else comes back).</summary>
    public static Task<HelloResponse> SendSslv2Async(ProbeTarget target, ReadOnlyMemory<byte> hello, ProbeOptions options, CancellationToken ct) =>
        ExchangeAsync(target, hello, options, sslv2: true, ct);

    private static async Task<HelloResponse> ExchangeAsync(ProbeTarget target, ReadOnlyMemory<byte> hello, ProbeOptions options, bool sslv2, CancellationToken ct)
    {
        ProbeConnection conn;
        try
        {
            conn = await ProbeConnection.ConnectAsync(target, options.ConnectTimeout, options.ReadTimeout, ct).ConfigureAwait(false);
        }
        catch (ProbeException e) { return HelloResponse.Failed(e); }

        await using (conn.ConfigureAwait(false))
        {
            var reader = new FlightReader(conn);
            // Each read has its own timeout; this bounds a peer that drips one byte just before each expires.
            using var flight = CancellationTokenSource.CreateLinkedTokenSource(ct);
            flight.CancelAfter(options.ReadTimeout * 3);
            try
            {
                await conn.SendAsync(hello, flight.Token).ConfigureAwait(false);
                return await reader.ReadAsync(sslv2, flight.Token).ConfigureAwait(false);
            }
            catch (ProbeException e)
            {
                // An answer that was already understood stays valid even if the peer then hangs or resets.
                return reader.Partial ?? HelloResponse.Failed(e);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return reader.Partial ?? new HelloResponse(HelloOutcome.Timeout,
                    Error: $"the server's answer trickled in too slowly (over {(options.ReadTimeout * 3).TotalSeconds:0.#} s)", ErrorKind: ProbeErrorKind.ReadTimeout);
            }
        }
    }

    private sealed class FlightReader(ProbeConnection conn)
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        private int _filled;
        private int _total;

        public HelloResponse? Partial { get; private set; }

        private async ValueTask<bool> FillAsync(CancellationToken ct)
        {
            if (_filled == _buffer.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                _buffer.AsSpan(0, _filled).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }
            var n = await conn.ReadAsync(_buffer.AsMemory(_filled), ct).ConfigureAwait(false);
            if (n == 0) return false;
            _filled += n;
            _total += n;
            if (_total > MaxFlightBytes) throw new ProbeException(ProbeErrorKind.Malformed, $"server sent more than {MaxFlightBytes / 1024} KiB before ServerHelloDone");
            return true;
        }

        private void Consume(int count)
        {
            _buffer.AsSpan(count, _filled - count).CopyTo(_buffer);
            _filled -= count;
        }

        public async Task<HelloResponse> ReadAsync(bool sslv2, CancellationToken ct)
        {
            try
            {
                // Decide the framing from the first bytes.
                while (true)
                {
                    var framing = TlsRecordReader.PeekFraming(_buffer.AsSpan(0, _filled));
                    if (framing == RecordFraming.Tls) break;
                    if (framing == RecordFraming.Sslv2) return await ReadSslv2Async(ct).ConfigureAwait(false);
                    if (framing == RecordFraming.NotTls) return NotTls();
                    if (!await FillAsync(ct).ConfigureAwait(false))
                        return new HelloResponse(HelloOutcome.Closed, Error: "connection closed without an answer", ErrorKind: ProbeErrorKind.Closed);
                }
                return await ReadTlsAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = [];
            }
        }

        private HelloResponse NotTls()
        {
            var head = _buffer.AsSpan(0, Math.Min(_filled, 16));
            var text = System.Text.Encoding.ASCII.GetString(head);
            var hint = text.StartsWith("HTTP/", StringComparison.Ordinal) ? " (an HTTP answer: plain HTTP on this port?)" : "";
            return new HelloResponse(HelloOutcome.Malformed, Error: $"not TLS: first bytes {Convert.ToHexString(head)}{hint}", ErrorKind: ProbeErrorKind.Malformed);
        }

        private async Task<HelloResponse> ReadTlsAsync(CancellationToken ct)
        {
            var reassembler = new HandshakeReassembler();
            ServerHello? serverHello = null;
            var certs = ImmutableArray<byte[]>.Empty;
            int? dhBits = null;
            NamedGroup? group = null;
            while (true)
            {
                var status = TlsRecordReader.TryRead(_buffer.AsSpan(0, _filled), out var record, out var consumed, out var werr);
                if (status == WireStatus.NeedMoreData)
                {
                    if (!await FillAsync(ct).ConfigureAwait(false))
                        return Done(serverHello, certs, dhBits, group, null, false)
                               ?? new HelloResponse(HelloOutcome.Closed, Error: "connection closed without an answer", ErrorKind: ProbeErrorKind.Closed);
                    continue;
                }
                if (status == WireStatus.Malformed) return MalformedAfter(serverHello, certs, dhBits, group, werr);
                Consume(consumed);

                switch (record.Type)
                {
                    case ContentType.Alert:
                        if (AlertReader.TryRead(record.Fragment.Span, out var alert, out var aerr) != WireStatus.Done)
                            return MalformedAfter(serverHello, certs, dhBits, group, aerr);
                        if (serverHello is null) return new HelloResponse(HelloOutcome.Alert, Alert: alert, Error: $"server sent {alert}");
                        return Done(serverHello, certs, dhBits, group, alert, false)!;
                    case ContentType.Handshake:
                        var st = reassembler.Add(record.Fragment.Span, out var herr);
                        if (st == WireStatus.Malformed) return MalformedAfter(serverHello, certs, dhBits, group, herr);
                        while (reassembler.TryTake(out var msg))
                        {
                            switch (msg.Type)
                            {
                                case HandshakeType.ServerHello when serverHello is null:
                                    if (ServerHelloReader.TryRead(msg.Body.Span, out var sh, out var serr) != WireStatus.Done)
                                        return MalformedAfter(null, certs, dhBits, group, serr);
                                    serverHello = sh;
                                    if (sh.IsHelloRetryRequest || sh.SelectedVersion >= 0x0304)
                                    {
                                        // Everything after a TLS 1.3 ServerHello is encrypted; the choice is all we can read.
                                        if (sh.KeyShareGroup is { } g) group = NamedGroups.Get(g);
                                        return Done(serverHello, certs, dhBits, group, null, false)!;
                                    }
                                    Partial = Done(serverHello, certs, dhBits, group, null, false);
                                    break;
                                case HandshakeType.Certificate when serverHello is not null:
                                    if (CertificateReader.TryRead(msg.Body.Span, false, out var chain, out var cerr) != WireStatus.Done)
                                        return MalformedAfter(serverHello, certs, dhBits, group, cerr);
                                    certs = chain.Select(c => c.ToArray()).ToImmutableArray();
                                    Partial = Done(serverHello, certs, dhBits, group, null, false);
                                    break;
                                case HandshakeType.ServerKeyExchange when serverHello is not null:
                                    ReadKeyExchange(serverHello, msg.Body.Span, ref dhBits, ref group);
                                    Partial = Done(serverHello, certs, dhBits, group, null, false);
                                    break;
                                case HandshakeType.ServerHelloDone when serverHello is not null:
                                    return Done(serverHello, certs, dhBits, group, null, true)!;
                                case HandshakeType.ServerHello:
                                    return MalformedAfter(serverHello, certs, dhBits, group, new WireError(0, "ServerHello", "second ServerHello in one flight"));
                                default:
                                    if (serverHello is null)
                                        return MalformedAfter(null, certs, dhBits, group, new WireError(0, "Handshake.msg_type", $"{msg.Type} before ServerHello"));
                                    break; // CertificateRequest, CertificateStatus: nothing we need
                            }
                        }
                        break;
                    case ContentType.ChangeCipherSpec when serverHello is not null:
                        // Session resumption or TLS 1.3 middlebox compatibility: the plaintext part is over.
                        return Done(serverHello, certs, dhBits, group, null, false)!;
                    default:
                        return MalformedAfter(serverHello, certs, dhBits, group, new WireError(0, "TLSPlaintext.type", $"unexpected {record.Type} record"));
                }
            }
        }

        private static void ReadKeyExchange(ServerHello hello, ReadOnlySpan<byte> body, ref int? dhBits, ref NamedGroup? group)
        {
            var suite = CipherSuites.Get(hello.CipherSuite);
            var signed = hello.SelectedVersion >= 0x0303 && suite.Authentication is not (Authentication.Anonymous or Authentication.Null or Authentication.PSK);
            if (suite.KeyExchange.IsFiniteFieldDh())
            {
                if (ServerKeyExchangeReader.TryReadDhe(body, signed, out var dh, out _) == WireStatus.Done) dhBits = dh.PrimeBits;
            }
            else if (suite.KeyExchange.IsEllipticCurve())
            {
                if (ServerKeyExchangeReader.TryReadEcdhe(body, signed, out var ec, out _) == WireStatus.Done && ec.CurveType == 3)
                    group = NamedGroups.Get(ec.NamedCurve);
            }
        }

        private static HelloResponse? Done(ServerHello? hello, ImmutableArray<byte[]> certs, int? dhBits, NamedGroup? group, TlsAlert? alertAfter, bool sawDone)
        {
            if (hello is null) return null;
            return new HelloResponse(
                HelloOutcome.ServerHello,
                Version: (TlsVersion)hello.SelectedVersion,
                CipherSuite: hello.CipherSuite,
                HelloRetry: hello.IsHelloRetryRequest,
                Group: group,
                DhBits: dhBits,
                RenegotiationInfo: hello.HasRenegotiationInfo,
                ExtendedMasterSecret: hello.ExtendedMasterSecret,
                Certificates: certs,
                AlertAfterHello: alertAfter,
                SawServerHelloDone: sawDone);
        }

        private HelloResponse MalformedAfter(ServerHello? hello, ImmutableArray<byte[]> certs, int? dhBits, NamedGroup? group, WireError error)
        {
            var text = $"malformed TLS from server: {error.Field} at offset {error.Offset}: {error.Reason}";
            // What was understood before the damage still tells the server's choice.
            if (hello is not null) return Done(hello, certs, dhBits, group, null, false)! with { Error = text };
            return new HelloResponse(HelloOutcome.Malformed, Error: text, ErrorKind: ProbeErrorKind.Malformed);
        }

        private async Task<HelloResponse> ReadSslv2Async(CancellationToken ct)
        {
            while (true)
            {
                var span = _buffer.AsSpan(0, _filled);
                var length = ((span[0] & 0x7f) << 8) | span[1];
                if (_filled >= 2 + length)
                {
                    if (Sslv2ServerHelloReader.TryRead(span.Slice(2, length), out var h, out var err) != WireStatus.Done)
                    {
                        if (span[2] == Sslv2.MsgError)
                            return new HelloResponse(HelloOutcome.Alert, Version: TlsVersion.SSLv2, Error: "SSLv2 ERROR message");
                        return new HelloResponse(HelloOutcome.Malformed, Error: $"malformed SSLv2 SERVER-HELLO: {err.Field}: {err.Reason}", ErrorKind: ProbeErrorKind.Malformed);
                    }
                    return new HelloResponse(
                        HelloOutcome.ServerHello,
                        Version: TlsVersion.SSLv2,
                        Certificates: h.Certificate.IsEmpty ? [] : [h.Certificate.ToArray()],
                        Sslv2CipherKinds: h.CipherKinds);
                }
                if (!await FillAsync(ct).ConfigureAwait(false))
                    return new HelloResponse(HelloOutcome.Closed, Error: "connection closed inside an SSLv2 message", ErrorKind: ProbeErrorKind.Closed);
            }
        }
    }
}
