using System.Collections.Immutable;
using TlsDoctor.Schannel.Knowledge;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Schannel.Policy;

/// <summary>Command-line style options of `policy show` / `simulate --client windows:…`.</summary>
public sealed record PolicyOptions
{
    /// <summary>--os: release id, alias, OS name or build number; null = from the snapshot or registry.</summary>
    public string? Os { get; init; }
    /// <summary>--build: the OS build and revision (CurrentBuild.UBR, "14393.3542"); also names the release when --os is absent.</summary>
    public string? Build { get; init; }
    /// <summary>--updates values (comma-separated, repeatable, "none"); empty and no file = unknown (all known updates assumed).</summary>
    public ImmutableArray<string> Updates { get; init; } = [];
    /// <summary>Content of --updates-file (Get-HotFix or systeminfo output).</summary>
    public string? UpdatesFileText { get; init; }
    /// <summary>--reg files, applied in order.</summary>
    public ImmutableArray<string> RegFiles { get; init; } = [];
    /// <summary>--dotnet 4.5|4.6|4.7+.</summary>
    public string? DotNet { get; init; }
    /// <summary>--product-setting "Tls11, Tls12".</summary>
    public string? ProductSetting { get; init; }
    /// <summary>A snapshot written by `policy export` (its registry comes first, --reg files are applied over it).</summary>
    public PolicySnapshot? Snapshot { get; init; }
}

/// <summary>Entry points that turn user options into a policy.</summary>
public static class WindowsPolicy
{
    /// <summary>
    /// Builds the policy from options. Input errors are typed: <see cref="PolicyInputException"/> (unknown or
    /// missing OS, bad --dotnet), <see cref="FormatException"/> (bad KB id), <see cref="RegParseException"/> (broken .reg,
    /// with line), <see cref="ProductSettingException"/> (bad product setting).
    /// </summary>
    public static SchannelPolicy Build(PolicyOptions options, SchannelKnowledge? knowledge = null)
    {
        var k = knowledge ?? SchannelKnowledge.Default;
        return SchannelPolicyBuilder.Build(ToInputs(options, k), k);
    }

    /// <summary>
    /// Applies the options (--os, --updates, --reg, --dotnet, --product-setting) over <paramref name="start"/> (default:
    /// the snapshot's inputs, or none). Throws the same typed input errors as <see cref="Build"/>.
    /// </summary>
    public static PolicyInputs ToInputs(PolicyOptions options, SchannelKnowledge? knowledge = null, PolicyInputs? start = null)
    {
        var k = knowledge ?? SchannelKnowledge.Default;
        var inputs = start ?? options.Snapshot?.ToInputs() ?? new PolicyInputs();
        if (options.Os is not null)
        {
            if (!k.TryResolveOs(options.Os, out var release, out var match))
                throw new PolicyInputException($"unknown Windows release \"{options.Os}\"; use one of {string.Join(", ", k.Releases.Select(r => r.Id))}, an OS name or a build number");
            inputs = inputs with { Release = release, Build = match.Build ?? release.Build, Ubr = match.Ubr ?? inputs.Ubr, BuildMappedToNearest = match.Nearest };
        }
        if (options.Build is not null) inputs = WithBuild(inputs, options.Build, k);
        var ids = UpdateLists.ParseIds(options.Updates.IsDefault ? [] : options.Updates);
        if (options.UpdatesFileText is { } text) ids = [.. ids.Concat(UpdateLists.ParseText(text)).Distinct(StringComparer.OrdinalIgnoreCase)];
        if (!options.Updates.IsDefaultOrEmpty || options.UpdatesFileText is not null) inputs = inputs with { Updates = ids };
        var registry = inputs.Registry;
        foreach (var file in options.RegFiles.IsDefault ? [] : options.RegFiles)
            registry = registry.Apply(RegFileReader.ReadFile(file), Path.GetFileName(file));
        inputs = inputs with { Registry = registry };
        if (options.DotNet is not null)
        {
            if (!DotNetFrameworks.TryParse(options.DotNet, out var f)) throw new PolicyInputException($"--dotnet \"{options.DotNet}\" is not one of 4.5, 4.6, 4.7+");
            inputs = inputs with { DotNet = f };
        }
        if (options.ProductSetting is not null) inputs = inputs with { ProductSetting = Policy.ProductSetting.Parse(options.ProductSetting) };
        return inputs;
    }

    /// <summary>Applies --build: the build and revision, and the release when none was given; a build of another release is an input error.</summary>
    private static PolicyInputs WithBuild(PolicyInputs inputs, string text, SchannelKnowledge k)
    {
        if (!k.TryResolveOs(text, out var release, out var match) || match.Build is not { } build)
            throw new PolicyInputException($"--build \"{text}\" is not an OS build such as 14393.3542 (CurrentBuild.UBR) or 10.0.17763");
        if (inputs.Release is { } given && given.Id != release.Id && !match.Nearest)
            throw new PolicyInputException($"--build {text} is {release.Name}, not {given.Name}");
        return inputs with
        {
            Release = inputs.Release ?? release,
            Build = build,
            Ubr = match.Ubr ?? inputs.Ubr,
            BuildMappedToNearest = inputs.Release is null ? match.Nearest : inputs.BuildMappedToNearest,
        };
    }

    /// <summary>The default policy of a release ("2012r2", "Windows Server 2019", "17763"), for `simulate --client windows:2012r2`.</summary>
    public static SchannelPolicy ForOs(string os, IEnumerable<string>? updates = null) =>
        Build(new PolicyOptions { Os = os, Updates = updates is null ? [] : [.. updates] });
}
