using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using TlsDoctor.Core;
using TlsDoctor.Diagnosis;
using TlsDoctor.Probe.Capture;
using TlsDoctor.Probe.Json;
using TlsDoctor.Schannel.Knowledge;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Cli.Commands;

/// <summary>A profile with what the user named, how it was read and the assumptions behind it.</summary>
/// <param name="Spec">The --client / --server value as given.</param>
/// <param name="Kind">windows, snapshot, client-profile, capture, scan, server-profile.</param>
public sealed record LoadedProfile<T>(T Profile, string Spec, string Kind, string Name, ImmutableArray<PolicyReportAssumption> Assumptions);

/// <summary>Windows policy options that apply to one side of `simulate` (--client-updates, --server-reg, …).</summary>
public sealed record SideOptions(
    ImmutableArray<string> Updates,
    ImmutableArray<string> RegFiles,
    string? DotNet,
    string? ProductSetting,
    string UpdatesOption,
    string RegOption);

/// <summary>
/// Reads the two sides of `simulate`: `windows:&lt;os&gt;` (the policy of a release) or a JSON file detected by its
/// top-level shape (`scan --json`, one scan entry as a ServerProfile JSON, or a `policy export` snapshot; any other
/// --client file goes to <see cref="ClientProfileFiles"/>, the reader `diagnose --client-hello` uses). Every input
/// problem becomes a <see cref="UsageException"/> naming the value or file and the reason.
/// </summary>
public static class ProfileLoader
{
    public const string WindowsPrefix = "windows:";

    public static LoadedProfile<ClientProfile> LoadClient(string spec, SideOptions side)
    {
        if (TryWindows(spec, out var os))
        {
            var policy = BuildPolicy(os, side, snapshot: null);
            return new(policy.ToClientProfile(), spec, "windows", $"{policy.Release.Name} outbound (client role)", Assumptions(policy));
        }
        var text = ReadText(spec, "--client");
        // Not JSON at all: the client-profile reader names the problem, in the words `diagnose --client-hello` uses.
        using var root = TryParseJson(text);
        if (root is not null)
        {
            var e = root.RootElement;
            if (IsSnapshot(e))
            {
                var policy = BuildPolicy(null, side, Snapshot(text, spec, "--client"));
                return new(policy.ToClientProfile(), spec, "snapshot", $"{policy.Release.Name} outbound (client role, snapshot {Path.GetFileName(spec)})", Assumptions(policy));
            }
            if (IsScanDocument(e) || IsServerProfile(e))
                throw new UsageException($"--client {spec}: this is a server profile (scan --json output); pass it to --server");
        }
        ClientProfile profile;
        try
        {
            // One reader for ClientProfile JSON and `listen --json` documents, shared with `diagnose --client-hello`,
            // so a file one command takes the other takes too.
            profile = ClientProfileFiles.Parse(text, spec);
        }
        catch (ClientProfileFileException ex)
        {
            var message = ex.Message.StartsWith(spec, StringComparison.Ordinal) ? ex.Message : $"{spec}: {ex.Message}";
            throw new UsageException(ex.NoProfileFound
                ? $"--client {message}; --client also takes a `policy export` snapshot or windows:<os>"
                : $"--client {message}");
        }
        RejectWindowsOptions(side, spec, "--client");
        var kind = root is { RootElement: var r } && IsPlainClientProfile(r) ? "client-profile" : "capture";
        return new(profile, spec, kind, profile.Name, []);
    }

    public static LoadedProfile<ServerProfile> LoadServer(string spec, SideOptions side, string? target, string? certificateFile)
    {
        if (TryWindows(spec, out var os))
        {
            var policy = BuildPolicy(os, side, snapshot: null);
            var (cert, certAssumption) = ServerCertificate(certificateFile);
            return new(policy.ToServerProfile(cert), spec, "windows", $"{policy.Release.Name} inbound (server role)", [.. Assumptions(policy), .. certAssumption]);
        }
        var (text, root) = ReadJson(spec, "--server");
        using (root)
        {
            var e = root.RootElement;
            if (IsSnapshot(e))
            {
                var policy = BuildPolicy(null, side, Snapshot(text, spec, "--server"));
                var (cert, certAssumption) = ServerCertificate(certificateFile);
                return new(policy.ToServerProfile(cert), spec, "snapshot", $"{policy.Release.Name} inbound (server role, snapshot {Path.GetFileName(spec)})",
                    [.. Assumptions(policy), .. certAssumption]);
            }
            RejectWindowsOptions(side, spec, "--server");
            if (certificateFile is not null) throw new UsageException($"--server-cert applies only to --server windows:<os> or a policy snapshot, not to {spec}");
            if (IsScanDocument(e))
            {
                ScanDocument doc;
                try { doc = ScanJsonMapper.Read(text); }
                catch (Exception ex) when (ex is JsonException or FormatException or NotSupportedException or InvalidOperationException)
                {
                    throw new UsageException($"--server {spec}: not a valid scan document ({ex.Message})");
                }
                var scans = doc.Scans.IsDefault ? [] : doc.Scans;
                if (scans.IsEmpty) throw new UsageException($"--server {spec}: the scan document holds no scans");
                if (scans.Any(s => s is null)) throw new UsageException($"--server {spec}: \"scans\" holds a null entry");
                var scan = target is null ? scans[0] : scans.FirstOrDefault(s => Matches(s, target))
                    ?? throw new UsageException($"--target {target}: not in {spec}; it holds {string.Join(", ", scans.Select(s => s.Target))}");
                return FromScan(scan, spec, "scan", checkReachable: true);
            }
            if (target is not null) throw new UsageException("--target applies only to a `scan --json` document with several scans");
            if (IsServerProfile(e))
            {
                ScanJson? scan;
                try { scan = e.Deserialize(ScanJsonContext.Default.ScanJson); }
                catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
                {
                    throw new UsageException($"--server {spec}: not a valid server profile ({ex.Message})");
                }
                if (scan is null) throw new UsageException($"--server {spec}: empty server profile");
                var reachableGiven = e.TryGetProperty("reachable", out var r) && r.ValueKind == JsonValueKind.False;
                return FromScan(scan, spec, "server-profile", checkReachable: reachableGiven);
            }
            if (IsClientProfile(e))
                throw new UsageException($"--server {spec}: this is a client profile; pass it to --client");
            throw new UsageException($"--server {spec}: no server profile found; expected `scan --json` output, one scan entry (an object with a \"protocols\" array), a `policy export` snapshot, or windows:<os>");
        }
    }

    private static LoadedProfile<ServerProfile> FromScan(ScanJson scan, string spec, string kind, bool checkReachable)
    {
        if (checkReachable && !scan.Reachable)
            throw new UsageException($"--server {spec}: the scan of {scan.Target} did not reach it ({scan.Error ?? "unreachable"}); nothing to simulate against");
        // A scan that stopped early (not TLS, deadline) describes no server: simulating it would invent one.
        if (!string.IsNullOrEmpty(scan.Error))
            throw new InputException($"--server {spec}: the scan of {scan.Target} is incomplete ({scan.Error}); nothing is simulated — scan the target again");
        try
        {
            var profile = ScanJsonMapper.ToProfile(scan);
            if (profile.Protocols.IsEmpty)
                throw new UsageException($"--server {spec}: the profile lists no protocol versions");
            var name = string.IsNullOrEmpty(scan.Target) ? Path.GetFileName(spec) : $"{scan.Target} (scan {Path.GetFileName(spec)})";
            return new(profile, spec, kind, name, []);
        }
        catch (FormatException ex) { throw new UsageException($"--server {spec}: {ex.Message}"); }
    }

    private static bool Matches(ScanJson s, string target) =>
        string.Equals(s.Target, target, StringComparison.OrdinalIgnoreCase)
        || string.Equals($"{s.Host}:{s.Port}", target, StringComparison.OrdinalIgnoreCase)
        || string.Equals($"[{s.Host}]:{s.Port}", target, StringComparison.OrdinalIgnoreCase);

    private static bool TryWindows(string spec, out string os)
    {
        os = "";
        if (!spec.StartsWith(WindowsPrefix, StringComparison.OrdinalIgnoreCase)) return false;
        os = spec[WindowsPrefix.Length..].Trim();
        if (os.Length == 0)
            throw new UsageException($"\"{spec}\" names no Windows release; use windows:<os> with one of {ValidOsNames()}");
        if (!SchannelKnowledge.Default.TryResolveOs(os, out _, out _))
            throw new UsageException($"unknown Windows release \"{os}\" in \"{spec}\"; use windows:<os> with one of {ValidOsNames()} (or an alias such as \"Windows Server 2012 R2\", \"win10\", or a build number)");
        return true;
    }

    /// <summary>Release ids with their short aliases, for messages.</summary>
    public static string ValidOsNames() => string.Join(", ", SchannelKnowledge.Default.Releases.Select(r => r.Id));

    private static SchannelPolicy BuildPolicy(string? os, SideOptions side, PolicySnapshot? snapshot)
    {
        PolicyLoader.ParseUpdates(side.Updates, side.UpdatesOption);
        PolicyLoader.CheckRegFiles(side.RegFiles, side.RegOption);
        return PolicyLoader.Build(new PolicyOptions
        {
            Os = os,
            Updates = side.Updates,
            RegFiles = side.RegFiles,
            DotNet = side.DotNet,
            ProductSetting = side.ProductSetting,
            Snapshot = snapshot,
        });
    }

    private static void RejectWindowsOptions(SideOptions side, string spec, string option)
    {
        if (!side.Updates.IsEmpty) throw new UsageException($"{side.UpdatesOption} applies only to {option} windows:<os> or a policy snapshot, not to {spec}");
        if (!side.RegFiles.IsEmpty) throw new UsageException($"{side.RegOption} applies only to {option} windows:<os> or a policy snapshot, not to {spec}");
        if (side.DotNet is not null || side.ProductSetting is not null)
            throw new UsageException($"--dotnet and --product-setting apply only to --client windows:<os> or a policy snapshot, not to {spec}");
    }

    private static ImmutableArray<PolicyReportAssumption> Assumptions(SchannelPolicy p) =>
        [.. p.Assumptions.Select(a => new PolicyReportAssumption(a.Id, a.Text, a.Ref))];

    private static PolicySnapshot Snapshot(string text, string spec, string option)
    {
        try { return PolicySnapshot.FromJson(text); }
        catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException or FormatException)
        {
            throw new UsageException($"{option} {spec}: not a valid policy snapshot ({e.Message})");
        }
    }

    private static (string Text, JsonDocument Document) ReadJson(string path, string option)
    {
        var text = ReadText(path, option);
        try
        {
            return (text, JsonDocument.Parse(text, JsonOptions));
        }
        catch (JsonException e)
        {
            throw new UsageException($"{option} {path}: not valid JSON (line {(e.LineNumber ?? 0) + 1}: {e.Message.Split(" Path:")[0].Split(" LineNumber:")[0]})");
        }
    }

    private static readonly JsonDocumentOptions JsonOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static JsonDocument? TryParseJson(string text)
    {
        try { return JsonDocument.Parse(text, JsonOptions); }
        catch (JsonException) { return null; }
    }

    private static string ReadText(string path, string option)
    {
        if (Directory.Exists(path)) throw new UsageException($"{option} {path}: is a directory, not a JSON file");
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var reason = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "file not found",
                UnauthorizedAccessException => "access denied",
                _ => e.Message,
            };
            throw new UsageException($"{option} {path}: {reason} (expected windows:<os> or a JSON file)");
        }
    }

    /// <summary>The file is the profile object itself, not a capture document or another wrapper around one (names as the reader matches them).</summary>
    private static bool IsPlainClientProfile(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) return false;
        bool Has(string name) => e.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.Null && p.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        return !Has("captures") && !Has("clientProfile") && (Has("versions") || Has("cipherSuites"));
    }

    /// <summary>A ClientProfile object, a `listen --json` document ("captures") or a single capture ("clientProfile").</summary>
    private static bool IsClientProfile(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object
        && (e.TryGetProperty("captures", out _) || e.TryGetProperty("clientProfile", out _)
            || (e.TryGetProperty("versions", out var v) && v.ValueKind == JsonValueKind.Array && e.TryGetProperty("cipherSuites", out _)));

    private static bool IsSnapshot(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("formatVersion", out _) && e.TryGetProperty("registry", out var r) && r.ValueKind == JsonValueKind.Array;

    private static bool IsScanDocument(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("scans", out var s) && s.ValueKind == JsonValueKind.Array;

    private static bool IsServerProfile(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("protocols", out var p) && p.ValueKind == JsonValueKind.Array
        && !e.TryGetProperty("versions", out _);

    private static (CertificateInfo Certificate, ImmutableArray<PolicyReportAssumption> Assumptions) ServerCertificate(string? file)
    {
        if (file is null)
        {
            return (AssumedServerCertificate.At(TimeProvider.System.GetUtcNow()), [AssumedServerCertificate.PolicyAssumption]);
        }
        try
        {
            var bytes = File.ReadAllBytes(file);
            var text = System.Text.Encoding.ASCII.GetString(bytes);
            using var cert = text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : X509CertificateLoader.LoadCertificate(bytes);
            return (CertificateInfo.FromCertificate(cert), []);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"--server-cert {file}: {(e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : e.Message)}");
        }
        catch (CryptographicException e)
        {
            throw new UsageException($"--server-cert {file}: not a PEM or DER certificate ({e.Message})");
        }
    }
}
