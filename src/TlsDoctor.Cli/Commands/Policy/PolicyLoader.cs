using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using Spectre.Console;
using TlsDoctor.Core;
using TlsDoctor.Schannel.Policy;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Cli.Commands;

/// <summary>
/// Turns the policy options of `policy show` and `simulate --client/--server windows:…` into a policy, reading files
/// first so that every input error names its option or file and becomes a one-line usage error (exit 2).
/// </summary>
public static class PolicyLoader
{
    /// <summary>How long Get-HotFix may take before the update list is treated as unknown.</summary>
    public static readonly TimeSpan HotFixTimeout = TimeSpan.FromSeconds(60);

    /// <summary>KB ids of a repeatable, comma-separated option ("none" = known to have none).</summary>
    public static ImmutableArray<string> ParseUpdates(IEnumerable<string> values, string option)
    {
        try { return UpdateLists.ParseIds(values); }
        catch (FormatException e) { throw new UsageException($"{option}: {e.Message}"); }
    }

    /// <summary>Reads a text file named by an option.</summary>
    public static string ReadText(string path, string option) => InputFiles.ReadAllText(path, option);

    /// <summary>Parses every .reg file once so a broken one is reported with its name and line.</summary>
    public static void CheckRegFiles(IEnumerable<string> files, string option)
    {
        foreach (var file in files)
        {
            var bytes = InputFiles.ReadAllBytes(file, option);
            if (!RegFileReader.TryRead(bytes, out _, out var error)) throw new UsageException($"{option} {file}: line {error!.Line}: {error.Reason}");
        }
    }

    /// <summary>Loads a snapshot written by `policy export`.</summary>
    public static PolicySnapshot LoadSnapshot(string path, string option)
    {
        try { return PolicySnapshot.Load(path); }
        catch (JsonException e) { throw new UsageException($"{option} {path}: not a policy snapshot ({e.Message})"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or InvalidDataException or FormatException)
        {
            throw new UsageException($"{option} {path}: {InputFiles.Reason(e)}");
        }
    }

    /// <summary>Validates --dotnet and --product-setting up front so the message names the option.</summary>
    public static void CheckValues(string? dotnet, string dotnetOption, string? productSetting, string productSettingOption)
    {
        if (dotnet is not null && !DotNetFrameworks.TryParse(dotnet, out _))
            throw new UsageException($"{dotnetOption} \"{dotnet}\" is not one of 4.5, 4.6, 4.7+");
        if (productSetting is not null && !ProductSetting.TryParse(productSetting, out _, out var error))
            throw new UsageException($"{productSettingOption} \"{productSetting}\": {error}");
    }

    /// <summary>Builds the policy; input errors the checks above did not catch still become usage errors.</summary>
    public static SchannelPolicy Build(PolicyOptions options)
    {
        // The policy's own input errors are InputExceptions already; these are the BCL's, from the files it reads.
        try { return WindowsPolicy.Build(options); }
        catch (FormatException e) { throw new UsageException(e.Message); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException) { throw new UsageException(InputFiles.Reason(e)); }
    }

    /// <summary>
    /// Records this Windows machine: the SCHANNEL, .NET and CurrentVersion registry subtrees and Get-HotFix's list.
    /// When Get-HotFix fails the update list stays unknown, which the policy then names as an assumption.
    /// </summary>
    public static async Task<PolicySnapshot> CaptureLiveAsync(CliConsole console, CancellationToken ct)
    {
        if (!OperatingSystem.IsWindows())
            throw new UsageException("the live registry can only be read on Windows");
        console.Error.MarkupLine("[grey]reading installed updates (Get-HotFix)…[/]");
        var (updates, error) = await ReadHotFixesAsync(HotFixTimeout, ct).ConfigureAwait(false);
        if (error is not null)
            console.Error.MarkupLineInterpolated($"[yellow]warning:[/] Get-HotFix failed ({error}); the installed updates are unknown");
        console.Error.MarkupLine("[grey]reading the SCHANNEL, .NET and CurrentVersion registry keys…[/]");
        return PolicySnapshot.CaptureLive(updates, DateTimeOffset.UtcNow);
    }

    /// <summary>Runs Get-HotFix through PowerShell with a timeout; the ids, or default with the reason it failed.</summary>
    public static async Task<(ImmutableArray<string> Updates, string? Error)> ReadHotFixesAsync(TimeSpan timeout, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("powershell.exe")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in new[] { "-NoProfile", "-NonInteractive", "-Command", "Get-HotFix | Select -Expand HotFixID" }) psi.ArgumentList.Add(a);
        Process? process;
        try { process = Process.Start(psi); }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException) { return (default, e.Message); }
        if (process is null) return (default, "powershell.exe did not start");
        using (process)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
            var stderr = process.StandardError.ReadToEndAsync(cts.Token);
            try
            {
                await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
                var text = await stdout.ConfigureAwait(false);
                await stderr.ConfigureAwait(false);
                if (process.ExitCode != 0) return (default, $"exit code {process.ExitCode}");
                // A Windows server always lists some update; an empty answer is a Get-HotFix that did not work (a stub
                // PowerShell, WMI down), not a machine without updates.
                var ids = UpdateLists.ParseText(text);
                return ids.IsEmpty ? (default, "it listed no update") : (ids, null);
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); }
                catch (InvalidOperationException) { /* already gone */ }
                if (ct.IsCancellationRequested) throw;
                return (default, $"no answer within {timeout.TotalSeconds:0} s");
            }
        }
    }
}
