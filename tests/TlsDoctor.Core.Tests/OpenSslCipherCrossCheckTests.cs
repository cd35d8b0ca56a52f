using System.Diagnostics;
using System.Globalization;
using TlsDoctor.Core;

namespace TlsDoctor.Core.Tests;

/// <summary>Checks the registry against the OpenSSL binary on this machine, when there is one.</summary>
public class OpenSslCipherCrossCheckTests
{
    [Fact]
    public async Task Every_suite_local_openssl_knows_has_the_same_code_name_and_oldest_version()
    {
        var lines = await RunOpenSslCiphersAsync();
        if (lines is null) return; // no openssl binary: nothing to compare against

        var checkedCount = 0;
        foreach (var line in lines)
        {
            // "          0xC0,0x2F - ECDHE-RSA-AES128-GCM-SHA256    TLSv1.2 Kx=ECDH     Au=RSA   Enc=AESGCM(128)  Mac=AEAD"
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 4 || f[1] != "-" || f[0].Length != 9) continue; // SSLv2 three-byte specs have another shape
            var code = (ushort)((byte.Parse(f[0].AsSpan(2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) << 8) |
                                byte.Parse(f[0].AsSpan(7, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            var suite = CipherSuites.Get(code);
            Assert.True(suite.Known, $"openssl lists {f[0]} {f[2]}, the registry does not");
            Assert.Equal(f[2], suite.OpenSslName);
            Assert.True(CipherSuites.TryParse(f[2], out var byName));
            Assert.Equal(code, byName.Code);
            Assert.True(TlsVersions.TryParse(f[3], out var min), f[3]);
            Assert.True(min == suite.MinVersion, $"{suite.Name}: openssl says {f[3]}, registry {suite.MinVersion.Name()}");
            checkedCount++;
        }
        Assert.True(checkedCount >= 30, $"only {checkedCount} suites compared; openssl output changed shape?");
    }

    private static async Task<string[]?> RunOpenSslCiphersAsync()
    {
        var psi = new ProcessStartInfo("openssl", ["ciphers", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process? p;
        try { p = Process.Start(psi); }
        catch (System.ComponentModel.Win32Exception) { return null; }
        if (p is null) return null;
        using (p)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                var stdout = p.StandardOutput.ReadToEndAsync(cts.Token);
                _ = p.StandardError.ReadToEndAsync(cts.Token);
                await p.WaitForExitAsync(cts.Token);
                return p.ExitCode == 0 ? (await stdout).Split('\n') : null;
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException("openssl ciphers did not finish in 15 s");
            }
        }
    }
}
