using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Schannel.Registry;

namespace TlsDoctor.Schannel.Policy.Pipeline;

/// <summary>Stage 3: the SCHANNEL registry keys override what the release and its updates give.</summary>
internal static class RegistryStage
{
    public static PolicyDraft Apply(PolicyDraft d)
    {
        d = d.Warn(RegistryLint.Check(d.Registry));
        d = Protocols(d);
        d = RegistrySuites.Apply(d);
        return KeySizes(d);
    }

    /// <summary>Protocols\&lt;version&gt;\Client|Server: Enabled and DisabledByDefault [S1][S16].</summary>
    private static PolicyDraft Protocols(PolicyDraft d)
    {
        var warnings = new List<string>();
        ImmutableArray<ProtocolSetting> Role(ImmutableArray<ProtocolSetting> settings, string role) =>
        [
            .. settings.Select(p =>
            {
                var key = RegistryPaths.ProtocolKey(p.Version, role);
                var enabled = DWordEntry(d.Registry, key, "Enabled");
                var dbd = DWordEntry(d.Registry, key, "DisabledByDefault");
                if (enabled is null && dbd is null) return p;
                var detail = string.Join(", ", new[] { enabled, dbd }.OfType<RegEntry>().Select(e => Describe(e)));
                if (p.State == ProtocolState.NotSupported)
                {
                    warnings.Add($"{detail} is set, but {d.Release.Name} does not implement {p.Version.Name()}; the value has no effect.");
                    return p;
                }
                var state = p.State;
                var en = enabled?.Value.AsDWord();
                var db = dbd?.Value.AsDWord();
                if (en == 0) state = ProtocolState.Disabled;
                else if (db is { } x) state = x != 0 ? ProtocolState.DisabledByDefault : ProtocolState.Enabled;
                else if (state == ProtocolState.Disabled) state = ProtocolState.Enabled;
                // Enabled≠0 alone keeps a "disabled by default" version so: DisabledByDefault=0 is what opens it [S16][S54].
                return new ProtocolSetting(p.Version, state, new Source(Source.Registry, detail, "S1"));
            }),
        ];
        var client = Role(d.ClientProtocols, "Client");
        var server = Role(d.ServerProtocols, "Server");
        return (d with { ClientProtocols = client, ServerProtocols = server }).Warn(warnings);
    }

    /// <summary>KeyExchangeAlgorithms\Diffie-Hellman and \PKCS size values [S1].</summary>
    private static PolicyDraft KeySizes(PolicyDraft d)
    {
        // The size values are documented from Windows 10 / 2016; on releases whose DH minimum an update raised they are an assumption.
        var downlevel = d.Knowledge.Changes(d.Release, e => e.DhClientMinBits > d.Release.Dh.ClientMinBits.Value).Any();
        var reg = d.Registry;
        if (DWord(reg, RegistryPaths.DiffieHellman, "ClientMinKeyBitLength") is { } cmin)
        {
            d = d with { DhClientMinBits = new((int)cmin.Value, RegSource(cmin.Entry)) };
            if (downlevel) d = d.Assume(AssumptionSlot.DhRegistry, "client-min-key-bit-length-downlevel");
        }
        if (DWord(reg, RegistryPaths.DiffieHellman, "ClientMaxKeyBitLength") is { } cmax)
        {
            d = d with { DhClientMaxBits = new((int)cmax.Value, RegSource(cmax.Entry)) };
            if (downlevel) d = d.Assume(AssumptionSlot.DhRegistry, "client-min-key-bit-length-downlevel");
        }
        if (DWord(reg, RegistryPaths.DiffieHellman, "ServerMinKeyBitLength") is { } ignored && ServerMinNeedsUpdate(d) is { } kb)
            d = d.Warn($"{Describe(ignored.Entry)} is read only with {kb} on {d.Release.Name}, which is not installed; ignored (the server keeps its {d.DhServerBits.Value}-bit group).");
        else if (DWord(reg, RegistryPaths.DiffieHellman, "ServerMinKeyBitLength") is { } smin)
        {
            d = d.Retract(AssumptionSlot.DhServerDefault) with { DhServerBits = new((int)smin.Value, RegSource(smin.Entry)) };
            if (downlevel) d = d.Assume(AssumptionSlot.DhRegistry, "client-min-key-bit-length-downlevel");
        }
        if (DWord(reg, RegistryPaths.Pkcs, "ClientMinKeyBitLength") is { } rmin) d = d with { RsaClientMinBits = new((int)rmin.Value, RegSource(rmin.Entry)) };
        if (DWord(reg, RegistryPaths.Pkcs, "ClientMaxKeyBitLength") is { } rmax) d = d with { RsaClientMaxBits = new((int)rmax.Value, RegSource(rmax.Entry)) };
        return d;
    }

    /// <summary>The update that ServerMinKeyBitLength needs on this release and that is missing (KB3174644 on 2008-2012 R2), or null.</summary>
    private static string? ServerMinNeedsUpdate(PolicyDraft d)
    {
        var changes = d.Knowledge.Changes(d.Release, e => e.EnablesServerMinKeyBitLength);
        return changes.IsEmpty || InstalledUpdates.Installed(d, changes) is not null ? null : changes[0].Update.Id;
    }

    /// <summary>The value when it is a REG_DWORD; Windows ignores other types (the lint says so).</summary>
    private static RegEntry? DWordEntry(RegistryState reg, string key, string name) => reg.Get(key, name) is { } e && e.Value.AsDWord() is not null ? e : null;

    internal static RegEntry? Off(RegistryState reg, string key) => reg.Get(key, "Enabled") is { } e && e.Value.AsDWord() == 0 ? e : null;

    private static (uint Value, RegEntry Entry)? DWord(RegistryState reg, string key, string name) =>
        reg.Get(key, name) is { } e && e.Value.AsDWord() is { } v ? (v, e) : null;

    internal static Source RegSource(RegEntry e, string? reference = "S1") => new(Source.Registry, Describe(e), reference);

    /// <summary>"HKLM\…\TLS 1.2\Client\Enabled = 0x00000000 (0) (tls.reg:7)".</summary>
    internal static string Describe(RegEntry e, bool brief = false)
    {
        var path = e.Key.Replace("HKEY_LOCAL_MACHINE", "HKLM", StringComparison.Ordinal);
        var data = brief ? "" : " = " + e.Value.Display();
        return $@"{path}\{(e.Value.Name.Length == 0 ? "(Default)" : e.Value.Name)}{data}" + (e.Origin is null ? "" : $" ({e.Origin})");
    }
}
