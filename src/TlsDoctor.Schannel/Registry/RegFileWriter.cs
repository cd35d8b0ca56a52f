using System.Text;

namespace TlsDoctor.Schannel.Registry;

/// <summary>Writes .reg files the way regedit exports them: UTF-16LE with BOM, CRLF, the Version 5.00 header.</summary>
public static class RegFileWriter
{
    /// <summary>The file text (without BOM).</summary>
    public static string ToText(RegDocument document)
    {
        var sb = new StringBuilder();
        sb.Append(RegFileReader.Header5).Append("\r\n");
        foreach (var block in document.Keys)
        {
            sb.Append("\r\n[").Append(block.Delete ? "-" : "").Append(block.Path).Append("]\r\n");
            foreach (var v in block.Values)
            {
                var name = v.Name.Length == 0 ? "@" : Quote(v.Name);
                sb.Append(name).Append('=').Append(v.Value is null ? "-" : Data(name.Length + 1, v.Value)).Append("\r\n");
            }
        }
        sb.Append("\r\n");
        return sb.ToString();
    }

    /// <summary>The file bytes: BOM FF FE, then UTF-16LE text.</summary>
    public static byte[] ToBytes(RegDocument document)
    {
        var text = Encoding.Unicode.GetBytes(ToText(document));
        var bytes = new byte[text.Length + 2];
        bytes[0] = 0xFF;
        bytes[1] = 0xFE;
        text.CopyTo(bytes, 2);
        return bytes;
    }

    public static void WriteFile(string path, RegDocument document) => File.WriteAllBytes(path, ToBytes(document));

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static string Data(int prefix, RegValue v)
    {
        if (v.Kind == RegValueKind.DWord && v.AsDWord() is { } d) return $"dword:{d:x8}";
        if (v.Kind == RegValueKind.String && v.AsString() is { } s && !s.Contains('\n') && !s.Contains('\0')
            && v.Data.AsSpan().SequenceEqual(Encoding.Unicode.GetBytes(s + "\0")))
            return Quote(s);
        var type = v.Kind == RegValueKind.Binary ? "hex:" : $"hex({(int)v.Kind:x}):";
        return type + Wrap(prefix + type.Length, v.Data.AsSpan());
    }

    /// <summary>Comma-separated bytes, wrapped near 80 columns with "\" continuations like regedit.</summary>
    private static string Wrap(int column, ReadOnlySpan<byte> data)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < data.Length; i++)
        {
            sb.Append(data[i].ToString("x2"));
            column += 2;
            if (i == data.Length - 1) break;
            sb.Append(',');
            column++;
            if (column > 76) { sb.Append("\\\r\n  "); column = 2; }
        }
        return sb.ToString();
    }
}
