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
    public void Writer_puts_each_finding_in_its_own_folder_with_utf16_reg_files()
    {
        var dir = Path.Combine(Path.GetTempPath(), "tlsdoctor-diag-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var finding = new Finding(Findings.WeakDh, Severity.Error, Direction.OutboundDevice, "x", "t", [],
                [new Remedy(RemedyKind.Registry, "r", "k", RegistryRemedies.Files("dh.reg", RegistryRemedies.ClientMinDh(512), RegistryState.Empty), "risk", [], null, [])]);
            var report = new DiagnosisReport("w", [], [finding], [], [], [], [], [], DateTimeOffset.UnixEpoch);
            var written = RemedyWriter.Write(report, dir);
            Assert.Equal(2, written.Length);
            var bytes = File.ReadAllBytes(Path.Combine(dir, "TD001", "dh.reg"));
            Assert.Equal(new byte[] { 0xFF, 0xFE }, bytes[..2]);
            var doc = RegFileReader.Read(bytes);
            Assert.Equal(512u, RegistryState.Empty.Apply(doc).Get(DhKey, "ClientMinKeyBitLength")!.Value.AsDWord());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    private static string Values(RegistryState s) => string.Join("\n",
        s.Keys.SelectMany(k => s.ValuesOf(k).Select(e => $"{k}\\{e.Value.Name}={e.Value.Kind}:{e.Value.Display()}")).Order(StringComparer.Ordinal));
}
