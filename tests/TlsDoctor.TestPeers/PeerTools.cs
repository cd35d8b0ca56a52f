using System.Reflection;

namespace TlsDoctor.TestPeers;

/// <summary>Native tools the test peers run, and the two LD_PRELOAD shims compiled for this test run.</summary>
/// <param name="OpenSsl">The openssl CLI (s_server, s_client).</param>
/// <param name="GnutlsServ">gnutls-serv: serves RC4 and 3DES, which Debian's OpenSSL 3.0 cannot.</param>
/// <param name="GnutlsCli">gnutls-cli: the only local client that can negotiate RC4 and 3DES.</param>
/// <param name="SeclevelShim">LD_PRELOAD library that lets openssl serve and accept DH below 1024 bits and TLS 1.0 DHE.</param>
/// <param name="BindShim">LD_PRELOAD library that turns gnutls-serv's wildcard bind into a loopback bind.</param>
public sealed record PeerTools(string OpenSsl, string GnutlsServ, string GnutlsCli, string Gcc, string SeclevelShim, string BindShim)
{
    /// <summary>Finds the tools on PATH and compiles the shims into <paramref name="directory"/>.</summary>
    public static async Task<PeerTools> CreateAsync(string directory, CancellationToken cancellationToken = default)
    {
        var openssl = Require("openssl", "openssl");
        var gnutlsServ = Require("gnutls-serv", "gnutls-bin");
        var gnutlsCli = Require("gnutls-cli", "gnutls-bin");
        var gcc = FindOnPath("gcc") ?? FindOnPath("cc") ?? throw Missing("gcc", "gcc");
        if (!File.Exists("/usr/include/openssl/ssl.h"))
            throw Missing("/usr/include/openssl/ssl.h", "libssl-dev");

        Directory.CreateDirectory(directory);
        var seclevel = Path.Combine(directory, "seclevel_off.so");
        var bind = Path.Combine(directory, "bind_loopback.so");
        await Task.WhenAll(
            CompileAsync(gcc, "seclevel_off.c", seclevel, ["-lssl", "-ldl"], directory, cancellationToken),
            CompileAsync(gcc, "bind_loopback.c", bind, ["-ldl"], directory, cancellationToken)).ConfigureAwait(false);
        return new PeerTools(openssl, gnutlsServ, gnutlsCli, gcc, seclevel, bind);
    }

    /// <summary>Environment for a process that should run with the SECLEVEL shim preloaded.</summary>
    public IReadOnlyDictionary<string, string> SeclevelEnvironment => new Dictionary<string, string> { ["LD_PRELOAD"] = SeclevelShim };

    /// <summary>Environment for gnutls-serv, so that it listens on loopback only.</summary>
    public IReadOnlyDictionary<string, string> BindEnvironment => new Dictionary<string, string> { ["LD_PRELOAD"] = BindShim };

    private static async Task CompileAsync(string gcc, string resource, string output, string[] libs, string directory, CancellationToken ct)
    {
        var source = Path.Combine(directory, resource);
        await File.WriteAllTextAsync(source, ReadResource(resource), ct).ConfigureAwait(false);
        var result = await ProcessRunner.RunAsync(gcc, ["-shared", "-fPIC", "-O2", "-o", output, source, .. libs],
            timeout: TimeSpan.FromSeconds(60), cancellationToken: ct).ConfigureAwait(false);
        if (result.ExitCode != 0 || !File.Exists(output))
            throw new InvalidOperationException($"Compiling the test shim {resource} failed ({result.CommandLine}):\n{result.Output}");
    }

    internal static string ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("TlsDoctor.TestPeers." + name)
            ?? throw new InvalidOperationException($"Embedded resource {name} is missing from TlsDoctor.TestPeers.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string Require(string exe, string package) => FindOnPath(exe) ?? throw Missing(exe, package);

    private static InvalidOperationException Missing(string what, string package) =>
        new($"Test peers need {what} (Debian package {package}); ./test.sh installs it with apt-get.");

    private static string? FindOnPath(string exe)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(Path.PathSeparator))
        {
            if (dir.Length == 0) continue;
            var candidate = Path.Combine(dir, exe);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
