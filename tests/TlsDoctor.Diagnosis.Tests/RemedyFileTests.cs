using TlsDoctor.Core;
using TlsDoctor.Schannel.Policy;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Diagnosis.Tests;

/// <summary>Generated .reg files re-parse to the intended values and their undo files restore the snapshot.</summary>
public sealed class RemedyFileTests
{
    private static readonly string DhKey = RegistryPaths.DiffieHellman;

    // A registry where the administrator had already set some values: undo must restore them, and delete the rest.
    private static RegistryState Before() => RegistryState.Empty
        .Set(DhKey, RegValue.DWord("ClientMinKeyBitLength", 2048))
        .Set(RegistryPaths.ProtocolKey(TlsVersion.SSLv3, "Client"), RegValue.DWord("Enabled", 1))
        .Set(RegistryPaths.DotNet64, RegValue.DWord("SchUseStrongCrypto", 0))
        .Set(RegistryPaths.SuitePolicy, RegValue.String("Functions", "TLS_RSA_WITH_AES_128_CBC_SHA"));

    public static TheoryData<string> Documents() => ["dh", "dh-disable", "tls", "dotnet", "ciphers", "curves", "dh-server"];

    private static RegDocument Make(string name) => name switch
    {
        "dh" => RegistryRemedies.ClientMinDh(512),
        "dh-disable" => RegistryRemedies.DisableDh(),
        "tls" => RegistryRemedies.Protocols(Side.Client, [TlsVersion.TLSv1_1, TlsVersion.TLSv1_2], [TlsVersion.SSLv3]),
        "dotnet" => RegistryRemedies.DotNetStrongCrypto(),
        "ciphers" => RegistryRemedies.SuiteOrder(["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"]),
        "curves" => RegistryRemedies.CurveOrder(["x25519", "secp256r1"]),
        "dh-server" => RegistryRemedies.ServerDh(1024),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public void Remedy_file_reparses_to_the_intended_values(string name)
    {
        var change = Make(name);
        var files = RegistryRemedies.Files(name + ".reg", change, Before());
        var parsed = RegFileReader.Parse(files[0].Content);
        var applied = RegistryState.Empty.Apply(parsed);
        foreach (var block in change.Keys)
            foreach (var v in block.Values)
                Assert.Equal(v.Value, applied.Get(block.Path, v.Name)!.Value);
        // The bytes written to disk (UTF-16LE with BOM) parse the same.
        var fromBytes = RegFileReader.Read(RegFileWriter.ToBytes(parsed));
        Assert.Equal(parsed.Keys.Length, fromBytes.Keys.Length);
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Undo_file_restores_the_snapshot(string name)
    {
        var before = Before();
        var change = Make(name);
        var files = RegistryRemedies.Files(name + ".reg", change, before);
        var after = before.Apply(RegFileReader.Parse(files[0].Content));
        Assert.NotEqual(Values(before), Values(after));
        var restored = after.Apply(RegFileReader.Parse(files[1].Content));
        Assert.Equal(Values(before), Values(restored));
    }

    [Fact]
    public void Undo_deletes_values_that_were_absent_and_restores_those_that_were_set()
    {
        var files = RegistryRemedies.Files("dh.reg", RegistryRemedies.ClientMinDh(512), Before());
        Assert.Contains("\"ClientMinKeyBitLength\"=dword:00000800", files[1].Content);
        var fresh = RegistryRemedies.Files("dh.reg", RegistryRemedies.ClientMinDh(512), RegistryState.Empty);
        Assert.Contains("\"ClientMinKeyBitLength\"=-", fresh[1].Content);
    }

    [Fact]
    public void Writer_puts_each_device_and_finding_in_its_own_folder_with_stamped_utf16_reg_files_and_never_overwrites()
    {
        var dir = Path.Combine(Path.GetTempPath(), "tlsdoctor-diag-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Finding Weak(string target, int bits) => new(Findings.WeakDh, Severity.Error, Direction.OutboundDevice, target, "t", [],
                [new Remedy(RemedyKind.Registry, "Lower the DH minimum", "k", RegistryRemedies.Files("dh.reg", RegistryRemedies.ClientMinDh(bits), RegistryState.Empty), "risk", [], null, [])]);
            var stamp = new RemedyStamp("9.8.7", new DateTimeOffset(2026, 12, 4, 10, 30, 0, TimeSpan.Zero));
            var report = new DiagnosisReport("w", [], [Weak("127.0.0.1:4433", 512), Weak("[::1]:443", 768)], [], [], [], [], [], DateTimeOffset.UnixEpoch);
            var written = RemedyWriter.Write(report, dir, stamp);
            Assert.Equal(4, written.Length);
            var bytes = File.ReadAllBytes(Path.Combine(dir, "127.0.0.1_4433", "TD001", "dh.reg"));
            Assert.Equal(new byte[] { 0xFF, 0xFE }, bytes[..2]);
            var text = System.Text.Encoding.Unicode.GetString(bytes[2..]).Split("\r\n");
            Assert.Equal("Windows Registry Editor Version 5.00", text[0]); // regedit's signature stays the first line
            Assert.Equal(["; TlsDoctor 9.8.7 remedy", "; device: 127.0.0.1:4433", "; finding: TD001 weak-dh - Lower the DH minimum", "; written: 2026-12-04 10:30 UTC"], text[1..5]);
            var doc = RegFileReader.Read(bytes);
            Assert.Equal(512u, RegistryState.Empty.Apply(doc).Get(DhKey, "ClientMinKeyBitLength")!.Value.AsDWord());
            Assert.True(File.Exists(Path.Combine(dir, "___1__443", "TD001", "undo-dh.reg")));

            // Another run into the same folder with a different fix: the first file stays, the new one gets a number.
            var again = RemedyWriter.Write(new DiagnosisReport("w", [], [Weak("127.0.0.1:4433", 1024)], [], [], [], [], [], DateTimeOffset.UnixEpoch), dir, stamp);
            Assert.Contains(Path.Combine(dir, "127.0.0.1_4433", "TD001", "dh.2.reg"), again);
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(dir, "127.0.0.1_4433", "TD001", "dh.reg")));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_generated_cipher_order_has_no_rc4_or_md5_suite_and_fits_the_1023_character_functions_limit()
    {
        var current = Enumerable.Range(0, 40).Select(i => $"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384_P{i:000}").ToList();
        current.Insert(3, "TLS_RSA_WITH_RC4_128_SHA");
        current.Insert(5, "TLS_RSA_WITH_RC4_128_MD5");
        current.Insert(7, "SSL_CK_RC4_128_WITH_MD5");
        string[] added = ["TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_RC4_128_MD5"];
        var doc = RegistryRemedies.SuiteOrder(current.Concat(added), added);
        var functions = RegistryState.Empty.Apply(doc).Get(RegistryPaths.SuitePolicy, "Functions")!.Value.AsString()!;
        Assert.True(functions.Length <= RegistryRemedies.FunctionsLimit, $"{functions.Length} characters");
        var names = functions.Split(',');
        Assert.DoesNotContain(names, n => n.Contains("RC4", StringComparison.Ordinal) || n.EndsWith("MD5", StringComparison.Ordinal));
        Assert.Contains("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", names); // what the remedy adds is kept; the tail of the old order goes
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384_P000", names[0]);
    }

    private static string Values(RegistryState s) => string.Join("\n",
        s.Keys.SelectMany(k => s.ValuesOf(k).Select(e => $"{k}\\{e.Value.Name}={e.Value.Kind}:{e.Value.Display()}")).Order(StringComparer.Ordinal));
}
