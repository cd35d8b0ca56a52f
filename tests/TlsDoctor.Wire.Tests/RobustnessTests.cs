using TlsDoctor.Wire;
using static TlsDoctor.Wire.Tests.Fixtures;

namespace TlsDoctor.Wire.Tests;

public class RobustnessTests
{
    public static IEnumerable<object[]> ParserNames() => Parsers.All.Select(p => new object[] { p.Name });

    private static Parsers.Parse Get(string name) => Parsers.All.Single(p => p.Name == name).Run;

    [Fact]
    public void Every_valid_fixture_is_accepted_by_its_parser()
    {
        (string Parser, byte[] Bytes)[] cases =
        [
            ("HandshakeReader.TryRead", Rfc8448ClientHello),
            ("ClientHelloReader", Body(Rfc8448ClientHello)),
            ("ServerHelloReader", Body(Rfc8448ServerHello)),
            ("ServerHelloReader", Body(Tls10ServerHelloNoExtensions)),
            ("ServerHelloReader", Body(HelloRetryRequest)),
            ("TlsRecordReader.TryRead", ClientHelloBuilder.BuildRecord(Tls12Spec())),
            ("ServerKeyExchangeReader.TryReadDhe(tls12)", DheServerKeyExchangeBody()),
            ("ServerKeyExchangeReader.TryReadEcdhe(tls12)", EcdheServerKeyExchangeBody()),
            ("CertificateReader(tls13)", CertificateBody(true)),
            ("CertificateRequestReader(tls12)", CertificateRequestBody(true)),
            ("Sslv2ServerHelloReader", Sslv2ServerHelloMessage()),
        ];
        foreach (var (parser, bytes) in cases) Assert.Equal(WireStatus.Done, Get(parser)(bytes));
    }

    /// <summary>Framed input (records, handshake messages): every strict prefix means "wait for more".</summary>
    [Fact]
    public void Every_prefix_of_framed_input_needs_more_data()
    {
        (string Parser, byte[] Bytes)[] framed =
        [
            ("TlsRecordReader.TryRead", ClientHelloBuilder.BuildRecord(Tls12Spec())),
            ("TlsRecordReader.TryRead", ClientHelloBuilder.BuildRecord(Tls13Spec() with { PadToLength = 512 })),
            ("TlsRecordReader.TryRead", AlertWriter.ToRecord(0x0301, Core.AlertLevel.Fatal, Core.AlertDescription.ProtocolVersion)),
            ("HandshakeReader.TryRead", Rfc8448ClientHello),
            ("HandshakeReader.TryRead", Rfc8448ServerHello),
            ("HandshakeReader.TryRead", Tls10ServerHelloNoExtensions),
            ("HandshakeReassembler.Add", Rfc8448ServerHello),
            ("Sslv2.TryReadRecord", Sslv2.BuildClientHello([0x010080], new byte[16])),
            ("AlertReader", [2, 70]),
        ];
        foreach (var (parser, bytes) in framed)
            // An empty Add leaves the reassembler with nothing incomplete, which is Done.
            for (var n = parser == "HandshakeReassembler.Add" ? 1 : 0; n < bytes.Length; n++)
                Assert.True(WireStatus.NeedMoreData == Get(parser)(bytes.AsSpan(0, n)), $"{parser} prefix {n}/{bytes.Length}");
    }

    /// <summary>Bodies: every prefix of every fixture through every parser never throws; the owning parser never says Done
    /// except where the shorter bytes are themselves a valid, shorter form.</summary>
    [Fact]
    public void Every_prefix_of_every_fixture_through_every_parser_never_throws()
    {
        var ownerOf = new Dictionary<string, string>
        {
            ["rfc8448-client-hello-body"] = "ClientHelloReader",
            ["client-hello-body-tls12"] = "ClientHelloReader",
            ["client-hello-body-tls13"] = "ClientHelloReader",
            ["rfc8448-server-hello-body"] = "ServerHelloReader",
            ["tls10-server-hello-body"] = "ServerHelloReader",
            ["hrr-body"] = "ServerHelloReader",
            ["dhe-tls12"] = "ServerKeyExchangeReader.TryReadDhe(tls12)",
            ["ecdhe-tls12"] = "ServerKeyExchangeReader.TryReadEcdhe(tls12)",
            ["certificate-tls12"] = "CertificateReader(tls12)",
            ["certificate-tls13"] = "CertificateReader(tls13)",
            ["certificate-request"] = "CertificateRequestReader(tls12)",
            ["sslv2-server-hello"] = "Sslv2ServerHelloReader",
        };
        // Legitimate shorter forms: a hello that ends after compression_methods (no extensions block),
        // and a ServerKeyExchange that ends after its params (anonymous DH / ECDH).
        int[] AllowedDone(string fixture, byte[] full) => fixture switch
        {
            "rfc8448-client-hello-body" or "client-hello-body-tls12" or "client-hello-body-tls13" => [EndOfCompression(full, client: true)],
            "rfc8448-server-hello-body" or "hrr-body" => [2 + 32 + 1 + full[34] + 3],
            "dhe-tls12" => [full.Length - 2 - 2 - 256],
            "ecdhe-tls12" => [full.Length - 2 - 2 - 70],
            _ => [],
        };

        foreach (var (name, bytes) in Parsers.ValidFixtures())
            for (var n = 0; n < bytes.Length; n++)
                foreach (var (parser, run) in Parsers.All)
                {
                    var status = run(bytes.AsSpan(0, n));
                    Assert.True(Enum.IsDefined(status));
                    if (ownerOf.TryGetValue(name, out var owner) && owner == parser && status == WireStatus.Done)
                        Assert.True(AllowedDone(name, bytes).Contains(n), $"{parser} accepted a {n}-byte prefix of {name} ({bytes.Length} bytes)");
                }
    }

    private static int EndOfCompression(byte[] body, bool client)
    {
        var p = 2 + 32;
        p += 1 + body[p];
        p += 2 + ((body[p] << 8) | body[p + 1]);
        return p + 1 + body[p];
    }

    public static IEnumerable<object[]> MalformedCases()
    {
        byte[] Patch(byte[] b, int at, params byte[] v) { var c = (byte[])b.Clone(); v.CopyTo(c, at); return c; }
        var ch = Body(Rfc8448ClientHello);
        var sh = Body(Rfc8448ServerHello);
        var sh10 = Body(Tls10ServerHelloNoExtensions);
        var dhe = DheServerKeyExchangeBody();

        // label, parser, bytes, expected field (substring), expected offset (-1 = don't check)
        yield return ["ClientHello cipher_suites length off by one (odd)", "ClientHelloReader", Patch(ch, 35, 0x00, 0x07), "ClientHello.cipher_suites", 35];
        yield return ["ClientHello cipher_suites length absurd", "ClientHelloReader", Patch(ch, 35, 0xff, 0xfe), "ClientHello.cipher_suites", 35];
        yield return ["ClientHello session id 33 bytes", "ClientHelloReader", Patch(ch, 34, 0x21), "ClientHello.legacy_session_id", 34];
        yield return ["ClientHello extensions length off by one (+1)", "ClientHelloReader", Patch(ch, 45, 0x00, 0x92), "ClientHello.extensions", 45];
        yield return ["ClientHello extensions length off by one (-1)", "ClientHelloReader", Patch(ch, 45, 0x00, 0x90), "ClientHello.extensions", -1];
        yield return ["ClientHello trailing byte", "ClientHelloReader", (byte[])[.. ch, 0x00], "ClientHello", ch.Length];
        yield return ["ClientHello server_name list length off by one", "ClientHelloReader", Patch(ch, 51, 0x00, 0x0a), "ClientHello.extensions.server_name", -1];
        yield return ["ClientHello duplicate extension", "ClientHelloReader", Patch(ch, 62, 0x00, 0x00), "ClientHello.extensions.extension_type", 62];
        yield return ["ClientHello empty compression list", "ClientHelloReader", Patch(ch, 43, 0x00), "ClientHello.legacy_compression_methods", -1];
        yield return ["ServerHello extensions length off by one", "ServerHelloReader", Patch(sh, 38, 0x00, 0x2f), "ServerHello.extensions", 38];
        yield return ["ServerHello trailing byte after extensions", "ServerHelloReader", (byte[])[.. sh, 0x00], "ServerHello", sh.Length];
        yield return ["ServerHello supported_versions 3 bytes", "ServerHelloReader", (byte[])[.. sh10, 0x00, 0x07, 0x00, 0x2b, 0x00, 0x03, 0x03, 0x04, 0x00], "supported_versions", sh10.Length + 2 + 4 + 2];
        yield return ["TLS 1.0 ServerHello with one stray byte", "ServerHelloReader", (byte[])[.. sh10, 0x00], "ServerHello.extensions", -1];
        yield return ["ServerHello session id 255 bytes", "ServerHelloReader", Patch(sh10, 34, 0xff), "ServerHello.legacy_session_id_echo", 34];
        yield return ["DHE p length absurd", "ServerKeyExchangeReader.TryReadDhe(tls12)", Patch(dhe, 0, 0xff, 0xff), "ServerDHParams.dh_p", 0];
        yield return ["DHE empty g", "ServerKeyExchangeReader.TryReadDhe(tls12)", (byte[])[0, 1, 0xfb, 0, 0, 0, 1, 5], "ServerDHParams.dh_g", 3];
        yield return ["DHE signature length off by one", "ServerKeyExchangeReader.TryReadDhe(tls12)", Patch(dhe, dhe.Length - 258, 0x01, 0x01), "digitally-signed.signature", -1];
        yield return ["DHE trailing byte", "ServerKeyExchangeReader.TryReadDhe(tls12)", (byte[])[.. dhe, 0x00], "ServerKeyExchange", dhe.Length];
        yield return ["ECDHE unknown curve type", "ServerKeyExchangeReader.TryReadEcdhe(tls12)", Patch(EcdheServerKeyExchangeBody(), 0, 0x07), "ECParameters.curve_type", 0];
        yield return ["Certificate list length off by one", "CertificateReader(tls12)", Patch(CertificateBody(false), 2, (byte)(CertificateBody(false)[2] + 1)), "Certificate.certificate_list", 0];
        yield return ["Certificate empty cert", "CertificateReader(tls12)", (byte[])[0, 0, 3, 0, 0, 0], "cert_data", 3];
        yield return ["CertificateRequest no types", "CertificateRequestReader(tls10)", (byte[])[0, 0, 0], "certificate_types", 0];
        yield return ["CertificateRequest odd sigalgs", "CertificateRequestReader(tls12)", (byte[])[1, 1, 0, 3, 4, 1, 4, 0, 0], "supported_signature_algorithms", -1];
        yield return ["SSLv2 ServerHello cipher specs not a multiple of 3", "Sslv2ServerHelloReader", Patch(Sslv2ServerHelloMessage(), 7, 0x00, 0x05), "cipher_specs_length", 7];
        yield return ["SSLv2 record with three-byte header", "Sslv2.TryReadRecord", (byte[])[0x00, 0x03, 0x00, 1, 2, 3], "SSLv2.record_header", 0];
        yield return ["Handshake length 16 MiB over the limit", "HandshakeReader.TryRead", (byte[])[0x0b, 0xff, 0xff, 0xff], "Handshake.length", 1];
    }

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public void Labelled_malformed_fixture(string label, string parser, byte[] bytes, string field, int offset)
    {
        _ = label;
        var (status, error) = RunWithError(parser, bytes);
        Assert.Equal(WireStatus.Malformed, status);
        Assert.Contains(field, error.Field);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
        if (offset >= 0) Assert.Equal(offset, error.Offset);
    }

    private static (WireStatus, WireError) RunWithError(string parser, byte[] b)
    {
        WireError e;
        var s = parser switch
        {
            "ClientHelloReader" => ClientHelloReader.TryRead(b, out _, out e),
            "ServerHelloReader" => ServerHelloReader.TryRead(b, out _, out e),
            "ServerKeyExchangeReader.TryReadDhe(tls12)" => ServerKeyExchangeReader.TryReadDhe(b, true, out _, out e),
            "ServerKeyExchangeReader.TryReadEcdhe(tls12)" => ServerKeyExchangeReader.TryReadEcdhe(b, true, out _, out e),
            "CertificateReader(tls12)" => CertificateReader.TryRead(b, false, out _, out e),
            "CertificateRequestReader(tls10)" => CertificateRequestReader.TryRead(b, false, out _, out e),
            "CertificateRequestReader(tls12)" => CertificateRequestReader.TryRead(b, true, out _, out e),
            "Sslv2ServerHelloReader" => Sslv2ServerHelloReader.TryRead(b, out _, out e),
            "Sslv2.TryReadRecord" => Sslv2.TryReadRecord(b, out _, out _, out e),
            "HandshakeReader.TryRead" => HandshakeReader.TryRead(b, out _, out _, out e),
            _ => throw new ArgumentException(parser),
        };
        return (s, e);
    }

    /// <summary>≥ 100,000 random and mutated inputs, each through every parser: only WireStatus values come out.</summary>
    [Fact]
    public void Fuzz_every_parser_with_random_and_mutated_inputs()
    {
        var seeds = Parsers.ValidFixtures().Select(f => f.Bytes).ToArray();
        const int Chunks = 10, PerChunk = 11_000; // 110,000 inputs, each through every parser
        var counts = new int[3];
        // One fixed seed per chunk keeps the run reproducible while using all cores.
        Parallel.For(0, Chunks, chunk =>
        {
            var rng = new Random(20240611 + chunk);
            for (var j = 0; j < PerChunk; j++)
            {
                var i = chunk * PerChunk + j;
                var input = Mutate(rng, seeds, i);
                foreach (var (name, run) in Parsers.All)
                {
                    WireStatus s;
                    try { s = run(input); }
                    catch (Exception ex) { throw new Xunit.Sdk.XunitException($"{name} threw on input #{i} {Convert.ToHexString(input)}: {ex}"); }
                    if (!Enum.IsDefined(s)) throw new Xunit.Sdk.XunitException($"{name} returned {(int)s} on input #{i}");
                    Interlocked.Increment(ref counts[(int)s]);
                }
            }
        });
        // The mutations must reach every outcome, or the fuzz is only exercising the first byte.
        Assert.All(Enum.GetValues<WireStatus>(), s => Assert.True(counts[(int)s] > 1000, $"{s}: {counts[(int)s]}"));
    }

    private static byte[] Mutate(Random rng, byte[][] seeds, int i)
    {
        if (i % 10 == 0)
        {
            var random = new byte[rng.Next(0, 80)];
            rng.NextBytes(random);
            return random;
        }
        var b = (byte[])seeds[rng.Next(seeds.Length)].Clone();
        if (b.Length == 0) return b;
        switch (rng.Next(5))
        {
            case 0: // bit flips
                for (var k = rng.Next(1, 4); k > 0; k--) b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                return b;
            case 1: // truncation
                return b[..rng.Next(b.Length)];
            case 2: // length-field corruption: nudge or blow up a byte pair
            {
                var at = rng.Next(b.Length);
                b[at] = rng.Next(3) switch { 0 => (byte)(b[at] + 1), 1 => (byte)(b[at] - 1), _ => 0xff };
                if (at + 1 < b.Length && rng.Next(2) == 0) b[at + 1] = (byte)rng.Next(256);
                return b;
            }
            case 3: // append junk
            {
                var extra = new byte[rng.Next(1, 8)];
                rng.NextBytes(extra);
                return [.. b, .. extra];
            }
            default: // splice: random span overwritten
            {
                var at = rng.Next(b.Length);
                var len = Math.Min(b.Length - at, rng.Next(1, 16));
                rng.NextBytes(b.AsSpan(at, len));
                return b;
            }
        }
    }
}
