using System.Buffers;
using TlsDoctor.Core;

namespace TlsDoctor.Wire;

/// <summary>An alert message: level and description (unknown values survive the cast).</summary>
public sealed record TlsAlert(AlertLevel Level, AlertDescription Description)
{
    public override string ToString() => $"{(Level == AlertLevel.Fatal ? "fatal" : Level == AlertLevel.Warning ? "warning" : $"level_{(byte)Level}")} {Description.Name()}";
}

/// <summary>Parses an alert record fragment; never throws.</summary>
public static class AlertReader
{
    // struct { AlertLevel level; AlertDescription description; } Alert;
    /// <summary>Done for exactly two bytes; NeedMoreData for fewer (TLS ≤ 1.2 may fragment alerts); Malformed for more.</summary>
    public static WireStatus TryRead(ReadOnlySpan<byte> fragment, out TlsAlert alert, out WireError error)
    {
        alert = null!;
        var r = new TlsReader(fragment, open: true);
        var level = r.ReadUInt8("Alert.level");
        var description = r.ReadUInt8("Alert.description");
        if (r.Failed) return r.Finish(out error);
        if (!r.IsAtEnd)
        {
            error = new WireError(2, "Alert", $"{r.Remaining} unexpected trailing byte(s)");
            return WireStatus.Malformed;
        }
        alert = new TlsAlert((AlertLevel)level, (AlertDescription)description);
        error = default;
        return WireStatus.Done;
    }
}

/// <summary>Writes alert messages and records.</summary>
public static class AlertWriter
{
    public static byte[] Write(AlertLevel level, AlertDescription description) => [(byte)level, (byte)description];

    /// <summary>The alert as one plaintext alert record.</summary>
    public static void WriteRecord(IBufferWriter<byte> output, ushort recordVersion, AlertLevel level, AlertDescription description) =>
        TlsRecordWriter.Write(output, ContentType.Alert, recordVersion, Write(level, description));

    public static byte[] ToRecord(ushort recordVersion, AlertLevel level, AlertDescription description) =>
        TlsRecordWriter.ToArray(ContentType.Alert, recordVersion, Write(level, description));
}
