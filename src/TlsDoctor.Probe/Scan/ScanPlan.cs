using System.Collections.Immutable;
using TlsDoctor.Core;

namespace TlsDoctor.Probe;

/// <summary>
/// One step of a scan (sslyze's plugin shape): it asks for connections one at a time and folds each answer into the
/// state. No I/O and no clock: the runner performs the requests, so a step is tested from recorded answers alone.
/// </summary>
internal interface IScanStep
{
    /// <summary>Prepares the step's own bookkeeping from what earlier steps found (may stop the scan).</summary>
    ScanState Enter(ScanState state) => state;

    /// <summary>The next connection this step needs, or null when it is done.</summary>
    ProbeRequest? Next(ScanState state);

    /// <summary>The state after the answer to <see cref="Next"/>'s request; the attempt is already in <see cref="ScanState.Attempts"/>.</summary>
    ScanState Fold(ScanState state, ProbeAttempt attempt);

    /// <summary>The progress line while the request runs.</summary>
    string Label(ScanState state, ProbeRequest request) => request.Step switch
    {
        ProbeStep.Versions or ProbeStep.Tolerance => "versions",
        ProbeStep.Suites => $"cipher suites {request.Version?.Name()}",
        ProbeStep.Groups => "groups",
        ProbeStep.Ffdhe => "dh with ffdhe",
        ProbeStep.FullHandshake => $"full handshake {request.Version?.Name()}",
        _ => "order",
    };
}

/// <summary>The steps of a scan, in order.</summary>
internal static class ScanPlan
{
    /// <summary>The scan of one target: versions (with the tolerance ladder), suites per version, groups, FFDHE, full
    /// handshakes (when asked for) and the remaining order checks.</summary>
    public static ImmutableArray<IScanStep> Scan(ProbeOptions options) =>
    [
        new FirstHelloStep(),
        new ToleranceStep(),
        new VersionStep(),
        new SuiteStep(),
        new ChunkOrderStep(),
        new GroupStep(),
        new FfdheStep(),
        .. options.FullHandshakes ? [new FullHandshakeStep()] : Array.Empty<IScanStep>(),
        new OrderStep(),
    ];
}
