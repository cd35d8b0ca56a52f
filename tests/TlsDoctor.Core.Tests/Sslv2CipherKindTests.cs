using TlsDoctor.Core;

namespace TlsDoctor.Core.Tests;

public class Sslv2CipherKindTests
{
    [Theory]
    [InlineData(0x010080, "SSL_CK_RC4_128_WITH_MD5", 128, false)]
    [InlineData(0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5", 40, true)]
    [InlineData(0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5", 128, false)]
    [InlineData(0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5", 40, true)]
    [InlineData(0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5", 128, false)]
    [InlineData(0x060040, "SSL_CK_DES_64_CBC_WITH_MD5", 56, false)]
    [InlineData(0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", 112, false)]
    [InlineData(0x080080, "SSL_CK_RC4_64_WITH_MD5", 64, false)]
    public void Draft_kinds_have_their_names_and_bits(int code, string name, int bits, bool export)
    {
        var k = Sslv2CipherKinds.Get(code);
        Assert.True(k.Known);
        Assert.Equal(name, k.Name);
        Assert.Equal(bits, k.Bits);
        Assert.Equal(export, k.Export);
        Assert.Same(k, Sslv2CipherKinds.Get([(byte)(code >> 16), (byte)(code >> 8), (byte)code]));
        Assert.True(Sslv2CipherKinds.TryParse(name.ToLowerInvariant(), out var byName));
        Assert.Same(k, byName);
        Assert.True(Sslv2CipherKinds.TryParse(k.Hex, out var byHex));
        Assert.Same(k, byHex);
    }

    [Fact]
    public void Registry_is_ordered_and_unique()
    {
        Assert.Equal(13, Sslv2CipherKinds.All.Count);
        Assert.Equal(Sslv2CipherKinds.All.Select(k => k.Code).Order(), Sslv2CipherKinds.All.Select(k => k.Code));
        Assert.Equal(13, Sslv2CipherKinds.All.Select(k => k.Name).Distinct().Count());
    }

    [Fact]
    public void Unknown_kinds_print_as_six_hex_digits()
    {
        var k = Sslv2CipherKinds.Get(0x0A0B0C);
        Assert.False(k.Known);
        Assert.Equal("0x0a0b0c", k.Name);
        Assert.Equal(0, k.Bits);
        Assert.False(Sslv2CipherKinds.IsKnown(0x0A0B0C));
        Assert.Throws<ArgumentException>(() => Sslv2CipherKinds.Get([1, 0]));
        Assert.False(Sslv2CipherKinds.TryParse("0x1000000", out _));
    }
}
