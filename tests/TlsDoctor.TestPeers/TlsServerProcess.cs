using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using TlsDoctor.Core;

namespace TlsDoctor.TestPeers;

/// <summary>A running openssl s_server or gnutls-serv on 127.0.0.1; disposing kills its process tree.</summary>
public sealed class TlsServerProcess : IAsyncDisposable
{
    private const int MaxBufferedChars = 64 * 1024;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();
    private int _disposed;

    private TlsServerProcess(Process process, int port, string commandLine, PeerSpec? spec)
    {
        _process = process;
        Port = port;
        CommandLine = commandLine;
        Spec = spec;
    }

    /// <summary>Always the IPv4 loopback address: test peers never listen elsewhere.</summary>
    public string Host => "127.0.0.1";
    public int Port { get; }
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);
    /// <summary>Shell rendering of the server command, LD_PRELOAD included, for failure messages and docs.</summary>
    public string CommandLine { get; }
    /// <summary>The catalogue spec this server was started from, or null for a custom command.</summary>
    public PeerSpec? Spec { get; }
    public int ProcessId { get; private set; }
    /// <summary>True once the process has ended (always after dispose).</summary>
    public bool HasExited => Volatile.Read(ref _disposed) != 0 || _process.HasExited;
    /// <summary>The last 64 KiB the server wrote to stderr.</summary>
    public string StandardError { get { lock (_stderr) return _stderr.ToString(); } }
    public string StandardOutput { get { lock (_stdout) return _stdout.ToString(); } }

    public override string ToString() => $"{Spec?.Target.ToString() ?? "server"} on {Host}:{Port}";

    /// <summary>Starts the server of a catalogue spec on a free loopback port and waits until it accepts TCP.</summary>
    public static Task<TlsServerProcess> StartAsync(PeerSpec spec, PeerEnvironment environment, CancellationToken cancellationToken = default) =>
        StartAsync(port => ServerCommand.For(spec, environment, port), spec, cancellationToken);

    /// <summary>Starts any server command built for a port (which must make it listen on 127.0.0.1:port).</summary>
    public static async Task<TlsServerProcess> StartAsync(Func<int, ProcessStartInfo> commandForPort, PeerSpec? spec = null, CancellationToken cancellationToken = default)
    {
        const int attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            var port = PickFreePort();
            var server = Launch(commandForPort(port), port, spec);
            try
            {
                await server.WaitUntilListeningAsync(cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (PortInUseException) when (attempt < attempts)
            {
                // Another process took the port between our probe bind and the server's bind.
                await server.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    private static int PickFreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }

    private static TlsServerProcess Launch(ProcessStartInfo psi, int port, PeerSpec? spec)
    {
        psi.UseShellExecute = false;
        psi.RedirectStandardInput = true;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var server = new TlsServerProcess(process, port, ProcessRunner.Describe(psi), spec);
        process.OutputDataReceived += (_, e) => Append(server._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(server._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        server.ProcessId = process.Id;
        return server;
    }

    private static void Append(StringBuilder sb, string? line)
    {
        if (line is null) return;
        lock (sb)
        {
            sb.AppendLine(line);
            if (sb.Length > MaxBufferedChars) sb.Remove(0, sb.Length - MaxBufferedChars);
        }
    }

    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(StartTimeout);
        try
        {
            while (true)
            {
                if (_process.HasExited) throw Died();
                using (var client = new TcpClient(AddressFamily.InterNetwork))
                {
                    try
                    {
                        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
                        attempt.CancelAfter(TimeSpan.FromMilliseconds(500));
                        await client.ConnectAsync(IPAddress.Loopback, Port, attempt.Token).ConfigureAwait(false);
                        // A listener that is not ours (port stolen) shows as our process having died on bind.
                        await Task.Delay(20, cts.Token).ConfigureAwait(false);
                        if (_process.HasExited) throw Died();
                        return;
                    }
                    catch (SocketException) { }
                    catch (OperationCanceledException) when (!cts.IsCancellationRequested) { }
                }
                await Task.Delay(15, cts.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Test server did not accept TCP on {Host}:{Port} within {StartTimeout.TotalSeconds:0} s: {CommandLine}\nstderr:\n{StandardError}");
        }
    }

    private Exception Died()
    {
        // Only the parameterless overload waits for the async readers to deliver the last stderr lines; the process has
        // already exited, so it returns as soon as its pipes reach end of file.
        _process.WaitForExit();
        var stderr = StandardError;
        var message = $"Test server exited with code {_process.ExitCode} before accepting connections: {CommandLine}\nstderr:\n{stderr}\nstdout:\n{StandardOutput}";
        return stderr.Contains("in use", StringComparison.OrdinalIgnoreCase) || StandardOutput.Contains("in use", StringComparison.OrdinalIgnoreCase)
            ? new PortInUseException(message)
            : new InvalidOperationException(message);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { } // exited meanwhile
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        _process.Dispose();
    }

    private sealed class PortInUseException(string message) : Exception(message);
}

/// <summary>Builds the s_server / gnutls-serv command line of a spec.</summary>
public static class ServerCommand
{
    public static ProcessStartInfo For(PeerSpec spec, PeerEnvironment env, int port) =>
        spec.Engine == PeerEngine.OpenSsl ? OpenSsl(spec, env, port) : GnuTls(spec, env, port);

    /// <summary>OpenSSL's spelling of a version for -min_protocol / -max_protocol.</summary>
    public static string OpenSslVersion(TlsVersion v) => v switch
    {
        TlsVersion.TLSv1_0 => "TLSv1",
        TlsVersion.TLSv1_1 => "TLSv1.1",
        TlsVersion.TLSv1_2 => "TLSv1.2",
        TlsVersion.TLSv1_3 => "TLSv1.3",
        _ => throw new ArgumentOutOfRangeException(nameof(v), v, "Debian's OpenSSL 3.0 serves TLS 1.0 to 1.3 only."),
    };

    /// <summary>OpenSSL's name for an IANA group name.</summary>
    public static string OpenSslGroup(string iana) => iana switch
    {
        "x25519" => "X25519",
        "x448" => "X448",
        "secp256r1" => "P-256",
        "secp384r1" => "P-384",
        "secp521r1" => "P-521",
        _ => iana,
    };

    private static ProcessStartInfo OpenSsl(PeerSpec spec, PeerEnvironment env, int port)
    {
        var cert = env.Certificates.Get(spec.Certificate);
        var psi = new ProcessStartInfo(env.Tools.OpenSsl);
        var args = new List<string>
        {
            "s_server", "-accept", $"127.0.0.1:{port}", "-www",
            "-cert", cert.CertificatePath, "-key", cert.KeyPath,
            "-min_protocol", OpenSslVersion(spec.MinVersion), "-max_protocol", OpenSslVersion(spec.MaxVersion),
        };
        if (cert.ChainPath is not null) args.AddRange(["-cert_chain", cert.ChainPath]);
        var legacy = spec.Suites.Where(s => !s.IsTls13).Select(s => s.OpenSslName).ToList();
        if (legacy.Count > 0)
        {
            // Debian's default level 2 refuses DH below 2048 bits, RSA-1024 keys, and (server side) TLS 1.0/1.1.
            var weak = spec.DhBits is < 2048 || spec.MinVersion < TlsVersion.TLSv1_2
                || spec.CertificateFacts.KeyBits < 2048 && spec.CertificateFacts.KeyAlgorithm == "RSA";
            args.AddRange(["-cipher", string.Join(':', legacy) + (weak ? ":@SECLEVEL=0" : "")]);
        }
        var tls13 = spec.Suites.Where(s => s.IsTls13).Select(s => s.OpenSslName).ToList();
        if (tls13.Count > 0) args.AddRange(["-ciphersuites", string.Join(':', tls13)]);
        if (spec.ServerOrder) args.Add("-serverpref");
        if (spec.Groups.Count > 0) args.AddRange(["-groups", string.Join(':', spec.Groups.Select(OpenSslGroup))]);
        if (spec.DhBits is { } bits) args.AddRange(["-dhparam", env.DhParamsPath(bits)]);
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (spec.ServerNeedsSeclevelShim) psi.Environment["LD_PRELOAD"] = env.Tools.SeclevelShim;
        return psi;
    }

    private static ProcessStartInfo GnuTls(PeerSpec spec, PeerEnvironment env, int port)
    {
        var cert = env.Certificates.Get(spec.Certificate);
        var psi = new ProcessStartInfo(env.Tools.GnutlsServ);
        var args = new List<string>
        {
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--x509certfile", cert.CertificatePath, "--x509keyfile", cert.KeyPath,
            "--priority", spec.GnuTlsPriority ?? throw new InvalidOperationException($"{spec.Target}: a GnuTLS target needs a priority string."),
            "--disable-client-cert",
        };
        if (spec.DhBits is { } bits) args.AddRange(["--dhparams", env.DhParamsPath(bits)]);
        foreach (var a in args) psi.ArgumentList.Add(a);
        // gnutls-serv has no listen-address option; the shim keeps it off every non-loopback interface.
        psi.Environment["LD_PRELOAD"] = env.Tools.BindShim;
        return psi;
    }
}
