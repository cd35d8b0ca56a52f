namespace TlsDoctor.TestPeers;

/// <summary>Everything the peers of one test run share: tools, compiled shims, certificates and DH parameter files.</summary>
public sealed record PeerEnvironment(string Directory, PeerTools Tools, PeerCertificates Certificates)
{
    // The one piece of static state: the per-run environment, built once (compiling and key
    // generation take ~1 s) and shared by every fixture of the test process.
    private static readonly Lazy<Task<PeerEnvironment>> Shared = new(() => CreateAsync(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>DH group sizes shipped as fixed PEM files (safe primes made by `openssl dhparam`).</summary>
    public static IReadOnlyList<int> DhParamBits { get; } = [512, 768, 1024];

    /// <summary>The environment of this test run, created on first use.</summary>
    public static Task<PeerEnvironment> GetAsync(CancellationToken cancellationToken = default) =>
        Shared.Value.WaitAsync(cancellationToken);

    /// <summary>Path of the PEM DH parameters of a size in <see cref="DhParamBits"/>.</summary>
    public string DhParamsPath(int bits) =>
        DhParamBits.Contains(bits)
            ? Path.Combine(Directory, $"dh{bits}.pem")
            : throw new ArgumentOutOfRangeException(nameof(bits), bits, "No DH parameters of that size ship with the test peers.");

    /// <summary>Builds a fresh environment in a new temporary directory (tests normally use <see cref="GetAsync"/>).</summary>
    public static async Task<PeerEnvironment> CreateAsync(CancellationToken cancellationToken = default)
    {
        var dir = Path.Combine(Path.GetTempPath(), "tlsdoctor-peers-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        // Best effort: the directory only holds throw-away keys and shims.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { System.IO.Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };

        var tools = PeerTools.CreateAsync(Path.Combine(dir, "shims"), cancellationToken);
        var certs = Task.Run(() => PeerCertificates.Create(Path.Combine(dir, "certs")), cancellationToken);
        foreach (var bits in DhParamBits)
            await File.WriteAllTextAsync(Path.Combine(dir, $"dh{bits}.pem"), PeerTools.ReadResource($"dh{bits}.pem"), cancellationToken).ConfigureAwait(false);
        return new PeerEnvironment(dir, await tools.ConfigureAwait(false), await certs.ConfigureAwait(false));
    }
}
