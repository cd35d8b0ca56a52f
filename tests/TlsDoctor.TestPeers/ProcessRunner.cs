using System.Diagnostics;
using System.Text;

namespace TlsDoctor.TestPeers;

/// <summary>Output of a short-lived helper process (gcc, s_client, gnutls-cli).</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError, bool TimedOut)
{
    /// <summary>stdout and stderr together, for matching lines that either stream may carry.</summary>
    public string Output => StandardOutput + "\n" + StandardError;
}

/// <summary>Runs a process to completion with stdin closed and a hard timeout.</summary>
public static class ProcessRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static async Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        var commandLine = Describe(psi);

        using var process = new Process { StartInfo = psi };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // s_client waits on stdin after the handshake; EOF makes it close the connection and exit.
        process.StandardInput.Close();

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout ?? DefaultTimeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            using var killWait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { await process.WaitForExitAsync(killWait.Token).ConfigureAwait(false); } catch (OperationCanceledException) { }
            cancellationToken.ThrowIfCancellationRequested();
        }
        if (!timedOut) process.WaitForExit(); // flushes the async output readers

        string o, e;
        lock (stdout) o = stdout.ToString();
        lock (stderr) e = stderr.ToString();
        return new ProcessResult(commandLine, timedOut ? -1 : process.ExitCode, o, e, timedOut);
    }

    /// <summary>A shell-like rendering of a start info, with LD_PRELOAD shown, for failure messages.</summary>
    public static string Describe(ProcessStartInfo psi)
    {
        var sb = new StringBuilder();
        if (psi.Environment.TryGetValue("LD_PRELOAD", out var preload) && preload is not null)
            sb.Append("LD_PRELOAD=").Append(Quote(preload)).Append(' ');
        sb.Append(Quote(psi.FileName));
        foreach (var a in psi.ArgumentList) sb.Append(' ').Append(Quote(a));
        return sb.ToString();
    }

    private static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "-_./:=@,+%".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}
