using System.Buffers;
using TlsDoctor.Wire;

namespace TlsDoctor.Wire.Tests;

/// <summary>Every Wire parser behind one signature, so fuzz and prefix tests can run them all.</summary>
internal static class Parsers
{
    public delegate WireStatus Parse(ReadOnlySpan<byte> input);

    public static readonly (string Name, Parse Run)[] All =
    [
        ("TlsRecordReader.TryRead", static b =>
        {
            var s = TlsRecordReader.TryRead(b, out var rec, out var consumed, out _);
            if (s == WireStatus.Done) Assert.Equal(5 + rec.Fragment.Length, consumed);
            else Assert.Equal(0, consumed);
            return s;
        }),
        ("TlsRecordReader.PeekFraming", static b => TlsRecordReader.PeekFraming(b) == RecordFraming.NeedMoreData ? WireStatus.NeedMoreData : WireStatus.Done),
        ("HandshakeReader.TryRead", static b => HandshakeReader.TryRead(b, out _, out _, out _)),
        ("HandshakeReassembler.Add", static b =>
        {
            var r = new HandshakeReassembler(4096);
            var half = b.Length / 2;
            var s = r.Add(b[..half], out _);
            if (s != WireStatus.Malformed) s = r.Add(b[half..], out _);
            while (r.TryTake(out var m)) Touch(m.Type, m.Body.Length);
            return s;
        }),
        ("ClientHelloReader", static b =>
        {
            var s = ClientHelloReader.TryRead(b, out var h, out _);
            if (s == WireStatus.Done)
                Touch(h.ServerName, h.SupportedGroups, h.SignatureAlgorithms, h.SignatureAlgorithmsCert, h.SupportedVersions,
                      h.EcPointFormats, h.Alpn, h.KeyShares, h.HasRenegotiationInfo, h.ExtendedMasterSecret, h.PaddingLength);
            return s;
        }),
        ("ServerHelloReader", static b =>
        {
            var s = ServerHelloReader.TryRead(b, out var h, out _);
            if (s == WireStatus.Done)
                Touch(h.IsHelloRetryRequest, h.SelectedVersion, h.KeyShareGroup, h.KeyShareKeyExchange, h.HasRenegotiationInfo,
                      h.ExtendedMasterSecret, h.DowngradeSentinel);
            return s;
        }),
        ("CertificateReader(tls12)", static b => CertificateReader.TryRead(b, false, out _, out _)),
        ("CertificateReader(tls13)", static b => CertificateReader.TryRead(b, true, out _, out _)),
        ("ServerKeyExchangeReader.TryReadDhe(tls12)", static b => Dhe(b, true)),
        ("ServerKeyExchangeReader.TryReadDhe(tls10)", static b => Dhe(b, false)),
        ("ServerKeyExchangeReader.TryReadEcdhe(tls12)", static b => ServerKeyExchangeReader.TryReadEcdhe(b, true, out _, out _)),
        ("ServerKeyExchangeReader.TryReadEcdhe(tls10)", static b => ServerKeyExchangeReader.TryReadEcdhe(b, false, out _, out _)),
        ("CertificateRequestReader(tls12)", static b => CertificateRequestReader.TryRead(b, true, out _, out _)),
        ("CertificateRequestReader(tls10)", static b => CertificateRequestReader.TryRead(b, false, out _, out _)),
        ("ServerHelloDoneReader", static b => ServerHelloDoneReader.TryRead(b, out _)),
        ("AlertReader", static b =>
        {
            var s = AlertReader.TryRead(b, out var a, out _);
            if (s == WireStatus.Done) Touch(a.ToString());
            return s;
        }),
        ("Sslv2.TryReadRecord", static b => Sslv2.TryReadRecord(b, out _, out _, out _)),
        ("Sslv2.TryReadError", static b => Sslv2.TryReadError(b, out _, out _)),
        ("Sslv2ServerHelloReader", static b => Sslv2ServerHelloReader.TryRead(b, out _, out _)),
        ("Sslv2ClientHelloReader", static b => Sslv2ClientHelloReader.TryRead(b, out _, out _)),
    ];

    private static WireStatus Dhe(ReadOnlySpan<byte> b, bool tls12)
    {
        var s = ServerKeyExchangeReader.TryReadDhe(b, tls12, out var p, out _);
        if (s == WireStatus.Done) Touch(p.PrimeBits, p.PrimeLeadingZeroBytes);
        return s;
    }

    // Reading the derived properties is part of "never throws".
    private static void Touch(params object?[] _) { }

    /// <summary>Every valid fixture, in the form the parser that owns it expects.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> ValidFixtures()
    {
        yield return ("rfc8448-client-hello-handshake", Fixtures.Rfc8448ClientHello);
        yield return ("rfc8448-client-hello-body", Fixtures.Body(Fixtures.Rfc8448ClientHello));
        yield return ("rfc8448-server-hello-body", Fixtures.Body(Fixtures.Rfc8448ServerHello));
        yield return ("tls10-server-hello-body", Fixtures.Body(Fixtures.Tls10ServerHelloNoExtensions));
        yield return ("hrr-body", Fixtures.Body(Fixtures.HelloRetryRequest));
        yield return ("record", ClientHelloBuilder.BuildRecord(Fixtures.Tls12Spec()));
        yield return ("client-hello-body-tls12", Fixtures.Body(ClientHelloBuilder.BuildHandshake(Fixtures.Tls12Spec())));
        yield return ("client-hello-body-tls13", Fixtures.Body(ClientHelloBuilder.BuildHandshake(Fixtures.Tls13Spec())));
        yield return ("dhe-tls12", Fixtures.DheServerKeyExchangeBody());
        yield return ("dhe-tls10", Fixtures.DheServerKeyExchangeBody(tls12: false));
        yield return ("ecdhe-tls12", Fixtures.EcdheServerKeyExchangeBody());
        yield return ("ecdhe-explicit", Fixtures.EcdheExplicitPrimeBody());
        yield return ("certificate-tls12", Fixtures.CertificateBody(false));
        yield return ("certificate-tls13", Fixtures.CertificateBody(true));
        yield return ("certificate-request", Fixtures.CertificateRequestBody(true));
        yield return ("alert", [2, 40]);
        yield return ("sslv2-server-hello", Fixtures.Sslv2ServerHelloMessage());
        yield return ("sslv2-client-hello", Sslv2.BuildClientHello([0x010080, 0x0700C0], new byte[16]));
    }
}
