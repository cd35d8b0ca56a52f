using System.Text;
using TlsDoctor.Schannel.Policy;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Schannel.Tests;

public class RegFileTests
{
    internal static string Corpus(string name) => Path.Combine(AppContext.BaseDirectory, "RegCorpus", name);

    private const string AllTypesKey = @"HKEY_LOCAL_MACHINE\SOFTWARE\TlsDoctor\AllTypes";

    [Fact]
    public void Guide_dh_reg_sets_the_client_minimum()
    {
        var doc = RegFileReader.ReadFile(Corpus("dh.reg"));
        var block = Assert.Single(doc.Keys);
        Assert.Equal(RegistryPaths.DiffieHellman, block.Path);
        Assert.Equal(512u, Assert.Single(block.Values).Value!.AsDWord());
        Assert.Equal(5, block.Values[0].Line);
    }

    [Fact]
    public void Guide_tls_reg_enables_tls11_and_tls12_in_both_roles()
    {
        var state = RegistryState.Empty.Apply(RegFileReader.ReadFile(Corpus("tls.reg")), "tls.reg");
        foreach (var v in new[] { "TLS 1.1", "TLS 1.2" })
            foreach (var role in new[] { "Client", "Server" })
            {
                Assert.Equal(0xFFFFFFFFu, state.Get($@"{RegistryPaths.Protocols}\{v}\{role}", "Enabled")!.Value.AsDWord());
                Assert.Equal(0u, state.Get($@"{RegistryPaths.Protocols}\{v}\{role}", "DisabledByDefault")!.Value.AsDWord());
            }
        Assert.Equal(0u, state.Get($@"{RegistryPaths.Protocols}\SSL 3.0\Server", "Enabled")!.Value.AsDWord());
        Assert.StartsWith("tls.reg:", state.Get($@"{RegistryPaths.Protocols}\SSL 3.0\Server", "Enabled")!.Origin);
    }

    [Fact]
    public void Every_value_type_is_read()
    {
        var state = RegistryState.Empty.Apply(RegFileReader.ReadFile(Corpus("all-types.reg")));
        RegValue V(string n) => state.Get(AllTypesKey, n)!.Value;
        Assert.Equal("default value", V("").AsString());
        Assert.Equal(@"C:\Program Files\Y Soft ""SafeQ""", V("String").AsString());
        Assert.Equal("", V("Empty").AsString());
        Assert.Equal(42u, V("DWord").AsDWord());
        Assert.Equal(256ul, V("QWord").AsQWord());
        Assert.Equal(new byte[] { 0xde, 0xad, 0xbe, 0xef }, V("Binary").Data.ToArray());
        Assert.Equal(RegValueKind.ExpandString, V("Expand").Kind);
        Assert.Equal(@"%SystemRoot%\x", V("Expand").AsString());
        Assert.Equal(new[] { "a", "bc" }, V("Multi").AsMultiString().ToArray());
        Assert.Equal(RegValueKind.None, V("None").Kind);
        Assert.Empty(V("None").Data);
        Assert.Equal(1u, V("DWordAsHex").AsDWord());
        Assert.Equal((RegValueKind)0x100, V("Weird").Kind);
        Assert.Equal("v", state.Get(AllTypesKey + @"\Sub Key", "Name with = sign")!.Value.AsString());
    }

    [Theory]
    [InlineData("utf8-bom.reg", RegFileEncoding.Utf8, "Größe")]
    [InlineData("utf8-nobom.reg", RegFileEncoding.Utf8, "Größe")]
    [InlineData("ansi-regedit4.reg", RegFileEncoding.Ansi, "café")]
    [InlineData("dh.reg", RegFileEncoding.Utf16LE, null)]
    public void Encodings_are_detected(string file, RegFileEncoding expected, string? text)
    {
        var bytes = File.ReadAllBytes(Corpus(file));
        RegFileReader.Decode(bytes, out var enc);
        Assert.Equal(expected, enc);
        if (text is null) return;
        var doc = RegFileReader.Read(bytes);
        Assert.Equal(text, doc.Keys[0].Values.First(v => v.Name == "Text").Value!.AsString());
    }

    [Fact]
    public void Regedit4_hex_strings_are_ansi()
    {
        var doc = RegFileReader.ReadFile(Corpus("ansi-regedit4.reg"));
        var values = doc.Keys[0].Values.ToDictionary(v => v.Name, v => v.Value!);
        Assert.Equal("%PATH%", values["Expand"].AsString());
        Assert.Equal(new[] { "a", "é" }, values["Multi"].AsMultiString().ToArray());
    }

    [Fact]
    public void Utf16_without_bom_is_recognised()
    {
        var bytes = Encoding.Unicode.GetBytes(RegFileReader.Header5 + "\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n\"a\"=dword:00000002\r\n");
        Assert.Equal(2u, RegFileReader.Read(bytes).Keys[0].Values[0].Value!.AsDWord());
    }

    [Fact]
    public void Deletions_remove_keys_and_values()
    {
        var before = RegistryState.Empty.Apply(RegFileReader.ReadFile(Corpus("tls.reg")))
            .Set($@"{RegistryPaths.Protocols}\TLS 1.0\Client", RegValue.DWord("Enabled", 0))
            .Set($@"{RegistryPaths.Protocols}\TLS 1.0\Client", RegValue.DWord("Other", 7));
        var doc = RegFileReader.ReadFile(Corpus("deletions.reg"));
        Assert.True(doc.Keys[0].Delete);
        Assert.True(doc.Keys[1].Values.All(v => v.Delete));
        var after = before.Apply(doc);
        Assert.Empty(after.KeysUnder($@"{RegistryPaths.Protocols}\SSL 3.0"));
        Assert.Null(after.Get($@"{RegistryPaths.Protocols}\TLS 1.0\Client", "Enabled"));
        Assert.Equal(7u, after.Get($@"{RegistryPaths.Protocols}\TLS 1.0\Client", "Other")!.Value.AsDWord());
        Assert.NotNull(after.Get($@"{RegistryPaths.Protocols}\TLS 1.2\Client", "Enabled"));
    }

    public static TheoryData<string> BrokenFiles() => [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "RegCorpus", "broken")).Select(Path.GetFileName).OfType<string>()];

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void Broken_files_report_the_line(string file)
    {
        var expectedLine = int.Parse(file.Split('-')[1]);
        var ex = Assert.Throws<RegParseException>(() => RegFileReader.ReadFile(Path.Combine(AppContext.BaseDirectory, "RegCorpus", "broken", file)));
        Assert.Equal(expectedLine, ex.Line);
        Assert.StartsWith($"line {expectedLine}: ", ex.Message);
        Assert.False(RegFileReader.TryRead(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "RegCorpus", "broken", file)), out _, out var err));
        Assert.Equal(expectedLine, err!.Line);
    }

    [Fact]
    public void The_corpus_has_at_least_eight_broken_files() => Assert.True(BrokenFiles().Count >= 8);

    [Fact]
    public void Mutated_files_never_crash_the_reader()
    {
        // Deterministic mutations of good files: every result is a document or a RegParseException, nothing else.
        var rng = new Random(5012);
        var sources = new[] { "all-types.reg", "tls.reg", "ansi-regedit4.reg", "deletions.reg" }.Select(f => File.ReadAllBytes(Corpus(f))).ToArray();
        for (var i = 0; i < 3000; i++)
        {
            var bytes = (byte[])sources[i % sources.Length].Clone();
            var edits = rng.Next(1, 6);
            for (var e = 0; e < edits; e++)
            {
                var at = rng.Next(bytes.Length);
                bytes[at] = rng.Next(4) switch { 0 => (byte)'\\', 1 => (byte)'"', 2 => (byte)'\n', _ => (byte)rng.Next(256) };
            }
            if (rng.Next(5) == 0) bytes = bytes[..rng.Next(bytes.Length)];
            RegFileReader.TryRead(bytes, out _, out var error);
            if (error is not null) Assert.True(error.Line >= 1);
        }
    }

    [Theory]
    [InlineData("all-types.reg")]
    [InlineData("tls.reg")]
    [InlineData("ansi-regedit4.reg")]
    [InlineData("deletions.reg")]
    [InlineData("cipher-order-2012r2.reg")]
    public void Write_then_read_gives_the_same_document(string file)
    {
        var doc = RegFileReader.ReadFile(Corpus(file));
        var bytes = RegFileWriter.ToBytes(doc);
        Assert.Equal(0xFF, bytes[0]);
        Assert.Equal(0xFE, bytes[1]);
        var text = Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2);
        Assert.StartsWith(RegFileReader.Header5 + "\r\n", text);
        Assert.DoesNotContain("\n", text.Replace("\r\n", ""));
        var back = RegFileReader.Read(bytes);
        Assert.Equal(doc.Keys.Length, back.Keys.Length);
        for (var i = 0; i < doc.Keys.Length; i++)
        {
            Assert.Equal(doc.Keys[i].Path, back.Keys[i].Path);
            Assert.Equal(doc.Keys[i].Delete, back.Keys[i].Delete);
            Assert.Equal(doc.Keys[i].Values.Select(v => (v.Name, v.Value)), back.Keys[i].Values.Select(v => (v.Name, v.Value)));
        }
    }

    [Fact]
    public void Long_binary_values_wrap_with_continuations_and_round_trip()
    {
        var data = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        var doc = new RegDocument([new RegKeyBlock(@"HKEY_LOCAL_MACHINE\SOFTWARE\X", false, [RegValueLine.Set(RegValue.Binary("Big", data)), RegValueLine.Set(RegValue.MultiString("M", ["x", "line\nbreak"]))])]);
        var text = RegFileWriter.ToText(doc);
        Assert.Contains("\\\r\n  ", text);
        Assert.All(text.Split("\r\n"), l => Assert.True(l.Length <= 82, l));
        var back = RegFileReader.Parse(text);
        Assert.Equal(data, back.Keys[0].Values[0].Value!.Data.ToArray());
        Assert.Equal(new[] { "x", "line\nbreak" }, back.Keys[0].Values[1].Value!.AsMultiString().ToArray());
    }

    [Fact]
    public void Undo_restores_previous_values_and_deletes_absent_ones()
    {
        var before = RegistryState.Empty
            .Set($@"{RegistryPaths.Protocols}\TLS 1.2\Client", RegValue.DWord("Enabled", 0))
            .Set($@"{RegistryPaths.Protocols}\SSL 3.0\Server", RegValue.DWord("Enabled", 1))
            .Set($@"{RegistryPaths.Protocols}\SSL 3.0\Server\Deeper", RegValue.String("Note", "keep me"));
        var change = RegFileReader.ReadFile(Corpus("tls.reg"));
        var change2 = new RegDocument([.. change.Keys, new RegKeyBlock($@"{RegistryPaths.Protocols}\SSL 3.0\Server\Deeper", true, [])]);
        var undo = RegUndo.Create(change2, before);

        var applied = before.Apply(change2);
        var restored = applied.Apply(RegFileReader.Read(RegFileWriter.ToBytes(undo)));
        foreach (var key in before.Keys)
            foreach (var e in before.ValuesOf(key))
                Assert.Equal(e.Value, restored.Get(key, e.Value.Name)!.Value);
        foreach (var key in restored.Keys)
            foreach (var e in restored.ValuesOf(key))
                Assert.NotNull(before.Get(key, e.Value.Name));
        Assert.Contains(undo.Keys, k => k.Path.EndsWith(@"TLS 1.2\Server", StringComparison.Ordinal) && k.Values.All(v => v.Delete));
    }
}
