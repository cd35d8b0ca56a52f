using System.Buffers.Binary;

namespace TlsDoctor.Lab.Hostile;

/// <summary>What a hostile server needs from a ClientHello: the highest version offered, the suites and the extension types.</summary>
internal sealed record ClientHelloSummary(ushort LegacyVersion, ushort HighestVersion, IReadOnlyList<ushort> CipherSuites)
{
    public static ClientHelloSummary Fallback { get; } = new(0x0303, 0x0303, [0x002F]);

    /// <summary>Extension types in the order sent.</summary>
    public IReadOnlyList<ushort> ExtensionTypes { get; init; } = [];

    /// <summary>Parses a ClientHello handshake message body (after type and length); null when malformed.</summary>
    public static ClientHelloSummary? Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            var legacy = BinaryPrimitives.ReadUInt16BigEndian(body);
            var p = 2 + 32;
            p += 1 + body[p];
            var suitesLen = BinaryPrimitives.ReadUInt16BigEndian(body[p..]);
            p += 2;
            var suites = new List<ushort>(suitesLen / 2);
            for (var i = 0; i + 1 < suitesLen; i += 2) suites.Add(BinaryPrimitives.ReadUInt16BigEndian(body[(p + i)..]));
            p += suitesLen;
            p += 1 + body[p];
            var highest = legacy;
            var types = new List<ushort>();
            if (p + 2 <= body.Length)
            {
                var extEnd = p + 2 + BinaryPrimitives.ReadUInt16BigEndian(body[p..]);
                p += 2;
                while (p + 4 <= extEnd && extEnd <= body.Length)
                {
                    var type = BinaryPrimitives.ReadUInt16BigEndian(body[p..]);
                    var len = BinaryPrimitives.ReadUInt16BigEndian(body[(p + 2)..]);
                    var data = body.Slice(p + 4, len);
                    types.Add(type);
                    if (type == 43 && data.Length >= 1) // supported_versions
                    {
                        for (var i = 1; i + 1 < data.Length && i <= data[0]; i += 2)
                        {
                            var v = BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
                            if ((v & 0x0F0F) == 0x0A0A) continue; // GREASE
                            if (v > highest && v <= 0x0304) highest = v;
                        }
                    }
                    p += 4 + len;
                }
            }
            return new ClientHelloSummary(legacy, highest, suites) { ExtensionTypes = types };
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
        catch (IndexOutOfRangeException)
        {
            return null;
        }
    }
}
