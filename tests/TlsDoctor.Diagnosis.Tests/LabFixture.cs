using TlsDoctor.Diagnosis;
using TlsDoctor.Lab;
using TlsDoctor.Probe;
using TlsDoctor.Schannel.Policy;

namespace TlsDoctor.Diagnosis.Tests;

/// <summary>Every lab server profile of the guide, started once for the test class.</summary>
public sealed class LabFixture : IAsyncLifetime
{
    private LabHost? _host;

    public LabHost Host => _host ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _host = await LabHost.StartAsync(
            [LabProfiles.MfdWeakDh, LabProfiles.MfdBrokenDh, LabProfiles.MfdFakeTls12, LabProfiles.MfdTls12Only, LabProfiles.PaymentSha512, LabProfiles.MfdModern],
            new LabOptions(), cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }

    public ProbeTarget Target(string profile)
    {
        var d = Host.Devices.First(d => d.Profile == profile);
        return new ProbeTarget(d.Endpoint.Address.ToString(), d.Endpoint.Port);
    }
}

/// <summary>Shared helpers for running a diagnosis in tests.</summary>
internal static class Diagnose
{
    public static ProbeOptions Probe { get; } = new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(60));

    public static async Task<DiagnosisReport> RunAsync(DiagnoseOptions options)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await new DiagnosisRunner().RunAsync(options with { Probe = Probe }, null, cts.Token);
    }

    public static PolicyOptions Os(string os, params string[] updates) => new() { Os = os, Updates = [.. updates] };

    public static Finding Single(this DiagnosisReport r, string id) =>
        Assert.Single(r.Findings, f => f.Id == id);

    public static Remedy Remedy(this Finding f, string file) => f.Remedies.First(m => m.Files.Any(x => x.Name == file));

    public static Remedy Remedy(this Finding f, RemedyKind kind) => f.Remedies.First(m => m.Kind == kind);
}
