using TlsDoctor.Core;
using TlsDoctor.TestPeers;
using static TlsDoctor.Lab.LabProfiles;

namespace TlsDoctor.Lab.Tests;

/// <summary>Each server profile as `openssl s_client` (a peer we did not write) sees it.</summary>
[Collection("lab")]
public sealed class OpenSslPeerTests(LabFixture lab)
{
    private static readonly string[] LegacySuites = ["DHE-RSA-AES256-SHA", "DHE-RSA-AES128-SHA", "AES256-SHA", "AES128-SHA"];
    private static readonly string[] EcdheSuites = ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384"];

    private Task<OpenSslHandshake> Connect(string profile, TlsVersion version, IEnumerable<string> suites, bool shim = false) =>
        OpenSslClient.ConnectAsync(lab.Peers, lab.Endpoint(profile), version, suites, shim);

    // OpenSSL 3.0's s_client prints "New, TLSv1.2, Cipher is X" for a handshake that the server then aborts, so
    // its exit code is the reliable verdict.
    private static bool Ok(OpenSslHandshake r) => r.Succeeded && r.Process.ExitCode == 0;

    private static bool Failed(OpenSslHandshake r) => r.Process.ExitCode != 0;

    // The chain as -showcerts printed it, leaf first (parsed here from the PEM blocks of stdout).
    private static List<ReceivedCertificate> Chain(OpenSslHandshake r) =>
        System.Text.RegularExpressions.Regex.Matches(r.Process.StandardOutput, "-----BEGIN CERTIFICATE-----[\\s\\S]+?-----END CERTIFICATE-----")
            .Select(m =>
            {
                using var c = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(m.Value);
                return ReceivedCertificate.From(c);
            }).ToList();

    [Fact]
    public async Task WeakDh_serves_tls10_with_a_512_bit_dh_group_and_an_rsa1024_sha1_certificate()
    {
        var r = await Connect(MfdWeakDh, TlsVersion.TLSv1_0, LegacySuites, shim: true);
        Assert.True(Ok(r), r.ToString());
        Assert.Equal(TlsVersion.TLSv1_0, r.Version);
        Assert.Equal("DHE-RSA-AES256-SHA", r.CipherOpenSslName);
        Assert.Equal("DH, 512 bits", r.ServerTempKey);
        var leaf = Assert.Single(Chain(r));
        Assert.Equal(("RSA", 1024, "sha1WithRSAEncryption"), (leaf.KeyAlgorithm, leaf.KeyBits, leaf.SignatureAlgorithm));
    }

    [Fact]
    public async Task WeakDh_refuses_tls12_and_without_the_shim_openssl_refuses_its_dh()
    {
        var tls12 = await Connect(MfdWeakDh, TlsVersion.TLSv1_2, LegacySuites, shim: true);
        Assert.True(Failed(tls12), tls12.ToString());
        var noShim = await Connect(MfdWeakDh, TlsVersion.TLSv1_0, ["DHE-RSA-AES256-SHA"]);
        Assert.True(Failed(noShim), noShim.ToString());
        Assert.Contains("dh key too small", noShim.Process.Output);
    }

    [Fact]
    public async Task Tls12Only_refuses_tls11_and_completes_tls12_with_ecdhe()
    {
        var tls11 = await Connect(MfdTls12Only, TlsVersion.TLSv1_1, ["AES128-SHA", "ECDHE-RSA-AES128-SHA"]);
        Assert.True(Failed(tls11), tls11.ToString());
        Assert.Contains("protocol version", tls11.Process.Output);
        var tls12 = await Connect(MfdTls12Only, TlsVersion.TLSv1_2, ["AES128-GCM-SHA256", .. EcdheSuites]);
        Assert.True(Ok(tls12), tls12.ToString());
        Assert.StartsWith("ECDHE-RSA-", tls12.CipherOpenSslName);
        var leaf = Chain(tls12)[0];
        Assert.Equal((2048, "sha256WithRSAEncryption"), (leaf.KeyBits, leaf.SignatureAlgorithm));
    }

    [Fact]
    public async Task FakeTls12_fails_tls12_with_bad_record_mac_and_completes_tls10_and_tls11()
    {
        var tls12 = await Connect(MfdFakeTls12, TlsVersion.TLSv1_2, ["AES128-GCM-SHA256", "AES128-SHA"]);
        Assert.True(Failed(tls12), tls12.ToString());
        Assert.Contains("alert bad record mac", tls12.Process.Output);
        Assert.Contains("TLSv1.2", tls12.Process.Output); // the ServerHello did claim TLS 1.2
        foreach (var v in new[] { TlsVersion.TLSv1_0, TlsVersion.TLSv1_1 })
        {
            var ok = await Connect(MfdFakeTls12, v, ["AES128-SHA"]);
            Assert.True(Ok(ok), ok.ToString());
            Assert.Equal(v, ok.Version);
        }
    }

    [Fact]
    public async Task PaymentSha512_sends_a_two_certificate_chain_signed_with_sha512()
    {
        var r = await Connect(PaymentSha512, TlsVersion.TLSv1_2, EcdheSuites);
        Assert.True(Ok(r), r.ToString());
        var chain = Chain(r);
        Assert.Equal(2, chain.Count);
        Assert.All(chain, c => Assert.Equal("sha512WithRSAEncryption", c.SignatureAlgorithm));
        Assert.Equal(chain[1].Subject, chain[0].Issuer);
    }

    [Fact]
    public async Task Modern_completes_tls13_and_tls12_and_refuses_tls11()
    {
        var tls13 = await Connect(MfdModern, TlsVersion.TLSv1_3, ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"]);
        Assert.True(Ok(tls13), tls13.ToString());
        Assert.Equal(TlsVersion.TLSv1_3, tls13.Version);
        var tls12 = await Connect(MfdModern, TlsVersion.TLSv1_2, EcdheSuites);
        Assert.True(Ok(tls12), tls12.ToString());
        var tls11 = await Connect(MfdModern, TlsVersion.TLSv1_1, ["AES128-SHA"]);
        Assert.True(Failed(tls11), tls11.ToString());
    }

    [Fact]
    public async Task BrokenDh_negotiates_dhe_1024_with_openssl()
    {
        // A random handshake with the broken device fails with probability ~1/256; three tries make a
        // spurious test failure ~6e-8 likely.
        OpenSslHandshake? ok = null;
        for (var i = 0; i < 3 && ok is null; i++)
        {
            var r = await Connect(MfdBrokenDh, TlsVersion.TLSv1_2, ["DHE-RSA-AES128-GCM-SHA256", "AES128-SHA"]);
            if (Ok(r)) ok = r;
        }
        Assert.NotNull(ok);
        Assert.Equal("DH, 1024 bits", ok.ServerTempKey);
        Assert.Equal("DHE-RSA-AES128-GCM-SHA256", ok.CipherOpenSslName);
    }
}
