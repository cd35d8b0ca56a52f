using System.Collections.Immutable;
using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using System.Text.Json.Serialization;
using TlsDoctor.Diagnosis.Certificates;
using TlsDoctor.Probe.Capture;

namespace TlsDoctor.Cli.Commands;

/// <summary>`tlsdoctor cert new`: a key and certificate an old device can verify, with import steps.</summary>
public static class CertCommand
{
    public static readonly Option<string> Key = new("--key") { Description = "rsa:1024, rsa:2048, rsa:4096 or ec:p256", DefaultValueFactory = _ => "rsa:2048", HelpName = "KIND" };
    public static readonly Option<string> Hash = new("--hash") { Description = "Signature hash: sha1, sha256, sha384 or sha512", DefaultValueFactory = _ => "sha256", HelpName = "HASH" };
    public static readonly Option<string> Cn = new("--cn") { Description = "Common name (the server's host name)", Required = true, HelpName = "NAME" };
    public static readonly Option<string[]> San = new("--san")
    {
        Description = "Subject alternative names: DNS:name, IP:address, or plain names/addresses (repeatable, comma-separated allowed); default: the CN",
        AllowMultipleArgumentsPerToken = true,
        HelpName = "NAME",
    };
    public static readonly Option<int> Days = new Option<int>("--days") { Description = "Validity in days", DefaultValueFactory = _ => 825, HelpName = "N" }.Within(1, 36500);
    public static readonly Option<bool> Ca = new("--ca") { Description = "Also create a private CA and sign the server certificate with it (the device imports the CA)" };
    public static readonly Option<string?> Password = new("--password") { Description = "PFX password ('' for none); default: a random one, printed once", HelpName = "PASSWORD" };
    public static readonly Option<string> Out = new("--out") { Description = "Directory for the files", Required = true, HelpName = "DIR" };
    public static readonly Option<bool> Force = new("--force") { Description = "Replace existing files in --out" };
    public static readonly Option<bool> Json = CommonOptions.Json();

    public static Command Create(CliConsole console)
    {
        var newCmd = new Command("new", "Generate a key and certificate (PFX, PEM, DER) with the key size and signature hash a device can verify")
        {
            Key, Hash, Cn, San, Days, Ca, Password, Out, Force, Json,
        };
        newCmd.SetAction((parse, ct) => Task.FromResult(RunNew(parse, console)));
        var cmd = new Command("cert", "Certificates for devices that cannot verify the default one");
        cmd.Subcommands.Add(newCmd);
        return cmd;
    }

    private static int RunNew(ParseResult parse, CliConsole console)
    {
        if (!CertificateKit.TryParseKey(parse.GetValue(Key), out var key, out var keyError)) throw new UsageException(keyError!);
        var hashText = parse.GetValue(Hash);
        var hash = CertificateBuilder.ParseHash(hashText) ?? throw new UsageException($"--hash '{hashText}' is not supported: use sha1, sha256, sha384 or sha512");
        var days = parse.GetValue(Days);
        var sans = CertificateKit.ParseSans(parse.GetValue(San) ?? []);
        var request = new CertificateKitRequest(key, hash, parse.GetValue(Cn) ?? "", sans, days, parse.GetValue(Ca), parse.GetValue(Password), parse.GetValue(Force));
        console.Error.MarkupLine("[grey]generating key and certificate…[/]");
        var result = CertificateKit.Create(request, parse.GetValue(Out)!);
        if (parse.GetValue(Json))
            console.RawOut.WriteLine(JsonSerializer.Serialize(ToJson(result), Relaxed.CertDocument));
        else
            CertRenderer.Render(console.Out, result);
        return ExitCodes.Ok;
    }

    // Steps hold quotes and arrows: readable JSON beats \u0027 escapes (stdout is not HTML).
    private static readonly CertJsonContext Relaxed = new(new JsonSerializerOptions(CertJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    internal static CertDocument ToJson(CertificateKitResult r) => new(
        r.Directory,
        [.. r.Files.Select(f => new CertFileJson(f.Name, f.Path, f.Purpose, f.Private))],
        ToJson(r.Server, r.Sha1Thumbprint),
        r.Ca is { } ca ? ToJson(ca, Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(Convert.FromBase64String(ca.Der)))) : null,
        r.Password,
        r.PasswordProtected,
        r.WindowsSteps,
        r.DeviceSteps,
        r.Warnings);

    private static CertInfoJson ToJson(TlsDoctor.Core.CertificateInfo c, string thumb) => new(
        c.Subject, c.Issuer, c.NotBefore, c.NotAfter, c.KeyAlgorithm, c.KeyBits, c.Curve, c.SignatureAlgorithm, c.SubjectAlternativeNames, c.SelfSigned, c.Sha256, thumb);
}

/// <summary>The `cert new --json` document.</summary>
public sealed record CertDocument(
    string Directory,
    ImmutableArray<CertFileJson> Files,
    CertInfoJson Server,
    CertInfoJson? Ca,
    string? Password,
    bool PasswordProtected,
    ImmutableArray<string> WindowsSteps,
    ImmutableArray<string> DeviceSteps,
    ImmutableArray<string> Warnings);

/// <summary>One written file as JSON.</summary>
public sealed record CertFileJson(string Name, string Path, string Purpose, bool Private);

/// <summary>A generated certificate as JSON; sha1Thumbprint is what Windows tools show.</summary>
public sealed record CertInfoJson(
    string Subject, string Issuer, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string KeyAlgorithm, int KeyBits, string? Curve,
    string SignatureAlgorithm, ImmutableArray<string> SubjectAlternativeNames, bool SelfSigned, string Sha256, string Sha1Thumbprint);

/// <summary>Source-generated serializer settings for `cert --json`.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CertDocument))]
public sealed partial class CertJsonContext : JsonSerializerContext;
