using TlsDoctor.Core;
using TlsDoctor.Probe.Capture;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe.Tests.Capture;

/// <summary>
/// The one ClientProfile reader (simulate --client, diagnose --client-hello): listen documents and plain profile files
/// load back into the ClientProfile that was captured, every tolerated form reads the same, bad files give one reason.
/// </summary>
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

    // Every form a suite takes in hand-written files and other tools' output: IANA and OpenSSL names, hex strings,
    // numbers, objects with "name" and/or "code" (the code wins when it is readable).
    [Theory]
    [InlineData("\"TLS_RSA_WITH_AES_128_CBC_SHA\"")]
    [InlineData("\"tls_rsa_with_aes_128_cbc_sha\"")]
    [InlineData("\"AES128-SHA\"")]
    [InlineData("\"0x002f\"")]
    [InlineData("\"0x002F\"")]
    [InlineData("47")]
    [InlineData("{ \"name\": \"TLS_RSA_WITH_AES_128_CBC_SHA\" }")]
    [InlineData("{ \"name\": \"AES128-SHA\" }")]
    [InlineData("{ \"code\": \"0x002f\" }")]
    [InlineData("{ \"code\": 47 }")]
    [InlineData("{ \"name\": \"RSA AES-128 (vendor spelling)\", \"code\": \"0x002f\" }")]
    public void Every_suite_form_reads_as_the_same_suite(string suite)
    {
        var p = ClientProfileFiles.Parse($$"""{ "versions": ["TLSv1.2"], "cipherSuites": [{{suite}}] }""", "s.json");
        Assert.Equal([(ushort)0x002F], p.CipherSuites.Select(s => s.Code));
        Assert.Equal("TLS_RSA_WITH_AES_128_CBC_SHA", p.CipherSuites[0].Name);
    }

    [Fact]
    public void Unknown_suite_codes_are_kept_by_code()
    {
        // listen --json writes codes it does not know as 0xNNNN; they must read back, as hex or as numbers.
        var p = ClientProfileFiles.Parse("""{ "versions": ["TLSv1.2"], "cipherSuites": ["0xfefe", 65279, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"] }""", "u.json");
        Assert.Equal([(ushort)0xFEFE, (ushort)0xFEFF, (ushort)0x00FF], p.CipherSuites.Select(s => s.Code));
    }

    [Theory]
    [InlineData("\"TLSv1.2\"")]
    [InlineData("\"tls1.2\"")]
    [InlineData("\"TLS 1.2\"")]
    [InlineData("\"1.2\"")]
    [InlineData("\"0x0303\"")]
    [InlineData("771")]
    [InlineData("{ \"version\": \"TLSv1.2\" }")]
    [InlineData("{ \"name\": \"tls1.2\" }")]
    [InlineData("{ \"code\": \"0x0303\" }")]
    public void Every_version_form_reads_as_the_same_version(string version)
    {
        var p = ClientProfileFiles.Parse($$"""{ "versions": [{{version}}], "cipherSuites": ["0x002f"] }""", "v.json");
        Assert.Equal([TlsVersion.TLSv1_2], p.Versions.ToArray());
    }

    [Fact]
    public void Groups_schemes_and_extensions_take_names_codes_and_objects()
    {
        var p = ClientProfileFiles.Parse("""
            { "versions": ["TLSv1.2"], "cipherSuites": ["0xc02f"],
              "groups": ["secp256r1", { "name": "secp384r1" }, 29, "0x0019"],
              "signatureSchemes": ["rsa_pkcs1_sha256", { "name": "rsa_pkcs1_sha1" }, 1537],
              "extensions": ["server_name", { "name": "supported_groups" }, 65281, { "code": 13 }] }
            """, "g.json");
        Assert.Equal([(ushort)23, (ushort)24, (ushort)29, (ushort)25], p.Groups.Select(g => g.Code));
        Assert.Equal(["rsa_pkcs1_sha256", "rsa_pkcs1_sha1", "rsa_pkcs1_sha512"], p.SignatureSchemes.Select(s => s.Name));
        Assert.Equal(["server_name", "supported_groups", "renegotiation_info", "signature_algorithms"], p.Extensions.ToArray());
    }

    [Fact]
    public void Optional_fields_are_read_with_any_letter_case()
    {
        var p = ClientProfileFiles.Parse("""
            { "Client": "badge reader", "VERSIONS": ["TLSv1.0"], "CipherSuites": ["DES-CBC3-SHA"],
              "dhMinBits": 512, "DhMaxBits": 1024, "rsaMinBits": 1024.0, "rsaMaxBits": 2048,
              "acceptedCertificateKeys": ["RSA", { "name": "EC" }], "acceptedCertificateHashes": ["sha1", { "name": "md5" }],
              "trustedCertificates": ["ab12", { "name": "cd34" }], "sha512InTls12": false, "stripsDhLeadingZero": false,
              "checksCertificateDates": false, "checksTrustAfterHandshake": true, "dhRejectAlert": "none", "origin": null }
            """, "o.json");
        Assert.Equal("badge reader", p.Name);
        Assert.Equal("o.json", p.Origin);
        Assert.Equal([(ushort)0x000A], p.CipherSuites.Select(s => s.Code));
        Assert.Equal((512, 1024, 1024, 2048), (p.DhMinBits, p.DhMaxBits, p.RsaMinBits, p.RsaMaxBits));
        Assert.Equal(["RSA", "EC"], p.AcceptedCertificateKeys.ToArray());
        Assert.Equal(["sha1", "md5"], p.AcceptedCertificateHashes.ToArray());
        Assert.Equal(["ab12", "cd34"], p.TrustedCertificates!.Value.ToArray());
        Assert.False(p.Sha512InTls12);
        Assert.False(p.StripsDhLeadingZero);
        Assert.False(p.ChecksCertificateDates);
        Assert.True(p.ChecksTrustAfterHandshake);
        Assert.Null(p.DhRejectAlert);
    }

    [Theory]
    [InlineData("""{ "device": "mfd-7", "result": { "profile": PROFILE } }""")]
    [InlineData("""{ "clients": [ { "address": "10.0.0.7", "hello": PROFILE } ] }""")]
    [InlineData("""[ PROFILE ]""")]
    [InlineData("""{ "captures": [ { "error": "timeout" }, PROFILE ] }""")]
    [InlineData("""{ "captures": [ { "clientProfile": null, "error": "not TLS" }, { "remote": "10.0.0.7:5000", "clientProfile": PROFILE } ] }""")]
    [InlineData("""{ "connection": 3, "clientProfile": PROFILE }""")]
    public void The_profile_is_found_inside_wrappers(string wrapper)
    {
        const string profile = """{ "name": "wrapped", "versions": ["TLSv1.0"], "cipherSuites": [{ "name": "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "code": "0x000a" }, 53] }""";
        var p = ClientProfileFiles.Parse(wrapper.Replace("PROFILE", profile, StringComparison.Ordinal), "w.json");
        Assert.Equal("wrapped", p.Name);
        Assert.Equal([TlsVersion.TLSv1_0], p.Versions.ToArray());
        Assert.Equal([(ushort)0x000A, (ushort)0x0035], p.CipherSuites.Select(s => s.Code));
    }

    [Fact]
    public void Hand_edited_listen_document_with_tolerant_forms_picks_captures_by_index()
    {
        // A `listen --json` document whose profiles an admin edited: codes instead of names, suite objects.
        const string doc = """
            { "listen": "127.0.0.1:5012", "stop": "count", "captures": [
                { "connection": 1, "remote": "10.0.0.7:5000", "error": "not TLS (HTTP request)", "clientProfile": null },
                { "connection": 2, "remote": "10.0.0.7:5001", "error": null,
                  "clientProfile": { "name": "capture of 10.0.0.7", "versions": [769, 770], "cipherSuites": [57, { "code": "0x002f" }, "0x00ff"] } },
                { "connection": 3, "remote": "10.0.0.8:5000", "error": null,
                  "clientProfile": { "name": "capture of 10.0.0.8", "versions": ["TLSv1.2"], "cipherSuites": ["ECDHE-RSA-AES128-GCM-SHA256"] } } ] }
            """;
        var first = ClientProfileFiles.Parse(doc, "l.json");
        Assert.Equal("capture of 10.0.0.7", first.Name);
        Assert.Equal([TlsVersion.TLSv1_0, TlsVersion.TLSv1_1], first.Versions.ToArray());
        Assert.Equal([(ushort)0x0039, (ushort)0x002F, (ushort)0x00FF], first.CipherSuites.Select(s => s.Code));
        Assert.Equal("l.json capture 1", first.Origin);
        var third = ClientProfileFiles.Parse(doc, "l.json", index: 2);
        Assert.Equal([(ushort)0xC02F], third.CipherSuites.Select(s => s.Code));
        var e = Assert.Throws<ClientProfileFileException>(() => ClientProfileFiles.Parse(doc, "l.json", index: 0));
        Assert.Equal("l.json: capture 0 holds no ClientHello (not TLS (HTTP request))", e.Message);
    }

    [Theory]
    [InlineData("missing.json", null, "cannot read")]
    [InlineData("zero.json", "", "the file is empty")]
    [InlineData("blank.json", " \n\t ", "the file is empty")]
    [InlineData("null.json", "null", "expected a JSON object")]
    [InlineData("number.json", "42", "expected a JSON object")]
    [InlineData("nolist.json", """{"versions":["TLSv1.2"]}""", "lists no cipher suites")]
    [InlineData("nover.json", """{"cipherSuites":["0x002f"]}""", "lists no protocol versions")]
    [InlineData("emptyver.json", """{"versions":[],"cipherSuites":["0x002f"]}""", "lists no protocol versions")]
    [InlineData("objsuite.json", """{"versions":["TLSv1.2"],"cipherSuites":[{"name":"NOT_A_SUITE"}]}""", "unknown cipher suite 'NOT_A_SUITE'")]
    [InlineData("nocode.json", """{"versions":["TLSv1.2"],"cipherSuites":[{"id":47}]}""", "\"cipherSuites\" item 0 is {\"id\":47}")]
    [InlineData("bigcode.json", """{"versions":["TLSv1.2"],"cipherSuites":["0x002f", 70000]}""", "\"cipherSuites\" item 1 is 70000")]
    [InlineData("boolsuite.json", """{"versions":["TLSv1.2"],"cipherSuites":[true]}""", "\"cipherSuites\" item 0 is true")]
    [InlineData("numver.json", """{"versions":[9999],"cipherSuites":["0x002f"]}""", "unknown protocol version '0x270f'")]
    [InlineData("groups.json", """{"versions":["TLSv1.2"],"cipherSuites":["0x002f"],"groups":"x25519"}""", "\"groups\" must be an array")]
    [InlineData("bits.json", """{"versions":["TLSv1.2"],"cipherSuites":["0x002f"],"dhMinBits":"1024"}""", "\"dhMinBits\" must be a number of bits, not a string")]
    [InlineData("negative.json", """{"versions":["TLSv1.2"],"cipherSuites":["0x002f"],"rsaMinBits":-1}""", "rsaMinBits -1 is not a number of bits between 0 and 65536")]
    [InlineData("huge.json", """{"versions":["TLSv1.2"],"cipherSuites":["0x002f"],"rsaMaxBits":1e12}""", "rsaMaxBits 1e12 is not a whole number of bits")]
    [InlineData("fraction.json", """{"versions":["TLSv1.2"],"cipherSuites":["0x002f"],"dhMaxBits":1023.5}""", "dhMaxBits 1023.5 is not a whole number of bits")]
    [InlineData("minmax.json", """{"versions":["TLSv1.2"],"cipherSuites":["0x002f"],"rsaMinBits":4096,"rsaMaxBits":1024}""", "rsaMinBits 4096 is larger than rsaMaxBits 1024")]
    [InlineData("flag.json", """{"versions":["TLSv1.2"],"cipherSuites":["0x002f"],"sha512InTls12":"no"}""", "\"sha512InTls12\" must be true or false")]
    [InlineData("alert.json", """{"versions":["TLSv1.2"],"cipherSuites":["0x002f"],"dhRejectAlert":"oops"}""", "unknown alert 'oops'")]
    [InlineData("nested.json", """{"wrapper":{"profile":{"versions":["TLSv1.2"],"cipherSuites":["BOGUS"]}}}""", "unknown cipher suite 'BOGUS'")]
    [InlineData("nohello.json", """{"captures":[{"error":"timeout","clientProfile":null}]}""", "none of the 1 capture(s) holds a ClientHello (first error: timeout)")]
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
        Assert.StartsWith(path, error); // every message names the file
    }
}
