using TlsDoctor.Core;
using TlsDoctor.Probe.Capture;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe.Tests.Capture;

/// <summary>The listen document and plain profile files load back into the ClientProfile that was captured.</summary>
public sealed class ClientProfileFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tlsdoctor-profiles-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Listen_document_loads_as_the_captured_profile()
    {
        var legacy = new ClientHelloSpec { LegacyVersion = 0x0301, CipherSuites = [0x0039, 0x002F, 0x00FF], NoExtensions = true };
        var r = await CaptureHarness.RunAsync(CaptureHarness.Options(count: 2, readTimeoutSeconds: 0.5), async ep =>
        {
            await CaptureHarness.SendRawAsync(ep, "junk-junk"u8.ToArray());
            await CaptureHarness.SendRawAsync(ep, ClientHelloBuilder.BuildRecord(legacy));
            await CaptureHarness.SendRawAsync(ep, ClientHelloBuilder.BuildRecord(ListenerTests.FoxIoExample()));
        });
        var path = Write("capture.json", ListenJsonMapper.Serialize(ListenJsonMapper.ToJson(r)));

        // Default: the first capture that holds a ClientHello (capture 0 is the junk).
        var p = ClientProfileFiles.Load(path);
        var captured = r.Captures[1].Profile!;
        Assert.Equal(captured.Versions.ToArray(), p.Versions.ToArray());
        Assert.Equal(captured.CipherSuites.Select(s => s.Code), p.CipherSuites.Select(s => s.Code));
        Assert.Equal([TlsVersion.TLSv1_0], p.Versions.ToArray());
        Assert.Empty(p.SignatureSchemes);
        Assert.Equal(captured.Name, p.Name);

        var second = ClientProfileFiles.Load(path, index: 2);
        Assert.Equal(r.Captures[2].Profile!.Groups.Select(g => g.Code), second.Groups.Select(g => g.Code));
        Assert.Equal(r.Captures[2].Profile!.SignatureSchemes.Select(g => g.Code), second.SignatureSchemes.Select(g => g.Code));
        Assert.Equal(r.Captures[2].Profile!.Extensions.ToArray(), second.Extensions.ToArray());

        var e = Assert.Throws<ClientProfileFileException>(() => ClientProfileFiles.Load(path, index: 0));
        Assert.Contains("not TLS", e.Message);
        Assert.Throws<ClientProfileFileException>(() => ClientProfileFiles.Load(path, index: 7));
    }

    [Fact]
    public void Plain_profile_round_trips_with_certificate_facts()
    {
        var profile = new ClientProfile("mfd", [TlsVersion.TLSv1_0, TlsVersion.TLSv1_1],
            [CipherSuites.Get(0x002F), CipherSuites.Get(0x0005)], [], [], ["renegotiation_info"])
        {
            RsaMaxBits = 1024,
            AcceptedCertificateHashes = ["md5", "sha1"],
            DhRejectAlert = null,
            TrustedCertificates = ["ab12"],
        };
        var path = Path.Combine(_dir, "p.json");
        ClientProfileFiles.Save(profile, path);
        var back = ClientProfileFiles.Load(path);
        Assert.Equal(profile.Versions.ToArray(), back.Versions.ToArray());
        Assert.Equal(profile.CipherSuites.ToArray(), back.CipherSuites.ToArray());
        Assert.Equal(1024, back.RsaMaxBits);
        Assert.Equal(["md5", "sha1"], back.AcceptedCertificateHashes.ToArray());
        Assert.Null(back.DhRejectAlert);
        Assert.Equal(["ab12"], back.TrustedCertificates!.Value.ToArray());
    }

    [Fact]
    public void Hand_written_minimal_profile_gets_defaults()
    {
        var path = Write("min.json", """{ "Versions": ["tls1.2"], "cipherSuites": ["TLS_RSA_WITH_AES_128_GCM_SHA256", "0xc02f"], /* note */ }""");
        var p = ClientProfileFiles.Load(path);
        Assert.Equal([TlsVersion.TLSv1_2], p.Versions.ToArray());
        Assert.Equal([(ushort)0x009C, (ushort)0xC02F], p.CipherSuites.Select(s => s.Code));
        Assert.Equal(AlertDescription.InsufficientSecurity, p.DhRejectAlert);
        Assert.True(p.Sha512InTls12);
    }

    [Theory]
    [InlineData("missing.json", null, "cannot read")]
    [InlineData("bad.json", "{ not json", "not valid JSON")]
    [InlineData("arr.json", "[1,2]", "expected a JSON object")]
    [InlineData("empty.json", """{"listen":"x","stop":"timeout","captures":[]}""", "nothing connected")]
    [InlineData("other.json", """{"scans":[]}""", "neither a listen document")]
    [InlineData("suite.json", """{"versions":["TLSv1.2"],"cipherSuites":["BOGUS"]}""", "unknown cipher suite 'BOGUS'")]
    [InlineData("ver.json", """{"versions":["TLSv9"],"cipherSuites":["0x002f"]}""", "unknown protocol version 'TLSv9'")]
    [InlineData("type.json", """{"versions":"TLSv1.2","cipherSuites":["0x002f"]}""", "wrong type")]
    public void Bad_files_give_one_clear_reason(string name, string? content, string expected)
    {
        var path = content is null ? Path.Combine(_dir, name) : Write(name, content);
        var ok = ClientProfileFiles.TryLoad(path, out var profile, out var error);
        Assert.False(ok);
        Assert.Null(profile);
        Assert.Contains(expected, error);
    }
}
