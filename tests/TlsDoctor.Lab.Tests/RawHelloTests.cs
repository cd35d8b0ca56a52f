using static TlsDoctor.Lab.LabProfiles;

namespace TlsDoctor.Lab.Tests;

/// <summary>The lab's TLS servers as clients no TLS library sends see them: hand-built hellos from <see cref="RawTls"/>.</summary>
[Collection("lab")]
public sealed class RawHelloTests(LabFixture lab)
{
    [Fact]
    public async Task A_legacy_client_without_rfc5746_signalling_gets_a_server_hello()
    {
        // RawTls's hello carries neither renegotiation_info nor the SCSV, as pre-2010 clients and nmap's
        // ssl-enum-ciphers send it; BouncyCastle's default refuses it with handshake_failure, firmware does not.
        using var socket = await RawTls.ConnectAndHelloAsync(lab.Endpoint(PaymentSha512));
        var (bytes, _) = await RawTls.ReadAllAsync(socket, TimeSpan.FromSeconds(5));
        Assert.True(bytes.Length > 9, $"{bytes.Length} bytes");
        Assert.Equal((byte)22, bytes[0]); // handshake record, not an alert
        Assert.Equal((byte)2, bytes[5]); // ServerHello
    }
}
