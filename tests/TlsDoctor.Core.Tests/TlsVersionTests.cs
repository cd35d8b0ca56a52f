using TlsDoctor.Core;

namespace TlsDoctor.Core.Tests;

public class TlsVersionTests
{
    [Theory]
    [InlineData(TlsVersion.SSLv2, "SSLv2")]
    [InlineData(TlsVersion.SSLv3, "SSLv3")]
    [InlineData(TlsVersion.TLSv1_0, "TLSv1.0")]
    [InlineData(TlsVersion.TLSv1_2, "TLSv1.2")]
    [InlineData(TlsVersion.TLSv1_3, "TLSv1.3")]
    public void Name_round_trips_through_parse(TlsVersion v, string name)
    {
        Assert.Equal(name, v.Name());
        Assert.True(TlsVersions.TryParse(name, out var back));
        Assert.Equal(v, back);
    }

    [Theory]
    [InlineData("tls1.2", TlsVersion.TLSv1_2)]
    [InlineData("TLS 1.0", TlsVersion.TLSv1_0)]
    [InlineData("ssl3", TlsVersion.SSLv3)]
    public void Aliases_parse(string text, TlsVersion expected)
    {
        Assert.True(TlsVersions.TryParse(text, out var v));
        Assert.Equal(expected, v);
    }

    [Fact]
    public void Unknown_wire_value_prints_as_hex() => Assert.Equal("0x7f1c", ((TlsVersion)0x7f1c).Name());

    [Fact]
    public void Alert_names_follow_the_rfc()
    {
        Assert.Equal("bad_record_mac", AlertDescription.BadRecordMac.Name());
        Assert.Equal("alert_200", ((AlertDescription)200).Name());
        Assert.True(AlertNames.TryParse("protocol_version", out var a));
        Assert.Equal(AlertDescription.ProtocolVersion, a);
    }
}
