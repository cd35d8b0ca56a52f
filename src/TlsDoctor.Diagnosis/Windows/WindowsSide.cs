using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Schannel.Knowledge;
using TlsDoctor.Schannel.Policy;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Diagnosis;

/// <summary>
/// The Windows side of a diagnosis: the inputs the policy is computed from (so a remedy can change them and the
/// policy be computed again) and the resulting policy.
/// </summary>
public sealed record WindowsSide(PolicyInputs Inputs, SchannelPolicy Policy, ImmutableArray<ReportAssumption> OwnAssumptions)
{
    /// <summary>Release used when nothing says which Windows it is and the local registry is not available.</summary>
    public const string DefaultOs = "2016";

    /// <summary>Registry origin of a policy read from this machine's own registry.</summary>
    public const string LiveRegistryOrigin = "live registry";

    /// <summary>True when the policy is this machine's (read from its live registry), so its own SCHANNEL can check the model.</summary>
    public bool IsThisMachine => Inputs.RegistryOrigin == LiveRegistryOrigin;

    /// <summary>
    /// Builds the policy from options as WindowsPolicy.Build does, keeping the inputs. With no policy option at all it
    /// reads the local machine on Windows and otherwise assumes <see cref="DefaultOs"/> with every known update.
    /// Every input error (unknown release or update, broken .reg, product setting, unreadable file) is an
    /// <see cref="InputException"/>.
    /// </summary>
    public static WindowsSide Build(PolicyOptions options, SchannelKnowledge? knowledge = null, bool allowLocal = true)
    {
        try
        {
            return BuildUnchecked(options, knowledge ?? SchannelKnowledge.Default, allowLocal);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new InputException(e is FormatException ? e.Message : InputFiles.Reason(e), e);
        }
    }

    private static WindowsSide BuildUnchecked(PolicyOptions options, SchannelKnowledge k, bool allowLocal)
    {
        var own = ImmutableArray.CreateBuilder<ReportAssumption>();
        var none = options.Os is null && options.Build is null && options.Updates.IsDefaultOrEmpty && options.UpdatesFileText is null && options.RegFiles.IsDefaultOrEmpty
                   && options.DotNet is null && options.ProductSetting is null && options.Snapshot is null;
        var inputs = options.Snapshot?.ToInputs() ?? new PolicyInputs();
        if (none && allowLocal && LiveRegistry.Available && OperatingSystem.IsWindows())
        {
            inputs = inputs with { Registry = LiveRegistry.Read(RegistryPaths.SnapshotRoots), RegistryOrigin = LiveRegistryOrigin };
            own.Add(new("local-machine", "No policy option was given: the policy is read from this machine's registry; installed updates are not read (all known updates for the release are assumed)."));
        }
        else if (options.Os is null && options.Build is null && options.Snapshot is null && !HasCurrentVersion(options))
        {
            options = options with { Os = DefaultOs };
            own.Add(new("default-windows", none
                ? $"No policy option was given and this is not Windows: the Terminal Server is assumed to run Windows Server 2016 with every known update (give --os, --updates, --reg to describe the real server)."
                : $"No --os was given: the Terminal Server is assumed to run Windows Server 2016."));
        }
        inputs = WindowsPolicy.ToInputs(options, k, inputs);
        if (!options.RegFiles.IsDefaultOrEmpty) inputs = inputs with { RegistryOrigin = ".reg files" };
        return new WindowsSide(inputs, SchannelPolicyBuilder.Build(inputs, k), own.ToImmutable());
    }

    // A registry export that names the build (CurrentVersion) lets the policy find the release without --os.
    private static bool HasCurrentVersion(PolicyOptions options)
    {
        foreach (var f in options.RegFiles.IsDefault ? [] : options.RegFiles)
        {
            try
            {
                if (RegistryState.Empty.Apply(RegFileReader.ReadFile(f)).Get(RegistryPaths.CurrentVersion, "CurrentBuild") is not null) return true;
            }
            catch (Exception e) when (e is RegParseException or IOException or UnauthorizedAccessException)
            {
                return false; // Build reports the error with its line
            }
        }
        return false;
    }

    /// <summary>The policy computed again with changed inputs (a remedy applied).</summary>
    public WindowsSide With(Func<PolicyInputs, PolicyInputs> change)
    {
        var inputs = change(Inputs);
        return this with { Inputs = inputs, Policy = SchannelPolicyBuilder.Build(inputs) };
    }

    /// <summary>The policy with a .reg document applied over the registry.</summary>
    public WindowsSide WithRegistry(RegDocument change, string origin) =>
        With(i => i with { Registry = i.Registry.Apply(change, origin) });

    /// <summary>The policy with one more installed update (the updates list becomes explicit).</summary>
    public WindowsSide WithUpdate(string kb) =>
        With(i => i with { Updates = [.. (i.Updates ?? Policy.Updates).Append(kb).Distinct(StringComparer.OrdinalIgnoreCase)] });

    /// <summary>The policy with the product setting replaced.</summary>
    public WindowsSide WithProductSetting(ProductSetting setting) => With(i => i with { ProductSetting = setting });

    /// <summary>The policy on another release with the same registry and settings (an OS upgrade).</summary>
    public WindowsSide WithRelease(WindowsRelease release) =>
        With(i => i with { Release = release, Build = release.Build, Ubr = null, Updates = null, BuildMappedToNearest = false });

    /// <summary>"Windows Server 2012 R2 (build 9600)".</summary>
    public string Describe() => $"{Policy.Release.Name} (build {Policy.Build}{(Policy.Ubr is { } u ? "." + u : "")})";

    /// <summary>Every assumption: the diagnosis' own, then the policy's.</summary>
    public ImmutableArray<ReportAssumption> AllAssumptions =>
        [.. OwnAssumptions, .. Policy.Assumptions.Select(a => new ReportAssumption(a.Id, a.Text))];
}
