using TlsDoctor.TestPeers;

namespace TlsDoctor.Fleet.Tests;

/// <summary>Headless Chromium for reading a page as a person sees it (the DOM after its scripts ran).</summary>
internal static class Chromium
{
    public static string? Find() =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    public static async Task<string> DumpDomAsync(string exe, string url, string tempDir, string windowSize = "1280,1024")
    {
        var profile = Path.Combine(tempDir, "chromium-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(profile);
        var r = await ProcessRunner.RunAsync(exe,
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", $"--user-data-dir={profile}", $"--window-size={windowSize}", "--dump-dom", url,
        ], timeout: TimeSpan.FromSeconds(60));
        Assert.False(r.TimedOut, "chromium timed out: " + r.StandardError);
        Assert.True(r.ExitCode == 0, $"chromium exited {r.ExitCode}: {r.StandardError}");
        return r.StandardOutput;
    }
}

/// <summary>A fact that is skipped, with the reason, where no Chromium is installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Find() is null)
            Skip = "chromium is not installed: test.sh installs Debian's chromium package, which needs apt-get and root (or sudo)";
    }
}
