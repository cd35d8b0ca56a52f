using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TlsDoctor.Core;
using TlsDoctor.Diagnosis.Certificates;
using TlsDoctor.Lab;
using TlsDoctor.Probe.Capture;

namespace TlsDoctor.Diagnosis.Tests.Certificates;

/// <summary>`cert new`'s generator: the files parse to the requested facts, keys are private, and an old device accepts the result.</summary>
public sealed class CertificateKitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tlsdoctor-cert-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private CertificateKitResult Make(CertificateKeyKind key, string hash, bool ca = false, string? password = "pw", string sub = "a", string[]? sans = null) =>
        CertificateKit.Create(new CertificateKitRequest(key, hash, "mfd-server.example", sans is null ? [] : CertificateKit.ParseSans(sans), 825, ca, password),
            Path.Combine(_dir, sub));

    [Theory]
    [InlineData(CertificateKeyKind.Rsa1024, "sha1", "RSA", 1024, "sha1WithRSAEncryption")]
    [InlineData(CertificateKeyKind.Rsa2048, "sha256", "RSA", 2048, "sha256WithRSAEncryption")]
    [InlineData(CertificateKeyKind.Rsa2048, "sha512", "RSA", 2048, "sha512WithRSAEncryption")]
    [InlineData(CertificateKeyKind.EcP256, "sha384", "EC", 256, "ecdsa-with-SHA384")]
    public void Files_parse_with_the_requested_key_and_signature(CertificateKeyKind key, string hash, string alg, int bits, string sig)
    {
        var r = Make(key, hash, sans: ["DNS:printer.local", "10.0.0.5", "IP:::1"]);
        foreach (var name in new[] { "server.cer", "server.crt" })
        {
            using var cert = name.EndsWith(".cer", StringComparison.Ordinal)
                ? X509CertificateLoader.LoadCertificateFromFile(Path.Combine(r.Directory, name))
                : X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(r.Directory, name)));
            var info = CertificateInfo.FromCertificate(cert);
            Assert.Equal(alg, info.KeyAlgorithm);
            Assert.Equal(bits, info.KeyBits);
            Assert.Equal(sig, info.SignatureAlgorithm);
            Assert.True(info.SelfSigned);
            Assert.Equal(["DNS:printer.local", "IP:10.0.0.5", "IP:::1"], info.SubjectAlternativeNames.ToArray());
            Assert.Equal(r.Server.Sha256, info.Sha256);
            Assert.InRange((info.NotAfter - info.NotBefore).TotalDays, 825, 827);
        }
        // PEM certificate + PEM key form a usable pair.
        using var pair = X509Certificate2.CreateFromPemFile(Path.Combine(r.Directory, "server.crt"), Path.Combine(r.Directory, "server.key"));
        Assert.True(pair.HasPrivateKey);
        Assert.Equal(Convert.ToHexString(SHA1.HashData(pair.RawData)), r.Sha1Thumbprint);
    }

    [Fact]
    public void Pfx_loads_with_the_password_and_not_without()
    {
        var r = Make(CertificateKeyKind.Rsa2048, "sha256", password: "s3cret!");
        var pfx = Path.Combine(r.Directory, "server.pfx");
        using var loaded = X509CertificateLoader.LoadPkcs12FromFile(pfx, "s3cret!");
        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(r.Server.Sha256, Convert.ToHexStringLower(SHA256.HashData(loaded.RawData)));
        Assert.ThrowsAny<CryptographicException>(() => X509CertificateLoader.LoadPkcs12FromFile(pfx, "wrong"));
        Assert.Null(r.Password); // the user chose it: not echoed
    }

    [Fact]
    public void Generated_password_is_returned_once_and_empty_password_means_none()
    {
        var r = Make(CertificateKeyKind.Rsa2048, "sha256", password: null, sub: "gen");
        Assert.Matches("^[A-Za-z0-9]{20}$", r.Password);
        using (var c = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(r.Directory, "server.pfx"), r.Password)) Assert.True(c.HasPrivateKey);
        var none = Make(CertificateKeyKind.Rsa2048, "sha256", password: "", sub: "none");
        Assert.False(none.PasswordProtected);
        using (var c = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(none.Directory, "server.pfx"), "")) Assert.True(c.HasPrivateKey);
    }

    [Fact]
    public void Private_keys_are_owner_only()
    {
        if (OperatingSystem.IsWindows()) return;
        var r = Make(CertificateKeyKind.Rsa2048, "sha256", ca: true);
        foreach (var f in r.Files)
        {
            var mode = File.GetUnixFileMode(f.Path);
            if (f.Private) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
            else Assert.True(mode.HasFlag(UnixFileMode.UserRead));
        }
        Assert.Equal(["server.pfx", "server.key", "ca.key"], r.Files.Where(f => f.Private).Select(f => f.Name));
    }

    [Fact]
    public void Ca_signed_chain_verifies_with_the_ca_as_the_only_trust()
    {
        var r = Make(CertificateKeyKind.Rsa2048, "sha256", ca: true);
        using var leaf = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(r.Directory, "server.cer"));
        using var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(r.Directory, "ca.cer"));
        Assert.False(r.Server.SelfSigned);
        Assert.Equal(ca.Subject, leaf.Issuer);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(2, chain.ChainElements.Count);

        // Without the CA in the trust store the same chain is not trusted.
        using var untrusted = new X509Chain();
        untrusted.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        untrusted.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.False(untrusted.Build(leaf));

        // The PFX carries the CA too, for servers that send the chain.
        var all = X509CertificateLoader.LoadPkcs12CollectionFromFile(Path.Combine(r.Directory, "server.pfx"), "pw");
        Assert.Equal(2, all.Count);
        Assert.Contains(r.WindowsSteps, s => s.Contains("certutil", StringComparison.Ordinal) && s.Contains("-importpfx", StringComparison.Ordinal));
        Assert.Contains(r.DeviceSteps, s => s.Contains("ca.cer", StringComparison.Ordinal));
    }

    [Fact]
    public void Existing_files_are_not_overwritten_without_force()
    {
        Make(CertificateKeyKind.Rsa1024, "sha1", sub: "same");
        var e = Assert.Throws<CertificateKitException>(() => Make(CertificateKeyKind.Rsa1024, "sha1", sub: "same"));
        Assert.Contains("--force", e.Message);
    }

    [Theory]
    [InlineData("rsa:512", "under 1024 bits are refused")]
    [InlineData("rsa:3072", "not supported")]
    [InlineData("dsa:1024", "not supported")]
    public void Unsupported_keys_are_refused_with_a_reason(string text, string expected)
    {
        Assert.False(CertificateKit.TryParseKey(text, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("IP:not-an-ip")]
    [InlineData("DNS:has space")]
    [InlineData("DNS:10.1.1.1")]
    public void Bad_sans_are_refused(string san) => Assert.Throws<CertificateKitException>(() => CertificateKit.ParseSans([san]));

    /// <summary>The legacy device (TLS 1.0, RSA ≤ 1024, SHA-1 only, own trust list) completes a handshake with what `cert new` made.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Legacy_device_accepts_an_rsa1024_sha1_certificate_it_trusts(bool withCa)
    {
        var r = Make(CertificateKeyKind.Rsa1024, "sha1", ca: withCa, sub: withCa ? "ca" : "self");
        var trusted = File.ReadAllBytes(Path.Combine(r.Directory, withCa ? "ca.cer" : "server.cer"));
        using var pair = X509Certificate2.CreateFromPemFile(Path.Combine(r.Directory, "server.crt"), Path.Combine(r.Directory, "server.key"));
        var spec = new CertificateSpec(CertificateKeyKind.Rsa1024, "sha1", "mfd-server.example", [], 825);
        using var generated = new GeneratedCertificate(X509CertificateLoader.LoadCertificate(pair.RawData), pair.GetRSAPrivateKey()!,
            withCa ? X509CertificateLoader.LoadCertificate(trusted) : null, null);
        var served = CertificateProbe.FromGenerated(generated, spec);

        var options = new ListenOptions(new IPEndPoint(IPAddress.Loopback, 0), 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), ProbeCertificates: true)
        {
            Certificates = [served],
        };
        using var listener = ClientHelloListener.Start(options);
        var run = listener.RunAsync(null, CancellationToken.None);
        var device = await LabClients.RunLegacyClientAsync(listener.LocalEndPoint, new LegacyClientOptions { TrustedDer = [trusted] }, CancellationToken.None);
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(device.Completed, device.Reason);
        Assert.Equal(TlsVersion.TLSv1_0, device.Version);
        Assert.Equal(r.Server.Sha256, device.ServerCertificateSha256);
        var attempt = Assert.Single(result.Captures).Attempt!;
        Assert.Equal(CertificateVerdict.Accepted, attempt.Verdict);

        // The same device refuses the RSA-2048/SHA-256 default certificate even when it trusts it.
        var modern = Make(CertificateKeyKind.Rsa2048, "sha256", sub: withCa ? "m-ca" : "m-self");
        using var mpair = X509Certificate2.CreateFromPemFile(Path.Combine(modern.Directory, "server.crt"), Path.Combine(modern.Directory, "server.key"));
        using var mgen = new GeneratedCertificate(X509CertificateLoader.LoadCertificate(mpair.RawData), mpair.GetRSAPrivateKey()!, null, null);
        using var listener2 = ClientHelloListener.Start(options with { Certificates = [CertificateProbe.FromGenerated(mgen, spec with { Key = CertificateKeyKind.Rsa2048, Hash = "sha256" })] });
        var run2 = listener2.RunAsync(null, CancellationToken.None);
        var refused = await LabClients.RunLegacyClientAsync(listener2.LocalEndPoint,
            new LegacyClientOptions { TrustedDer = [mpair.RawData] }, CancellationToken.None);
        await run2.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(refused.Completed);
        Assert.Equal(AlertDescription.UnsupportedCertificate, refused.Alert);
    }
}
