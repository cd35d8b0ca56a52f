using System.Collections.Immutable;
using TlsDoctor.Wire;
using static TlsDoctor.Wire.Tests.Fixtures;

namespace TlsDoctor.Wire.Tests;

public class BuilderTests
{
    private static ClientHello Parse(ClientHelloSpec spec)
    {
        var hs = ClientHelloBuilder.BuildHandshake(spec);
        Assert.Equal(WireStatus.Done, HandshakeReader.TryRead(hs, out var msg, out var consumed, out _));
        Assert.Equal(hs.Length, consumed);
        Assert.Equal(HandshakeType.ClientHello, msg.Type);
        var status = ClientHelloReader.TryRead(msg.Body.Span, out var hello, out var e);
        Assert.True(status == WireStatus.Done, e.ToString());
        return hello;
    }

    /// <summary>Deterministic spread of specs: every option on and off in varied combinations.</summary>
    public static IEnumerable<object[]> Specs()
    {
        var rng = new Random(8446);
        ushort[] suitePool = [0x0004, 0x000A, 0x002F, 0x0033, 0x0035, 0x009E, 0xC013, 0xC02F, 0xC030, 0x1301, 0x1302, 0x00FF, 0x5600];
        ushort[] groupPool = [0x001D, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101];
        ushort[] schemePool = [0x0401, 0x0403, 0x0804, 0x0201, 0x0203, 0x0501];
        for (var i = 0; i < 60; i++)
        {
            ImmutableArray<ushort> Pick(ushort[] pool) => [.. pool.Where(_ => rng.Next(2) == 0).DefaultIfEmpty(pool[0])];
            bool Flip() => rng.Next(2) == 0;
            var spec = new ClientHelloSpec
            {
                LegacyVersion = (ushort)(0x0300 + rng.Next(0, 4)),
                CipherSuites = Pick(suitePool),
                CompressionMethods = Flip() ? [0] : [1, 0],
                ServerName = Flip() ? $"host{i}.example" : null,
                SupportedGroups = Flip() ? Pick(groupPool) : null,
                EcPointFormats = Flip(),
                SignatureAlgorithms = Flip() ? Pick(schemePool) : null,
                SupportedVersions = Flip() ? [0x0304, 0x0303] : null,
                KeyShares = rng.Next(3) switch
                {
                    0 => null,
                    1 => [],
                    _ => [new KeyShareEntry(0x001D, Enumerable.Range(0, 32).Select(b => (byte)(b + i)).ToArray())],
                },
                RenegotiationInfo = Flip(),
                ExtendedMasterSecret = Flip(),
                SessionTicket = Flip(),
                NoExtensions = rng.Next(6) == 0,
                SessionId = Flip() ? Enumerable.Range(0, rng.Next(0, 33)).Select(b => (byte)b).ToArray() : (ReadOnlyMemory<byte>?)null,
                Random = Flip() ? Enumerable.Range(0, 32).Select(b => (byte)(b * i + 1)).ToArray() : (ReadOnlyMemory<byte>?)null,
                ExtraExtensions = Flip() ? [HelloExtensions.Alpn("http/1.1", "h2")] : [],
                PadToLength = rng.Next(4) == 0 ? rng.Next(100, 700) : null,
            };
            yield return [i, spec];
        }
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Builder_output_parses_back_to_the_spec(int index, ClientHelloSpec spec)
    {
        _ = index;
        var h = Parse(spec);
        Assert.Equal(spec.LegacyVersion, h.LegacyVersion);
        Assert.Equal((spec.Random ?? ClientHelloBuilder.DefaultRandom).ToArray(), h.Random.ToArray());
        Assert.Equal((spec.SessionId ?? ReadOnlyMemory<byte>.Empty).ToArray(), h.SessionId.ToArray());
        Assert.Equal(spec.CipherSuites.A(), h.CipherSuites.A());
        Assert.Equal(spec.CompressionMethods.A(), h.CompressionMethods.A());
        if (spec.NoExtensions)
        {
            Assert.False(h.HasExtensionsBlock);
            Assert.Empty(h.Extensions);
            return;
        }
        Assert.True(h.HasExtensionsBlock);
        Assert.Equal(spec.ServerName, h.ServerName);
        Assert.Equal(spec.SupportedGroups.A(), h.SupportedGroups.A());
        Assert.Equal(spec.SignatureAlgorithms.A(), h.SignatureAlgorithms.A());
        Assert.Equal(spec.SupportedVersions.A(), h.SupportedVersions.A());
        Assert.Equal(spec.EcPointFormats ? [(byte)0] : null, h.EcPointFormats.A());
        Assert.Equal(spec.RenegotiationInfo, h.HasRenegotiationInfo);
        Assert.Equal(spec.ExtendedMasterSecret, h.ExtendedMasterSecret);
        Assert.Equal(spec.SessionTicket, h.SessionTicket);
        Assert.Equal(spec.KeyShares?.Length, h.KeyShares?.Length);
        if (spec.KeyShares is { Length: > 0 } ks)
            Assert.Equal(ks[0].KeyExchange.ToArray(), h.KeyShares!.Value[0].KeyExchange.ToArray());
        Assert.Equal(spec.ExtraExtensions.IsEmpty ? null : ["http/1.1", "h2"], h.Alpn.A());
        if (spec.PadToLength is { } target)
            Assert.True(ClientHelloBuilder.MeasureHandshake(spec) >= target);
    }

    [Fact]
    public void Record_version_defaults_follow_the_hello_version()
    {
        Assert.Equal(0x0301, new ClientHelloSpec().RecordVersion);
        Assert.Equal(0x0300, new ClientHelloSpec { LegacyVersion = 0x0300 }.RecordVersion);
        Assert.Equal(0x0303, new ClientHelloSpec { RecordVersion = 0x0303 }.RecordVersion);
        var rec = ClientHelloBuilder.BuildRecord(new ClientHelloSpec { LegacyVersion = 0x0300, CipherSuites = [0x000A], NoExtensions = true });
        Assert.Equal([0x16, 0x03, 0x00], rec[..3]);
    }

    [Fact]
    public void Default_random_has_no_zero_byte() =>
        Assert.DoesNotContain((byte)0, ClientHelloBuilder.DefaultRandom.ToArray());

    [Fact]
    public void NoExtensions_omits_the_block_even_with_options_set()
    {
        var spec = Tls12Spec() with { NoExtensions = true, PadToLength = 512 };
        var hs = ClientHelloBuilder.BuildHandshake(spec);
        // header 4 + version 2 + random 32 + sid 1 + suites 2+12 + compression 2
        Assert.Equal(4 + 2 + 32 + 1 + 14 + 2, hs.Length);
    }

    [Fact]
    public void Empty_key_share_list_is_an_empty_client_shares_vector()
    {
        var h = Parse(Tls13Spec());
        var ks = h.FindExtension(ExtensionType.KeyShare);
        Assert.NotNull(ks);
        Assert.Equal([0, 0], ks.Data.ToArray());
        Assert.Empty(h.KeyShares!.Value);
    }

    [Fact]
    public void Scsvs_are_plain_cipher_codes()
    {
        var h = Parse(new ClientHelloSpec { CipherSuites = [0x002F, 0x00FF, 0x5600] });
        Assert.Equal([0x002F, 0x00FF, 0x5600], h.CipherSuites.A());
    }

    [Theory]
    [InlineData(256)]
    [InlineData(300)]
    [InlineData(512)]
    [InlineData(517)]
    [InlineData(1024)]
    [InlineData(16500)]   // larger than one record: BuildRecord must split it
    public void Padding_reaches_exactly_the_requested_length(int target)
    {
        var spec = Tls12Spec() with { PadToLength = target };
        Assert.True(ClientHelloBuilder.MeasureHandshake(Tls12Spec()) + 4 <= target);
        var hs = ClientHelloBuilder.BuildHandshake(spec);
        Assert.Equal(target, hs.Length);
        Assert.Equal(target, ClientHelloBuilder.MeasureHandshake(spec));
        Assert.Equal(target - ClientHelloBuilder.MeasureHandshake(Tls12Spec()) - 4, Parse(spec).PaddingLength);
        var records = ClientHelloBuilder.BuildRecord(spec);
        Assert.Equal(target + 5 * ((target + 16383) / 16384), records.Length);
    }

    [Fact]
    public void Padding_sweep_every_target_around_the_natural_length()
    {
        var natural = ClientHelloBuilder.MeasureHandshake(Tls12Spec());
        for (var target = natural - 10; target <= natural + 300; target++)
        {
            var len = ClientHelloBuilder.MeasureHandshake(Tls12Spec() with { PadToLength = target });
            var expected = target <= natural ? natural          // already long enough: no padding
                : target - natural < 4 ? natural + 4            // the extension header alone overshoots
                : target;
            Assert.Equal(expected, len);
        }
    }

    [Fact]
    public void Padding_goes_before_pre_shared_key()
    {
        var psk = new RawExtension(ExtensionType.PreSharedKey, new byte[] { 0, 0, 0, 0 });
        var h = Parse(Tls13Spec() with { ExtraExtensions = [psk], PadToLength = 600 });
        Assert.Equal([(ushort)ExtensionType.Padding, (ushort)ExtensionType.PreSharedKey], h.Extensions.TakeLast(2).Select(e => e.Type));
    }

    [Fact]
    public void Impossible_specs_throw_argument_exceptions()
    {
        Assert.Throws<ArgumentException>(() => ClientHelloBuilder.BuildHandshake(new ClientHelloSpec { Random = new byte[31] }));
        Assert.Throws<ArgumentException>(() => ClientHelloBuilder.BuildHandshake(new ClientHelloSpec { SessionId = new byte[33] }));
        Assert.Throws<ArgumentException>(() => ClientHelloBuilder.BuildHandshake(new ClientHelloSpec { PadToLength = 70000 }));
        Assert.Throws<ArgumentException>(() => Sslv2.BuildClientHello([0x010080], new byte[8]));
    }
}
