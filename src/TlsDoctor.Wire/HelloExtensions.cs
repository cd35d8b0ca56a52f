using System.Collections.Immutable;
using System.Text;

namespace TlsDoctor.Wire;

/// <summary>Encoders and decoders for the hello extensions Wire understands; unknown ones stay <see cref="RawExtension"/>.</summary>
public static class HelloExtensions
{
    // ---- encoders -------------------------------------------------------------------------

    // struct { NameType name_type; select (name_type) { case host_name: HostName; } name; } ServerName;
    // struct { ServerName server_name_list<1..2^16-1> } ServerNameList;
    public static RawExtension ServerName(string hostName)
    {
        var w = new WireWriter();
        var list = w.Begin(2);
        w.U8(0); // host_name
        w.Opaque16(Encoding.ASCII.GetBytes(hostName), "server_name.host_name");
        w.End(list, "server_name_list");
        return new RawExtension(ExtensionType.ServerName, w.ToArray());
    }

    /// <summary>A uint16 list in a 2-byte vector (supported_groups, signature_algorithms).</summary>
    public static RawExtension UInt16List(ExtensionType type, IEnumerable<ushort> values)
    {
        var w = new WireWriter();
        var m = w.Begin(2);
        foreach (var v in values) w.U16(v);
        w.End(m, type.ToString());
        return new RawExtension(type, w.ToArray());
    }

    // struct { ProtocolVersion versions<2..254>; } SupportedVersions (ClientHello form)
    public static RawExtension SupportedVersionsClient(IEnumerable<ushort> versions)
    {
        var w = new WireWriter();
        var m = w.Begin(1);
        foreach (var v in versions) w.U16(v);
        w.End(m, "supported_versions");
        return new RawExtension(ExtensionType.SupportedVersions, w.ToArray());
    }

    // struct { ECPointFormat ec_point_format_list<1..2^8-1> } ECPointFormatList;
    public static RawExtension EcPointFormats(params byte[] formats)
    {
        var w = new WireWriter();
        w.Opaque8(formats.Length == 0 ? [0] : formats, "ec_point_formats");
        return new RawExtension(ExtensionType.EcPointFormats, w.ToArray());
    }

    // struct { KeyShareEntry client_shares<0..2^16-1>; } KeyShareClientHello;
    public static RawExtension KeyShareClient(IEnumerable<KeyShareEntry> entries)
    {
        var w = new WireWriter();
        var m = w.Begin(2);
        foreach (var e in entries)
        {
            w.U16(e.Group);
            w.Opaque16(e.KeyExchange.Span, "key_share.key_exchange");
        }
        w.End(m, "key_share.client_shares");
        return new RawExtension(ExtensionType.KeyShare, w.ToArray());
    }

    // opaque ProtocolName<1..2^8-1>; struct { ProtocolName protocol_name_list<2..2^16-1> } ProtocolNameList;
    public static RawExtension Alpn(params string[] protocols)
    {
        var w = new WireWriter();
        var m = w.Begin(2);
        foreach (var p in protocols) w.Opaque8(Encoding.ASCII.GetBytes(p), "alpn.protocol_name");
        w.End(m, "alpn.protocol_name_list");
        return new RawExtension(ExtensionType.Alpn, w.ToArray());
    }

    /// <summary>renegotiation_info with an empty renegotiated_connection (initial handshake).</summary>
    public static RawExtension RenegotiationInfo() => new(ExtensionType.RenegotiationInfo, new byte[] { 0 });

    public static RawExtension Empty(ExtensionType type) => new(type, ReadOnlyMemory<byte>.Empty);

    public static RawExtension Padding(int zeroBytes) => new(ExtensionType.Padding, new byte[zeroBytes]);

    // ---- decoders (closed readers; failures are recorded in the reader) ---------------------

    internal static string? DecodeServerName(ref TlsReader r)
    {
        var list = r.ReadVector16("server_name.server_name_list");
        string? host = null;
        while (!list.IsAtEnd && !list.Failed)
        {
            var nameType = list.ReadUInt8("server_name.name_type");
            var name = list.ReadOpaque16("server_name.name");
            if (nameType == 0 && host is null && !list.Failed) host = Encoding.ASCII.GetString(name);
        }
        r.Absorb(list);
        r.ExpectEnd("server_name");
        return r.Failed ? null : host;
    }

    internal static ImmutableArray<ushort> DecodeUInt16Vector(ref TlsReader r, int prefix, string field)
    {
        var v = prefix == 1 ? r.ReadVector8(field) : r.ReadVector16(field);
        if (!v.Failed && v.Remaining % 2 != 0) v.Fail(field, $"odd length {v.Remaining} for a list of uint16");
        var b = ImmutableArray.CreateBuilder<ushort>(Math.Max(0, v.Remaining / 2));
        while (!v.IsAtEnd && !v.Failed) b.Add(v.ReadUInt16(field));
        r.Absorb(v);
        r.ExpectEnd(field);
        return b.ToImmutable();
    }

    /// <summary>A uint16 vector16 inside a larger structure (no end check).</summary>
    internal static ImmutableArray<ushort> DecodeUInt16VectorNoEnd(ref TlsReader r, string field)
    {
        var v = r.ReadVector16(field);
        if (!v.Failed && v.Remaining % 2 != 0) v.Fail(field, $"odd length {v.Remaining} for a list of uint16");
        var b = ImmutableArray.CreateBuilder<ushort>(Math.Max(0, v.Remaining / 2));
        while (!v.IsAtEnd && !v.Failed) b.Add(v.ReadUInt16(field));
        r.Absorb(v);
        return b.ToImmutable();
    }

    internal static ImmutableArray<byte> DecodeUInt8Vector(ref TlsReader r, string field)
    {
        var bytes = r.ReadOpaque8(field);
        var result = bytes.ToArray().ToImmutableArray();
        r.ExpectEnd(field);
        return result;
    }

    internal static ImmutableArray<string> DecodeAlpn(ref TlsReader r)
    {
        var list = r.ReadVector16("alpn.protocol_name_list");
        var b = ImmutableArray.CreateBuilder<string>();
        while (!list.IsAtEnd && !list.Failed)
        {
            var at = list.Offset;
            var name = list.ReadOpaque8("alpn.protocol_name");
            if (list.Failed) break;
            // RFC 7301 §3.1: "Empty strings MUST NOT be included".
            if (name.IsEmpty) list.FailAt(WireStatus.Malformed, at, "alpn.protocol_name", "empty protocol name");
            else b.Add(AlpnText(name));
        }
        r.Absorb(list);
        r.ExpectEnd("alpn");
        return b.ToImmutable();
    }

    /// <summary>An ALPN protocol name as text when it is printable ASCII, else "0x" and its bytes in hex (names are opaque bytes).</summary>
    public static string AlpnText(ReadOnlySpan<byte> name)
    {
        foreach (var c in name)
            if (c is < 0x20 or > 0x7E) return "0x" + Convert.ToHexStringLower(name);
        return Encoding.ASCII.GetString(name);
    }

    internal static ImmutableArray<KeyShareEntry> DecodeKeyShareClient(ref TlsReader r)
    {
        var list = r.ReadVector16("key_share.client_shares");
        var b = ImmutableArray.CreateBuilder<KeyShareEntry>();
        while (!list.IsAtEnd && !list.Failed)
        {
            var group = list.ReadUInt16("key_share.group");
            var kx = list.ReadOpaque16("key_share.key_exchange");
            if (!list.Failed) b.Add(new KeyShareEntry(group, kx.ToArray()));
        }
        r.Absorb(list);
        r.ExpectEnd("key_share");
        return b.ToImmutable();
    }

    /// <summary>Reads Extension extensions&lt;..2^16-1&gt; content; duplicates are malformed (RFC 8446 §4.2).</summary>
    internal static ImmutableArray<RawExtension> ReadList(ref TlsReader list, string owner, List<int>? dataOffsets = null)
    {
        var b = ImmutableArray.CreateBuilder<RawExtension>();
        var seen = new HashSet<ushort>();
        while (!list.IsAtEnd && !list.Failed)
        {
            var at = list.Offset;
            var type = list.ReadUInt16(owner + ".extension_type");
            var dataAt = list.Offset + 2;
            var data = list.ReadOpaque16(owner + ".extension_data");
            if (list.Failed) break;
            if (!seen.Add(type))
            {
                list.FailAt(WireStatus.Malformed, at, owner + ".extension_type", $"duplicate extension {Describe(type)}");
                break;
            }
            b.Add(new RawExtension(type, data.ToArray()));
            dataOffsets?.Add(dataAt);
        }
        return b.ToImmutable();
    }

    internal static string Describe(ushort type) =>
        Enum.IsDefined((ExtensionType)type) ? $"{(ExtensionType)type} ({type})" : $"0x{type:x4}";

    internal static RawExtension? Find(ImmutableArray<RawExtension> list, ExtensionType type)
    {
        if (list.IsDefault) return null;
        foreach (var e in list) if (e.Type == (ushort)type) return e;
        return null;
    }
}
