using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using TlsDoctor.Core;
using TlsDoctor.Lab;
using TlsDoctor.Probe.Capture;
using TlsDoctor.Wire;

namespace TlsDoctor.Cli.Tests;

/// <summary>`tlsdoctor listen` end to end: a device connects, the command writes the capture document.</summary>
public sealed class ListenCommandTests
{
    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static async Task<byte[]> SendUntilListeningAsync(int port, byte[] data)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
                await socket.SendAsync(data, SocketFlags.None, cts.Token);
                var buf = new byte[64];
                var n = await socket.ReceiveAsync(buf, SocketFlags.None, cts.Token);
                return buf[..n];
            }
            catch (SocketException) when (attempt < 100)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task<Socket> ConnectUntilListeningAsync(int port)
    {
        for (var attempt = 0; ; attempt++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
                return socket;
            }
            catch (SocketException) when (attempt < 100)
            {
                socket.Dispose();
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Collects what is written (safe across threads) and completes <see cref="Seen"/> once it contains a marker.</summary>
    private sealed class SignallingWriter(string marker) : StringWriter
    {
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly System.Text.StringBuilder _text = new();

        public Task Seen => _seen.Task;

        public string Text
        {
            get { lock (_text) return _text.ToString(); }
        }

        public override void Write(char value) => Append(value.ToString());

        public override void Write(string? value) => Append(value);

        public override void Write(char[] buffer, int index, int count) => Append(new string(buffer, index, count));

        private void Append(string? value)
        {
            if (value is null) return;
            lock (_text)
            {
                _text.Append(value);
                if (_text.ToString().Contains(marker, StringComparison.Ordinal)) _seen.TrySetResult();
            }
        }
    }

    private static byte[] LegacyHello() => ClientHelloBuilder.BuildRecord(new ClientHelloSpec
    {
        LegacyVersion = 0x0301,
        CipherSuites = [0x0039, 0x0033, 0x002F, 0x0035, 0x000A, 0x0005, 0x00FF],
        NoExtensions = true,
    });

    [Fact]
    public async Task Json_capture_is_written_and_loads_as_a_client_profile()
    {
        var port = FreePort();
        var file = Path.Combine(Path.GetTempPath(), $"tlsdoctor-listen-{Guid.NewGuid():N}.json");
        try
        {
            var run = CliHarness.RunAsync("listen", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--count", "1", "--duration", "30", "--json", "-o", file);
            var answer = await SendUntilListeningAsync(port, LegacyHello());
            var r = await run;
            Assert.Equal(0, r.ExitCode);
            Assert.Equal(new byte[] { 0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28 }, answer);
            using var doc = JsonDocument.Parse(r.Out);
            var c = doc.RootElement.GetProperty("captures")[0];
            Assert.StartsWith("127.0.0.1:", c.GetProperty("remote").GetString());
            var hello = c.GetProperty("clientHello");
            Assert.Equal("TLSv1.0", hello.GetProperty("legacyVersion").GetString());
            Assert.Equal("TLS_DHE_RSA_WITH_AES_256_CBC_SHA", hello.GetProperty("cipherSuites")[0].GetString());
            Assert.Equal("TLS_EMPTY_RENEGOTIATION_INFO_SCSV", hello.GetProperty("cipherSuites")[6].GetString());
            Assert.Equal(0, hello.GetProperty("extensions").GetArrayLength());
            Assert.Equal(JsonValueKind.Null, hello.GetProperty("serverName").ValueKind);
            Assert.Equal("769,57-51-47-53-10-5-255,,,", c.GetProperty("ja3").GetString());
            Assert.Matches("^[0-9a-f]{32}$", c.GetProperty("ja3Hash").GetString());
            Assert.StartsWith("t10i070000_", c.GetProperty("ja4").GetString());
            Assert.Equal("TLSv1.0", c.GetProperty("clientProfile").GetProperty("versions")[0].GetString());
            Assert.Equal(0, c.GetProperty("certificateProbe").GetArrayLength());

            // The same document, from stdout or from -o, is a client profile source for diagnose/simulate.
            Assert.Equal(r.Out.Trim(), File.ReadAllText(file).Trim());
            var profile = ClientProfileFiles.Load(file);
            Assert.Equal([TlsVersion.TLSv1_0], profile.Versions.ToArray());
            Assert.Equal(7, profile.CipherSuites.Length);
            Assert.Empty(profile.SignatureSchemes);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Table_output_names_the_suites_and_fingerprints()
    {
        var port = FreePort();
        var run = CliHarness.RunAsync("listen", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--count", "1", "--duration", "30");
        await SendUntilListeningAsync(port, LegacyHello());
        var r = await run;
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("TLS_DHE_RSA_WITH_AES_256_CBC_SHA", r.Out);
        Assert.Contains("JA4", r.Out);
        Assert.Contains("t10i0700", r.Out);
        Assert.Contains("handshake_failure alert", r.Out);
        Assert.Contains("listening on 127.0.0.1:", r.Error);
    }

    /// <summary>Issue 15 #20: `--duration` is the run's limit (it was `listen --timeout`); the stop reason keeps its JSON name "timeout".</summary>
    [Fact]
    public async Task Nothing_connecting_before_the_duration_exits_3()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = await CliHarness.RunAsync("listen", "--port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), "--duration", "0.5", "--json");
        clock.Stop();
        Assert.Equal(3, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("timeout", doc.RootElement.GetProperty("stop").GetString());
        Assert.Equal(0, doc.RootElement.GetProperty("captures").GetArrayLength());
        Assert.Contains("nothing connected", r.Error);
        Assert.DoesNotContain("note:", r.Error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"--duration 0.5 took {clock.Elapsed}");
    }

    /// <summary>
    /// Issue 15 #20: `--timeout` (and its old name `--read-timeout`) bounds each read, as in every other command: a client
    /// that connects and sends nothing is dropped after it, while the listener goes on until `--duration` and captures
    /// the next client's hello.
    /// </summary>
    [Theory]
    [InlineData("--timeout")]
    [InlineData("--read-timeout")]
    public async Task Timeout_bounds_each_read_and_the_listener_runs_until_the_duration(string readOption)
    {
        var port = FreePort();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = CliHarness.RunAsync("listen", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), readOption, "0.5", "--duration", "6", "--json");

        // A silent client: connects, sends nothing, waits for the listener to give up on it.
        using var silent = await ConnectUntilListeningAsync(port);
        var connected = clock.Elapsed;
        var buf = new byte[16];
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            try { Assert.Equal(0, await silent.ReceiveAsync(buf, SocketFlags.None, wait.Token)); }
            catch (SocketException) { /* a reset is a drop as well */ }
        }
        var dropped = clock.Elapsed - connected;
        Assert.False(run.IsCompleted, $"the run ended with the silent client (after {clock.Elapsed}), not at --duration");
        Assert.True(dropped < TimeSpan.FromSeconds(5), $"the silent client was dropped after {dropped}, not after the 0.5 s read timeout");

        // The listener carries on: the next client's hello is captured and refused.
        var answer = await SendUntilListeningAsync(port, LegacyHello());
        Assert.Equal(new byte[] { 0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28 }, answer);

        var r = await run;
        clock.Stop();
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("note:", r.Error);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("timeout", doc.RootElement.GetProperty("stop").GetString());
        var captures = doc.RootElement.GetProperty("captures");
        Assert.Equal(2, captures.GetArrayLength());
        Assert.Equal("no complete ClientHello within 0.5 s (0 byte(s) received)", captures[0].GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, captures[0].GetProperty("clientHello").ValueKind);
        Assert.True(captures[0].GetProperty("elapsedMs").GetInt64() < 5000);
        Assert.Equal(JsonValueKind.Null, captures[1].GetProperty("error").ValueKind);
        Assert.Equal("TLSv1.0", captures[1].GetProperty("clientHello").GetProperty("legacyVersion").GetString());
        // The run lasted its --duration (6 s), not until the first read timed out, and not indefinitely.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(5.9), $"the run ended after {clock.Elapsed}, before its 6 s --duration");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(40), $"the run took {clock.Elapsed} for a 6 s --duration");
    }

    /// <summary>
    /// Issue 15 #20: a script written for the old meaning (`listen --timeout 60` = the run's limit) gets one line on
    /// stderr, never on stdout (which may be JSON); not with --duration or --count, and not for the old name --read-timeout.
    /// </summary>
    [Theory]
    [InlineData(true, "--timeout", "60")]
    [InlineData(true, "--timeout=60")]
    [InlineData(false, "--timeout", "60", "--duration", "60")]
    [InlineData(false, "--timeout", "60", "--count", "5")]
    [InlineData(false, "--read-timeout", "60")]
    [InlineData(false)]
    public async Task Timeout_without_duration_or_count_prints_one_note_on_stderr(bool note, params string[] options)
    {
        var output = new StringWriter();
        var error = new SignallingWriter("listening on");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var run = CliApp.RunAsync(["listen", "--port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", .. options], TestConsoles.Create(output, error), cts.Token);
        // Nothing ends this run by itself (no client comes): Ctrl+C once it listens (or at once if it failed).
        await Task.WhenAny(error.Seen, run).WaitAsync(TimeSpan.FromSeconds(60));
        await cts.CancelAsync();
        await run;

        using var doc = JsonDocument.Parse(output.ToString());
        Assert.Equal("cancelled", doc.RootElement.GetProperty("stop").GetString());
        Assert.DoesNotContain("note", output.ToString(), StringComparison.Ordinal);
        var lines = error.Text.Split('\n').Where(l => l.Contains("note:", StringComparison.Ordinal)).ToList();
        if (!note)
        {
            Assert.Empty(lines);
            return;
        }
        Assert.Equal("note: listen --timeout is the per-read limit; the run's limit is --duration (changed in issue 15)", Assert.Single(lines).TrimEnd('\r'));
    }

    [Theory]
    [InlineData("--port", "0")]
    [InlineData("--port", "443", "--address", "not-an-ip")]
    [InlineData("--port", "443", "--count", "0")]
    [InlineData("--port", "443", "--timeout", "-1")]
    [InlineData("--port", "443", "--read-timeout", "0")]
    [InlineData("--port", "443", "--duration", "0")]
    [InlineData("--port", "443", "--duration", "-1")]
    [InlineData("--port", "443", "-o", "/nonexistent-dir/x.json")]
    public async Task Bad_arguments_exit_2(params string[] args)
    {
        var r = await CliHarness.RunAsync(["listen", .. args]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error", r.Error);
        Assert.DoesNotContain("   at ", r.Error);
    }

    [Fact]
    public async Task Port_already_in_use_exits_2()
    {
        using var busy = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        busy.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        busy.Listen();
        var r = await CliHarness.RunAsync("listen", "--port", ((IPEndPoint)busy.LocalEndPoint!).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--duration", "1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("cannot listen", r.Error);
    }

    [Fact]
    public async Task Probe_certs_finds_what_the_legacy_device_accepts()
    {
        var port = FreePort();
        var run = CliHarness.RunAsync("listen", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--probe-certs", "--duration", "90", "--json");
        var results = new List<LabClientResult>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!run.IsCompleted && results.Count < 10 && DateTime.UtcNow < deadline)
        {
            var x = await LabClients.RunLegacyClientAsync(new IPEndPoint(IPAddress.Loopback, port), new LegacyClientOptions(), CancellationToken.None);
            // Not listening yet (or any more): only real handshakes count.
            if (x.Stage == LabClientStage.Connect) await Task.WhenAny(run, Task.Delay(100));
            else results.Add(x);
        }
        var r = await run;
        Assert.Equal(0, r.ExitCode);
        // ECDSA is settled without a connection (the device offers no ECDSA suite): four connections for five certificates.
        Assert.Equal(4, results.Count);
        Assert.All(results, x => Assert.False(x.Completed));
        Assert.Equal(AlertDescription.UnsupportedCertificate, results[0].Alert);
        Assert.Equal(AlertDescription.UnknownCa, results[2].Alert);

        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("certificates-done", doc.RootElement.GetProperty("stop").GetString());
        var c = doc.RootElement.GetProperty("captures")[0];
        var probe = c.GetProperty("certificateProbe").EnumerateArray().ToDictionary(a => a.GetProperty("certificate").GetString()!, a => a);
        Assert.Equal("rejected", probe["RSA-2048/SHA-256"].GetProperty("verdict").GetString());
        Assert.Equal("unsupported_certificate", probe["RSA-2048/SHA-256"].GetProperty("alert").GetString());
        Assert.True(probe["RSA-2048/SHA-256"].GetProperty("alertSentByDevice").GetBoolean());
        Assert.Equal("rejected", probe["RSA-2048/SHA-1"].GetProperty("verdict").GetString());
        Assert.Equal("untrusted", probe["RSA-1024/SHA-1"].GetProperty("verdict").GetString());
        Assert.Equal("unknown_ca", probe["RSA-1024/SHA-1"].GetProperty("alert").GetString());
        Assert.Equal("TLSv1.0", probe["RSA-1024/SHA-1"].GetProperty("version").GetString());
        Assert.Equal("not-applicable", probe["ECDSA-P256/SHA-256"].GetProperty("verdict").GetString());
        Assert.Equal(JsonValueKind.Null, probe["ECDSA-P256/SHA-256"].GetProperty("connection").ValueKind);
        Assert.Equal("rejected", probe["RSA-1024/SHA-256"].GetProperty("verdict").GetString());
        Assert.Equal("bad_certificate", probe["RSA-1024/SHA-256"].GetProperty("alert").GetString());

        var summary = c.GetProperty("certificateSummary");
        Assert.Equal("RSA-1024/SHA-1", summary.GetProperty("strongest").GetString());
        Assert.True(summary.GetProperty("checksTrust").GetBoolean());
        var profile = c.GetProperty("clientProfile");
        Assert.Equal(1024, profile.GetProperty("rsaMaxBits").GetInt32());
        Assert.Equal("sha1", Assert.Single(profile.GetProperty("acceptedCertificateHashes").EnumerateArray()).GetString());
        // The device's ClientHello is captured as well: TLS 1.0 only, no signature_algorithms.
        Assert.Equal("TLSv1.0", Assert.Single(profile.GetProperty("versions").EnumerateArray()).GetString());
        Assert.Equal(0, profile.GetProperty("signatureSchemes").GetArrayLength());
    }

    [Fact]
    public async Task Learn_settles_the_lab_tls12_client_and_its_document_feeds_diagnose()
    {
        var port = FreePort();
        var file = Path.Combine(Path.GetTempPath(), $"tlsdoctor-learn-{Guid.NewGuid():N}.json");
        try
        {
            var run = CliHarness.RunAsync("listen", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--learn", "--os", "2008r2", "--duration", "90", "--json", "-o", file);
            var deadline = DateTime.UtcNow.AddSeconds(80);
            while (!run.IsCompleted && DateTime.UtcNow < deadline)
            {
                var x = await LabClients.RunClientAsync(LabProfiles.MfdTls12Client, new IPEndPoint(IPAddress.Loopback, port), new LegacyClientOptions([], TimeSpan.FromSeconds(5)), CancellationToken.None);
                if (x.Stage == LabClientStage.Connect) await Task.WhenAny(run, Task.Delay(100));
            }
            var r = await run;
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("more time(s)", r.Error);
            using var doc = JsonDocument.Parse(r.Out);
            Assert.Equal("learned", doc.RootElement.GetProperty("stop").GetString());
            var c = doc.RootElement.GetProperty("captures")[0];
            var learning = c.GetProperty("learning");
            Assert.True(learning.GetProperty("complete").GetBoolean());
            var limits = learning.GetProperty("limits").EnumerateArray().ToDictionary(l => l.GetProperty("name").GetString()!, l => l);
            Assert.Equal("TLSv1.2", limits["minVersion"].GetProperty("value").GetString());
            Assert.Equal("observed", limits["minVersion"].GetProperty("basis").GetString());
            // The device sends protocol_version and closes; the listener may see the alert or only the close (a race with its own write).
            Assert.Contains(learning.GetProperty("exchanges").EnumerateArray(), e =>
                e.GetProperty("question").GetString() == "lower-version" && e.GetProperty("verdict").GetString() == "rejected"
                && e.GetProperty("answeredVersion").GetString() == "TLSv1.1");
            Assert.Equal("lower-version", c.GetProperty("learnExchange").GetProperty("question").GetString());
            Assert.Equal("observed", c.GetProperty("clientProfile").GetProperty("limits").EnumerateArray()
                .Single(l => l.GetProperty("name").GetString() == "minVersion").GetProperty("basis").GetString());

            // diagnose reads the learned limits back: TD005 as an error on 2008 R2.
            var d = await CliHarness.RunAsync("diagnose", "--client-hello", file, "--os", "2008r2", "--json");
            Assert.Equal(1, d.ExitCode);
            using var report = JsonDocument.Parse(d.Out);
            Assert.Contains(report.RootElement.GetProperty("findings").EnumerateArray(), f =>
                f.GetProperty("id").GetString() == "TD005" && f.GetProperty("severity").GetString() == "error");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Learn_and_probe_certs_together_is_a_usage_error()
    {
        var r = await CliHarness.RunAsync("listen", "--port", "5012", "--learn", "--probe-certs");
        Assert.Equal(2, r.ExitCode);
    }
}
