using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using TlsDoctor.Core;
using TlsDoctor.Schannel.Knowledge;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Cli.Tests;

/// <summary>
/// `policy show --json` and the profiles a policy yields, byte for byte against files recorded from the code, for
/// every release × update sets × registry files × .NET / product settings. A refactoring of the policy builder must
/// leave them identical; a change of behaviour shows as a diff of the golden files (re-record them with
/// TLSDOCTOR_UPDATE_GOLDEN=1 and review the diff).
/// </summary>
public sealed class PolicyGoldenTests
{
    /// <summary>One recorded case: the `policy show` options.</summary>
    public sealed record Case(string Name, string? Os, string[] Updates, string[] Reg, string? DotNet = null, string? Product = null, string? Snapshot = null, string? Build = null, string? UpdatesFile = null)
    {
        public override string ToString() => Name;

        public string[] Arguments()
        {
            var args = new List<string> { "policy", "show" };
            if (Os is not null) args.AddRange(["--os", Os]);
            if (Build is not null) args.AddRange(["--build", Build]);
            if (UpdatesFile is not null) args.AddRange(["--updates-file", Path.Combine(Fixtures, UpdatesFile)]);
            foreach (var u in Updates) args.AddRange(["--updates", u]);
            foreach (var r in Reg) args.AddRange(["--reg", Path.Combine(RegCorpus, r)]);
            if (DotNet is not null) args.AddRange(["--dotnet", DotNet]);
            if (Product is not null) args.AddRange(["--product-setting", Product]);
            if (Snapshot is not null) args.AddRange(["--snapshot", Path.Combine(GoldenDir, Snapshot)]);
            args.Add("--json");
            return [.. args];
        }

        public PolicyOptions Options() => new()
        {
            Os = Os,
            Build = Build,
            UpdatesFileText = UpdatesFile is null ? null : File.ReadAllText(Path.Combine(Fixtures, UpdatesFile)),
            Updates = [.. Updates],
            RegFiles = [.. Reg.Select(r => Path.Combine(RegCorpus, r))],
            DotNet = DotNet,
            ProductSetting = Product,
            Snapshot = Snapshot is null ? null : PolicySnapshot.Load(Path.Combine(GoldenDir, Snapshot)),
        };
    }

    private static string SourceDir([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
    private static string GoldenDir => Path.Combine(SourceDir(), "Golden", "Policy");
    private static string RegCorpus => Path.GetFullPath(Path.Combine(SourceDir(), "..", "TlsDoctor.Schannel.Tests", "RegCorpus"));
    private static string Fixtures => Path.GetFullPath(Path.Combine(SourceDir(), "..", "TlsDoctor.Schannel.Tests", "Fixtures"));
    private static bool Update => Environment.GetEnvironmentVariable("TLSDOCTOR_UPDATE_GOLDEN") == "1";

    private static readonly string[] RegFiles =
        ["dh.reg", "dh-disable.reg", "tls.reg", "cipher-order-2012r2.reg", "deletions.reg", "dotnet-strong.reg", "switches.reg", "local-order-iana.reg"];

    /// <summary>The recorded cases (names are file names).</summary>
    public static IEnumerable<Case> Cases()
    {
        var k = SchannelKnowledge.Default;
        foreach (var r in k.Releases)
        {
            var kbs = k.Updates.Where(u => u.Releases.Contains(r.Id) && u.FromBuild is null).Select(u => u.Id).ToList();
            yield return new($"{r.Id}.updates-assumed", r.Id, [], []);
            yield return new($"{r.Id}.updates-none", r.Id, ["none"], []);
            if (kbs.Count == 0) continue;
            yield return new($"{r.Id}.updates-all", r.Id, [string.Join(",", kbs)], []);
            foreach (var kb in kbs) yield return new($"{r.Id}.{kb}", r.Id, [kb], []);
        }
        foreach (var r in k.Releases)
            foreach (var reg in RegFiles)
                yield return new($"{r.Id}.updates-assumed.{Path.GetFileNameWithoutExtension(reg)}", r.Id, [], [reg]);
        foreach (var os in new[] { "2008r2", "2012r2", "2016" })
            foreach (var reg in RegFiles)
                yield return new($"{os}.updates-none.{Path.GetFileNameWithoutExtension(reg)}", os, ["none"], [reg]);
        yield return new("2012r2.KB3061518.dh.tls", "2012r2", ["KB3061518"], ["dh.reg", "tls.reg"]);
        foreach (var os in new[] { "2008", "2008r2", "2019" })
            foreach (var dotnet in new[] { "4.5", "4.6", "4.7+" })
                foreach (var (label, product) in new[] { ("unset", (string?)null), ("tls12", "Tls12"), ("tls10-12", "Tls, Tls11, Tls12"), ("systemdefault", "SystemDefault"), ("ssl3-tls10", "Ssl3, Tls") })
                    yield return new($"{os}.dotnet-{dotnet.TrimEnd('+')}.product-{label}", os, [], [], dotnet, product);
        foreach (var dotnet in new[] { "4.5", "4.6" })
            foreach (var reg in new[] { "dotnet-strong.reg", "switches.reg" })
                yield return new($"2008r2.dotnet-{dotnet}.{Path.GetFileNameWithoutExtension(reg)}", "2008r2", ["none"], [reg], dotnet);
        yield return new("snapshot-2016-feb2024", null, [], [], Snapshot: "snapshot-2016-feb2024.snapshot.json");
        yield return new("snapshot-2016-feb2024.os-2012r2", "2012r2", [], [], Snapshot: "snapshot-2016-feb2024.snapshot.json");
        yield return new("build-14393.3542", "14393.3542", ["none"], []);
        yield return new("build-14393.3541", "14393.3541", ["none"], []);
        yield return new("build-nearest-18363", "18363", ["none"], []);
        yield return new("build-option-14393.3542", null, ["none"], [], Build: "14393.3542");
        yield return new("build-option-17763.5458", null, [], [], Build: "17763.5458");
        yield return new("build-option-25398.1", null, ["none"], [], Build: "25398.1");
        foreach (var (os, file) in new[] { ("2012r2", "hotfix-2012r2-2024-02.txt"), ("2012r2", "systeminfo-2012r2-2024-02.txt"), ("2016", "hotfix-2016-2024-02.txt"), ("2008r2", "systeminfo-2008r2-2024-01.txt") })
            yield return new($"{os}.{Path.GetFileNameWithoutExtension(file)}", os, [], [], UpdatesFile: file);
    }

    public static TheoryData<string> CaseNames() => [.. Cases().Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Policy_show_json_and_profiles_match_the_recorded_output(string name)
    {
        var c = Cases().Single(x => x.Name == name);
        var run = await CliHarness.RunAsync(c.Arguments());
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Error}");
        Check(c.Name + ".json", run.Out);
        Check(c.Name + ".profiles.json", Profiles(WindowsPolicy.Build(c.Options())));
    }

    [Fact]
    public void Every_golden_file_belongs_to_a_case()
    {
        var names = Cases().SelectMany(c => new[] { c.Name + ".json", c.Name + ".profiles.json" }).ToHashSet();
        var stray = Directory.EnumerateFiles(GoldenDir).Select(Path.GetFileName)
            .Where(f => !f!.EndsWith(".snapshot.json", StringComparison.Ordinal) && !names.Contains(f!)).ToList();
        Assert.Empty(stray);
    }

    private static void Check(string file, string actual)
    {
        var path = Path.Combine(GoldenDir, file);
        if (Update)
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"{path} is missing: record it with TLSDOCTOR_UPDATE_GOLDEN=1");
        var expected = File.ReadAllText(path);
        if (expected == actual) return;
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var at = Enumerable.Range(0, Math.Min(e.Length, a.Length)).FirstOrDefault(i => e[i] != a[i], Math.Min(e.Length, a.Length));
        Assert.Fail($"{file} differs at line {at + 1}:\n  expected: {(at < e.Length ? e[at] : "<end>")}\n  actual:   {(at < a.Length ? a[at] : "<end>")}");
    }

    /// <summary>The ClientProfile and ServerProfiles (no certificate, an RSA-2048 one, an EC one) as indented JSON.</summary>
    internal static string Profiles(SchannelPolicy p)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            WriteClient(w, p.ToClientProfile());
            w.WritePropertyName("serverNoCertificate");
            WriteServer(w, p.ToServerProfile(null));
            w.WritePropertyName("serverRsa2048");
            WriteServer(w, p.ToServerProfile(Certificate("RSA", 2048, null, "sha256WithRSAEncryption")));
            w.WritePropertyName("serverEcP256");
            WriteServer(w, p.ToServerProfile(Certificate("EC", 256, "secp256r1", "ecdsa-with-SHA256")));
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static CertificateInfo Certificate(string key, int bits, string? curve, string sig) => new(
        "CN=ts", "CN=ts", new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero),
        key, bits, curve, sig, [], true, new string('0', 64), "");

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static void WriteClient(Utf8JsonWriter w, ClientProfile c)
    {
        w.WriteStartObject("client");
        w.WriteString("name", c.Name);
        Strings(w, "versions", c.Versions.Select(v => v.Name()));
        Strings(w, "cipherSuites", c.CipherSuites.Select(s => $"{s.Name} {s.Hex}"));
        Strings(w, "groups", c.Groups.Select(g => g.Name));
        Strings(w, "signatureSchemes", c.SignatureSchemes.Select(s => s.Name));
        Strings(w, "extensions", c.Extensions);
        w.WriteNumber("dhMinBits", c.DhMinBits);
        w.WriteString("dhMaxBits", c.DhMaxBits?.ToString() ?? "none");
        w.WriteNumber("rsaMinBits", c.RsaMinBits);
        w.WriteString("rsaMaxBits", c.RsaMaxBits?.ToString() ?? "none");
        Strings(w, "acceptedCertificateKeys", c.AcceptedCertificateKeys);
        Strings(w, "acceptedCertificateHashes", c.AcceptedCertificateHashes);
        w.WriteBoolean("sha512InTls12", c.Sha512InTls12);
        w.WriteString("trustedCertificates", c.TrustedCertificates is { } t ? string.Join(",", t) : "any");
        w.WriteBoolean("stripsDhLeadingZero", c.StripsDhLeadingZero);
        w.WriteBoolean("checksCertificateDates", c.ChecksCertificateDates);
        w.WriteBoolean("checksTrustAfterHandshake", c.ChecksTrustAfterHandshake);
        w.WriteString("dhRejectAlert", c.DhRejectAlert?.ToString() ?? "none");
        w.WriteString("origin", c.Origin);
        w.WriteEndObject();
    }

    private static void WriteServer(Utf8JsonWriter w, ServerProfile s)
    {
        w.WriteStartObject();
        w.WriteStartArray("protocols");
        foreach (var p in s.Protocols)
            w.WriteStringValue($"{p.Version.Name()} supported={p.Supported} serverOrder={p.ServerOrder?.ToString() ?? "null"}: "
                + string.Join(" ", p.CipherSuites.Select(a => a.Suite.Name + (a.DhBits is { } b ? $"/dh{b}" : "") + (a.Group is { } g ? $"/{g.Name}" : ""))));
        w.WriteEndArray();
        Strings(w, "groups", s.Groups.Select(g => g.Name));
        Strings(w, "signatureSchemes", s.SignatureSchemes.Select(x => x.Name));
        Strings(w, "certificates", s.Certificates.Select(c => $"{c.KeyAlgorithm}-{c.KeyBits}"));
        Strings(w, "behaviours", s.Behaviours.Select(b => $"{b.Kind.Name()}: {b.Detail}"));
        w.WriteEndObject();
    }
}
