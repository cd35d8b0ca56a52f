using System.Collections.Frozen;
using System.Collections.Immutable;
using TlsDoctor.Core;
using TlsDoctor.Wire;

namespace TlsDoctor.Probe;

/// <summary>What the scan's raw hellos offer and how they are built: the suite orders, group and scheme lists, and
/// the shapes the tolerance ladder falls back to.</summary>
internal static class HelloShapes
{
    // Old TLS stacks (F5 and some printer firmware) fail on hellos above 255 bytes; 40 suites keep it below.
    public const int SmallChunk = 40;

    // Weakest first: a server that imposes its (usually strong-first) order then contradicts our order at once,
    // which proves server preference without an extra connection.
    // Computed once per process: a fleet scan starts thousands of scans.
    public static readonly FrozenDictionary<TlsVersion, ImmutableArray<ushort>> OfferOrders = TlsVersions.All.ToFrozenDictionary(
        v => v,
        v => v == TlsVersion.SSLv2 ? [] : CipherSuites.ValidIn(v).OrderBy(Strength).ThenBy(s => s.Code).Select(s => s.Code).ToImmutableArray());

    private static int Strength(CipherSuite s) =>
        s.CipherBits
        + (s.KeyExchange is KeyExchange.DHE or KeyExchange.ECDHE or KeyExchange.Any ? 1000 : 0)
        + (s.Cipher.Contains("GCM") || s.Cipher.Contains("CHACHA") || s.Cipher.Contains("CCM") ? 500 : 0)
        - (s.Export ? 500 : 0);

    // Offered in the order common clients use, so a server that follows the client's order shows a familiar choice.
    private static readonly ImmutableArray<ushort> PreferredGroups = [0x001D, 0x0017, 0x0018, 0x0019, 0x001E];

    public static readonly ImmutableArray<ushort> EcGroups = [.. PreferredGroups, .. NamedGroups.All
        .Where(g => g.Kind == GroupKind.EllipticCurve && g.Code < 0x0100 && !PreferredGroups.Contains(g.Code)).Select(g => g.Code)];

    private static readonly ImmutableArray<ushort> AllGroups = [.. EcGroups, .. NamedGroups.All
        .Where(g => g.Kind != GroupKind.Unknown && g.Code is < 0xFE00 && !EcGroups.Contains(g.Code)).Select(g => g.Code)];

    public static readonly ImmutableArray<ushort> FfdheGroups = [0x0100, 0x0101, 0x0102, 0x0103, 0x0104];

    // Group enumeration costs one connection per accepted group, so it asks only about groups a Windows server or a
    // current client can use: the binary-field and other curves RFC 8422 deprecated would cost dozens of connections
    // on permissive stacks and change no verdict.
    public static readonly ImmutableArray<ushort> EcGroupCandidates =
        [0x001D, 0x0017, 0x0018, 0x0019, 0x001E, 0x001A, 0x001B, 0x001C, 0x0016];

    public static readonly ImmutableArray<ushort> Tls13GroupCandidates =
        [.. EcGroupCandidates, 0x001F, 0x0020, 0x0021, .. FfdheGroups, 0x11EC, 0x11EB, 0x11ED];

    // Broad enough that no server refuses for lack of a scheme: TLS 1.3 schemes plus the legacy SHA-1/MD5 pairs.
    private static readonly ImmutableArray<ushort> SignatureAlgorithms =
    [
        0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B,
        0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602, 0x0203, 0x0201, 0x0202, 0x0101,
    ];

    // The most common suites on embedded devices and Windows; the small shape offers these first.
    private static readonly ImmutableArray<ushort> CommonSuites =
    [
        0xC02F, 0xC030, 0xC02B, 0xC02C, 0xCCA8, 0xCCA9, 0xC013, 0xC014, 0xC009, 0xC00A, 0xC027, 0xC028, 0xC023, 0xC024,
        0x009E, 0x009F, 0x0033, 0x0039, 0x0067, 0x006B, 0x0016, 0x0032, 0x0038,
        0x009C, 0x009D, 0x002F, 0x0035, 0x003C, 0x003D, 0x000A, 0x0005, 0x0004,
        0xC012, 0xC011, 0x0013, 0x0066, 0x0009, 0x0003, 0x0008, 0x0014,
    ];

    /// <summary>The suites one hello offers: all of them in the full shape, the 40 most common ones otherwise.</summary>
    public static ImmutableArray<ushort> Chunk(HelloShape shape, IEnumerable<ushort> suites) =>
        shape == HelloShape.Full ? [.. suites] : [.. suites.OrderBy(s => CommonSuites.IndexOf(s) is var i && i >= 0 ? i : int.MaxValue).Take(SmallChunk)];

    /// <summary>A raw hello request: the spec for this shape, its record bytes, and the words that describe it.</summary>
    public static HelloRequest Hello(ScanState state, ProbeStep step, string purpose, TlsVersion max, HelloShape shape,
        IReadOnlyList<ushort> suites, IReadOnlyList<ushort>? groups = null)
    {
        var spec = BuildSpec(state.ServerName, shape, max, suites, groups);
        return new HelloRequest(shape, spec, [.. suites], groups is null ? null : [.. groups], ClientHelloBuilder.BuildRecord(spec))
        {
            Step = step, Version = max, Purpose = purpose,
        };
    }

    private static ClientHelloSpec BuildSpec(string? sni, HelloShape shape, TlsVersion max, IReadOnlyList<ushort> suites, IReadOnlyList<ushort>? groups)
    {
        var list = suites.ToList();
        var tls13Only = max == TlsVersion.TLSv1_3 && list.All(IsTls13Suite);
        if (!tls13Only) list.Add(CipherSuites.EmptyRenegotiationInfoScsv);
        var spec = new ClientHelloSpec
        {
            LegacyVersion = max >= TlsVersion.TLSv1_2 ? (ushort)0x0303 : (ushort)max,
            CipherSuites = [.. list],
        };
        if (max == TlsVersion.SSLv3 || shape == HelloShape.NoExtensions) return spec with { NoExtensions = true };
        var small = shape == HelloShape.Small;
        spec = spec with
        {
            ServerName = sni,
            SupportedGroups = groups is null ? (tls13Only ? AllGroups : small ? [0x001D, 0x0017, 0x0018, 0x0019] : EcGroups) : [.. groups],
            EcPointFormats = true,
            SignatureAlgorithms = max >= TlsVersion.TLSv1_2 ? (small ? [0x0401, 0x0501, 0x0201, 0x0403, 0x0503, 0x0203, 0x0804, 0x0601] : SignatureAlgorithms) : null,
            ExtendedMasterSecret = !small,
        };
        if (max == TlsVersion.TLSv1_3)
        {
            spec = spec with
            {
                SupportedVersions = tls13Only ? [0x0304] : [0x0304, 0x0303, 0x0302, 0x0301],
                // An empty key_share makes a TLS 1.3 server answer with a HelloRetryRequest that names suite and group.
                KeyShares = ImmutableArray<Wire.KeyShareEntry>.Empty,
                SignatureAlgorithms = SignatureAlgorithms,
            };
        }
        // Hellos of 256-511 bytes hang some load balancers and old stacks; RFC 7685 padding steps over them.
        var size = ClientHelloBuilder.MeasureHandshake(spec);
        if (!small && size is >= 256 and < 512) spec = spec with { PadToLength = 512 };
        return spec;
    }

    public static bool IsTls13Suite(ushort code) => CipherSuites.Get(code).ValidIn(TlsVersion.TLSv1_3);
}
