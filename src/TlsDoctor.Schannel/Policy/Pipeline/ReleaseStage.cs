using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Schannel.Knowledge;

namespace TlsDoctor.Schannel.Policy.Pipeline;

/// <summary>Stage 1: which release, and its defaults as Microsoft's tables give them.</summary>
internal static class ReleaseStage
{
    /// <summary>SHA-512 schemes SCHANNEL adds to signature_algorithms where SHA-512 in TLS 1.2 works.</summary>
    private static readonly string[] Sha512Schemes = ["rsa_pkcs1_sha512", "ecdsa_secp521r1_sha512"];

    public static PolicyDraft Start(PolicyInputs inputs, SchannelKnowledge k)
    {
        var (release, build, ubr, nearest) = Identify(inputs, k);
        var label = $"{release.Name} default";
        var dh = release.Dh;
        var lz = release.DhLeadingZeroFixed;
        var sha = release.Sha512InTls12;
        var draft = new PolicyDraft
        {
            Knowledge = k,
            Inputs = inputs,
            Release = release,
            Build = build ?? release.Build,
            Ubr = ubr,
            ClientProtocols = Protocols(release, client: true),
            ServerProtocols = Protocols(release, client: false),
            SuiteList = [.. Norm(release.CipherSuites.Enabled).Where(r => !r.ExplicitOnly).Select(r => new DraftSuite(r, new Source(Source.ReleaseDefault, label, release.CipherSuites.Source)))],
            Groups = [.. release.Curves.Enabled.Select(n => new Sourced<NamedGroup>(Vocabulary.Group(n), new Source(Source.ReleaseDefault, label, release.Curves.Source)))],
            DhClientMinBits = new(dh.ClientMinBits.Value, new Source(Source.ReleaseDefault, label, dh.ClientMinBits.Source)),
            DhClientMaxBits = new(dh.ClientMaxBits.Value, new Source(Source.ReleaseDefault, label + ": no maximum", dh.ClientMaxBits.Source)),
            DhServerBits = new(dh.ServerBits.Value, new Source(Source.ReleaseDefault, label, dh.ServerBits.Source)),
            RsaClientMinBits = new(release.RsaClientMinBits.Value, new Source(Source.ReleaseDefault, label, release.RsaClientMinBits.Source)),
            RsaClientMaxBits = new(null, new Source(Source.ReleaseDefault, label + ": no maximum", "S1")),
            Sha512InTls12 = new(sha.Value, new Source(Source.ReleaseDefault, label, sha.Source)),
            DhLeadingZeroFixed = new(lz.Value, new Source(Source.ReleaseDefault, !lz.Value && lz.FixedBy.IsDefaultOrEmpty ? $"{label}: never fixed" : label, lz.Source)),
        };
        draft = WithSignatureSchemes(draft, "standard SCHANNEL signature_algorithms");
        if (nearest) draft = draft.Assume(AssumptionSlot.Release, "build-nearest-release");
        if (Norm(release.CipherSuites.Enabled).Any(r => r.ExplicitOnlyAssumed)) draft = draft.Assume(AssumptionSlot.SuiteTable, "null-suites-explicit-2008");
        return draft
            .Assume(AssumptionSlot.DhServerDefault, dh.ServerBits.Assumption)
            .Assume(AssumptionSlot.Rsa, release.RsaClientMinBits.Assumption)
            .Assume(AssumptionSlot.Sha512Release, sha.Assumption)
            .Assume(AssumptionSlot.SignatureSchemes, release.SignatureSchemes.Assumption);
    }

    /// <summary>The release's signature_algorithms, with the SHA-512 schemes where SHA-512 in TLS 1.2 works.</summary>
    public static PolicyDraft WithSignatureSchemes(PolicyDraft d, string description)
    {
        var names = d.Release.SignatureSchemes.Value.ToList();
        // Where captured hellos show the list with SHA-512, that order; elsewhere the two schemes go after SHA-384 RSA.
        if (d.Sha512InTls12.Value && d.Release.SignatureSchemesWithSha512 is { } with) names = [.. with.Value];
        else if (d.Sha512InTls12.Value)
            foreach (var extra in Sha512Schemes)
                if (!names.Contains(extra)) names.Insert(Math.Min(2, names.Count), extra);
        return d with
        {
            SignatureSchemes = [.. names.Select(Vocabulary.Scheme)],
            SignatureSchemesSource = d.Sha512InTls12.Value && d.Release.SignatureSchemesWithSha512 is { } w
                ? new Source(Source.ReleaseDefault, $"{d.ReleaseLabel} signature_algorithms with SHA-512, as captured hellos show them", w.Source)
                : d.Release.SignatureSchemes.Assumption is { } a
                    ? new Source(Source.AssumptionKind, description, a)
                    : new Source(Source.ReleaseDefault, $"{d.ReleaseLabel} signature_algorithms, as captured hellos show them", d.Release.SignatureSchemes.Source),
        };
    }

    /// <summary>The release from the inputs, else from the registry's CurrentVersion values (build first, then ProductName).</summary>
    private static (WindowsRelease Release, int? Build, int? Ubr, bool Nearest) Identify(PolicyInputs inputs, SchannelKnowledge k)
    {
        var reg = inputs.Registry;
        var release = inputs.Release;
        var nearest = inputs.BuildMappedToNearest;
        var regBuild = reg.Get(RegistryPaths.CurrentVersion, "CurrentBuild")?.Value.AsString()
                       ?? reg.Get(RegistryPaths.CurrentVersion, "CurrentBuildNumber")?.Value.AsString();
        var build = inputs.Build ?? (int.TryParse(regBuild, out var rb) ? rb : null);
        var ubr = inputs.Ubr ?? (int?)reg.Get(RegistryPaths.CurrentVersion, "UBR")?.Value.AsDWord();
        if (release is null)
        {
            var product = reg.Get(RegistryPaths.CurrentVersion, "ProductName")?.Value.AsString();
            if (build is { } b && k.TryResolveOs(b.ToString(), out var byBuild, out var m)) { release = byBuild; nearest |= m.Nearest; }
            else if (product is not null && k.TryResolveOs(product, out var byName, out _)) release = byName;
            else throw new PolicyInputException("the Windows release is unknown: give --os (e.g. 2012r2, \"Windows Server 2019\", 17763) or a registry export with CurrentVersion values");
        }
        return (release, build, ubr, nearest);
    }

    private static ImmutableArray<ProtocolSetting> Protocols(WindowsRelease release, bool client) =>
    [
        .. TlsVersions.All.Select(v =>
        {
            var def = release.Protocol(v);
            var state = def is null ? ProtocolState.NotSupported : ProtocolStates.Parse(client ? def.Client : def.Server);
            return new ProtocolSetting(v, state, new Source(Source.ReleaseDefault, $"{release.Name} default", def?.Source ?? "S2"));
        }),
    ];

    internal static ImmutableArray<T> Norm<T>(ImmutableArray<T> a) => a.IsDefault ? [] : a;
}
