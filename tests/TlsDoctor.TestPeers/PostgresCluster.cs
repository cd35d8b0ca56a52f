namespace TlsDoctor.TestPeers;

/// <summary>
/// A private PostgreSQL cluster for the tests: initdb into a temporary directory, listening only on a Unix socket in
/// that directory (no TCP port, nothing shared with a server of the machine), stopped and deleted at the end. Tests run
/// as root, which PostgreSQL refuses, so initdb and pg_ctl run as the "postgres" user through runuser.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    /// <summary>The superuser's password (scram-sha-256 authentication, so a wrong one is really refused).</summary>
    public const string Password = "fleet-test-secret";

    private readonly string _bin;
    private readonly string? _runAs;

    private PostgresCluster(string bin, string dir, string? runAs)
    {
        _bin = bin;
        Dir = dir;
        _runAs = runAs;
    }

    /// <summary>The cluster's directory; the socket is in it.</summary>
    public string Dir { get; }

    public const int Port = 5432;

    /// <summary>The directory of initdb and pg_ctl (Debian: /usr/lib/postgresql/VERSION/bin), or null.</summary>
    public static string? FindBin()
    {
        var root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var bin = Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0).FirstOrDefault();
            if (bin is not null) return bin;
        }
        return new[] { "/usr/bin", "/usr/local/bin" }.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    /// <summary>Why PostgreSQL tests cannot run here, or null.</summary>
    public static string? Unavailable() => FindBin() is null
        ? "PostgreSQL is not installed (no initdb/pg_ctl under /usr/lib/postgresql): test.sh installs Debian's postgresql package with apt-get"
        : null;

    /// <summary>Creates and starts a cluster; throws with initdb's or pg_ctl's output when it cannot.</summary>
    public static async Task<PostgresCluster> StartAsync(CancellationToken ct)
    {
        var bin = FindBin() ?? throw new InvalidOperationException(Unavailable());
        var dir = Path.Combine(Path.GetTempPath(), "tlsdoctor-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        var cluster = new PostgresCluster(bin, dir, runAs);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "pw"), Password + "\n", ct).ConfigureAwait(false);
            if (runAs is not null) await Must("chown", ["-R", runAs, dir], ct).ConfigureAwait(false);
            await cluster.Run("initdb", ["-D", cluster.Data, "-U", "postgres", "-A", "scram-sha-256", "--pwfile", Path.Combine(dir, "pw"), "--no-sync"], ct).ConfigureAwait(false);
            // Small and quiet: a Unix socket only, few connections' worth of memory, no fsync (the data is thrown away).
            await cluster.Run("pg_ctl", ["-D", cluster.Data, "-l", Path.Combine(dir, "server.log"), "-w", "-t", "60", "-o",
                $"-k {dir} -c listen_addresses='' -p {Port} -c max_connections=200 -c shared_buffers=16MB -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                "start"], ct).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private string Data => Path.Combine(Dir, "data");

    /// <summary>A libpq-style URI for database <paramref name="db"/>; the password is included only when asked.</summary>
    public string Uri(string db, string? password = null) =>
        $"postgres://postgres{(password is null ? "" : ":" + System.Uri.EscapeDataString(password))}@/{db}?host={Dir}&port={Port}";

    /// <summary>Creates an empty database.</summary>
    public Task CreateDatabaseAsync(string name, CancellationToken ct = default) => Sql("postgres", $"CREATE DATABASE \"{name}\"", ct);

    /// <summary>Runs SQL through psql and returns its unaligned output (rows separated by newlines, fields by '|').</summary>
    public async Task<string> Sql(string db, string sql, CancellationToken ct = default)
    {
        var r = await ProcessRunner.RunAsync(Path.Combine(_bin, "psql"), ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", Dir, "-p", $"{Port}", "-U", "postgres", "-d", db, "-c", sql],
            new Dictionary<string, string> { ["PGPASSWORD"] = Password }, TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
        if (r.ExitCode != 0) throw new InvalidOperationException($"psql failed ({r.CommandLine}): {r.Output}");
        return r.StandardOutput.Trim();
    }

    private async Task Run(string tool, string[] args, CancellationToken ct)
    {
        var exe = Path.Combine(_bin, tool);
        if (_runAs is null) await Must(exe, args, ct).ConfigureAwait(false);
        else await Must("runuser", ["-u", _runAs, "--", exe, .. args], ct).ConfigureAwait(false);
    }

    private static async Task Must(string exe, string[] args, CancellationToken ct)
    {
        var r = await ProcessRunner.RunAsync(exe, args, timeout: TimeSpan.FromSeconds(90), cancellationToken: ct).ConfigureAwait(false);
        if (r.ExitCode != 0) throw new InvalidOperationException($"PostgreSQL could not be started: {r.CommandLine} exited {r.ExitCode}: {r.Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Directory.Exists(Data))
        {
            try { await Run("pg_ctl", ["-D", Data, "-m", "immediate", "-w", "stop"], CancellationToken.None).ConfigureAwait(false); }
            catch (InvalidOperationException) { /* not running */ }
        }
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
