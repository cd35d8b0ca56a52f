using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace TlsDoctor.Schannel.Registry;

/// <summary>How a .reg file was encoded on disk.</summary>
public enum RegFileEncoding { Utf16LE, Utf16BE, Utf8, Ansi }

/// <summary>
/// Reads regedit export files: "Windows Registry Editor Version 5.00" and "REGEDIT4", UTF-16 / UTF-8 / ANSI,
/// continuation lines, every hex(N) type, [-KEY] and "name"=- deletions, ';' comments. Errors carry the line number.
/// </summary>
public static class RegFileReader
{
    public const string Header5 = "Windows Registry Editor Version 5.00";
    public const string Header4 = "REGEDIT4";

    /// <summary>Reads a file from disk; a broken file throws <see cref="RegParseException"/>.</summary>
    public static RegDocument ReadFile(string path) => Read(File.ReadAllBytes(path));

    /// <summary>Decodes the bytes (BOM or heuristics) and parses them; a broken file throws <see cref="RegParseException"/>.</summary>
    public static RegDocument Read(ReadOnlySpan<byte> bytes) => Parse(Decode(bytes, out _));

    /// <summary>Parses without throwing: either a document or the error with its line.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out RegDocument document, out RegParseException? error)
    {
        try
        {
            document = Read(bytes);
            error = null;
            return true;
        }
        catch (RegParseException e)
        {
            document = RegDocument.Empty;
            error = e;
            return false;
        }
    }

    /// <summary>Text of a .reg file: UTF-16 (with BOM, or recognised without), UTF-8 (with or without BOM), else ANSI (Windows-1252).</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, out RegFileEncoding encoding)
    {
        if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE) { encoding = RegFileEncoding.Utf16LE; return Encoding.Unicode.GetString(bytes[2..]); }
        if (bytes.Length >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF) { encoding = RegFileEncoding.Utf16BE; return Encoding.BigEndianUnicode.GetString(bytes[2..]); }
        if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) { encoding = RegFileEncoding.Utf8; return Encoding.UTF8.GetString(bytes[3..]); }
        // "Wi" or "RE" as UTF-16LE without BOM: the header's ASCII letters alternate with zero bytes.
        if (bytes.Length >= 4 && bytes[0] != 0 && bytes[1] == 0 && bytes[2] != 0 && bytes[3] == 0)
        { encoding = RegFileEncoding.Utf16LE; return Encoding.Unicode.GetString(bytes); }
        try
        {
            encoding = RegFileEncoding.Utf8;
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            encoding = RegFileEncoding.Ansi;
            return Ansi.GetString(bytes);
        }
    }

    /// <summary>Windows-1252 without registering a global provider.</summary>
    internal static Encoding Ansi { get; } = CodePagesEncodingProvider.Instance.GetEncoding(1252) ?? Encoding.Latin1;

    /// <summary>Parses .reg text; a broken file throws <see cref="RegParseException"/>.</summary>
    public static RegDocument Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        var i = 0;
        while (i < lines.Length && lines[i].Trim().TrimStart('\uFEFF').Length == 0) i++;
        if (i == lines.Length) throw new RegParseException(1, "empty file: expected the header \"" + Header5 + "\" or \"" + Header4 + "\"");
        var header = lines[i].Trim().TrimStart('\uFEFF');
        bool regedit4;
        if (header == Header5) regedit4 = false;
        else if (header == Header4) regedit4 = true;
        else throw new RegParseException(i + 1, $"expected the header \"{Header5}\" or \"{Header4}\", found \"{Truncate(header)}\"");
        i++;

        var blocks = ImmutableArray.CreateBuilder<RegKeyBlock>();
        RegKeyBlock? current = null;
        var values = ImmutableArray.CreateBuilder<RegValueLine>();

        void Flush()
        {
            if (current is not null) blocks.Add(current with { Values = values.ToImmutable() });
            values.Clear();
        }

        for (; i < lines.Length; i++)
        {
            var lineNo = i + 1;
            var t = lines[i].Trim();
            if (t.Length == 0 || t[0] == ';') continue;
            if (t[0] == '[')
            {
                if (!t.EndsWith(']')) throw new RegParseException(lineNo, "key line without closing ']'");
                var inner = t[1..^1];
                var delete = inner.StartsWith('-');
                if (delete) inner = inner[1..];
                if (inner.Trim().Length == 0) throw new RegParseException(lineNo, "empty key name");
                var path = RegPath.Normalize(inner) ?? throw new RegParseException(lineNo, $"unknown root key in \"{Truncate(inner)}\"");
                Flush();
                current = new RegKeyBlock(path, delete, [], lineNo);
                continue;
            }
            if (t[0] is '"' or '@')
            {
                if (current is null) throw new RegParseException(lineNo, "value line before any [KEY] line");
                var (line, consumed) = ParseValue(lines, i, regedit4);
                if (current.Delete) throw new RegParseException(lineNo, "value line under a deleted [-KEY]");
                values.Add(line);
                i += consumed;
                continue;
            }
            throw new RegParseException(lineNo, $"unrecognised line \"{Truncate(t)}\"");
        }
        Flush();
        return new RegDocument(blocks.ToImmutable());
    }

    /// <summary>Parses one value starting at line <paramref name="start"/>; returns it and the number of extra lines consumed.</summary>
    private static (RegValueLine Line, int Consumed) ParseValue(string[] lines, int start, bool regedit4)
    {
        var lineNo = start + 1;
        var t = lines[start].Trim();
        string name;
        int pos;
        if (t[0] == '@') { name = ""; pos = 1; }
        else
        {
            (name, pos) = ReadQuoted(t, 0) ?? throw new RegParseException(lineNo, "value name without closing quote");
        }
        while (pos < t.Length && char.IsWhiteSpace(t[pos])) pos++;
        if (pos >= t.Length || t[pos] != '=') throw new RegParseException(lineNo, "expected '=' after the value name");
        var data = t[(pos + 1)..].TrimStart();
        if (data.Length == 0) throw new RegParseException(lineNo, "missing value data after '='");

        if (data == "-") return (new RegValueLine(name, null, lineNo), 0);
        if (data[0] == '"')
        {
            var (s, end) = ReadQuoted(data, 0) ?? throw new RegParseException(lineNo, "string value without closing quote");
            var tail = data[end..].Trim();
            if (tail.Length > 0 && tail[0] != ';') throw new RegParseException(lineNo, $"unexpected text after the string: \"{Truncate(tail)}\"");
            return (new RegValueLine(name, RegValue.String(name, s), lineNo), 0);
        }
        if (data.StartsWith("dword:", StringComparison.OrdinalIgnoreCase))
        {
            var digits = StripComment(data[6..]).Trim();
            if (digits.Length is 0 or > 8 || !uint.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var d))
                throw new RegParseException(lineNo, $"dword needs 1 to 8 hex digits, found \"{Truncate(digits)}\"");
            return (new RegValueLine(name, RegValue.DWord(name, d), lineNo), 0);
        }
        if (data.StartsWith("hex", StringComparison.OrdinalIgnoreCase)) return ParseHex(lines, start, name, data, regedit4);
        throw new RegParseException(lineNo, $"unrecognised value data \"{Truncate(data)}\"");
    }

    /// <summary>A hex: or hex(N): value, which regedit wraps over lines ending in a backslash.</summary>
    private static (RegValueLine Line, int Consumed) ParseHex(string[] lines, int start, string name, string data, bool regedit4)
    {
        var lineNo = start + 1;
        var kind = RegValueKind.Binary;
        var rest = data[3..];
        if (rest.StartsWith('('))
        {
            var close = rest.IndexOf(')');
            if (close < 0 || !int.TryParse(rest[1..close], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var k) || k < 0)
                throw new RegParseException(lineNo, $"bad hex type \"{Truncate(data)}\"");
            kind = (RegValueKind)k;
            rest = rest[(close + 1)..];
        }
        if (!rest.StartsWith(':')) throw new RegParseException(lineNo, "expected ':' after hex type");
        var bytes = new List<byte>();
        var consumed = 0;
        var segment = rest[1..];
        var segLine = lineNo;
        while (true)
        {
            var s = StripComment(segment).Trim();
            var more = s.EndsWith('\\');
            if (more) s = s[..^1];
            var tokens = s.Split(',');
            for (var k = 0; k < tokens.Length; k++)
            {
                var tok = tokens[k].Trim();
                if (tok.Length == 0)
                {
                    // A trailing comma before the continuation backslash (or at the end) is how regedit wraps lines.
                    if (k == tokens.Length - 1) continue;
                    throw new RegParseException(segLine, "empty byte between commas");
                }
                if (tok.Length > 2 || !byte.TryParse(tok, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                    throw new RegParseException(segLine, $"bad hex byte \"{Truncate(tok)}\"");
                bytes.Add(b);
            }
            if (!more) break;
            if (start + consumed + 1 >= lines.Length || lines[start + consumed + 1].Trim().Length == 0)
                throw new RegParseException(segLine, "line continuation '\\' followed by nothing (end of file or empty line)");
            consumed++;
            segLine = lineNo + consumed;
            segment = lines[start + consumed];
        }
        if (kind == RegValueKind.DWord && bytes.Count != 4) throw new RegParseException(lineNo, $"hex(4) (dword) needs 4 bytes, found {bytes.Count}");
        if (kind == RegValueKind.QWord && bytes.Count != 8) throw new RegParseException(lineNo, $"hex(b) (qword) needs 8 bytes, found {bytes.Count}");
        if ((int)kind > 0xFFFF) throw new RegParseException(lineNo, "hex type out of range");
        var raw = bytes.ToArray();
        if (regedit4 && kind is RegValueKind.ExpandString or RegValueKind.MultiString)
            raw = Encoding.Unicode.GetBytes(Ansi.GetString(raw)); // REGEDIT4 stores these strings as ANSI bytes
        return (new RegValueLine(name, RegValue.Binary(name, raw, kind), lineNo), consumed);
    }

    /// <summary>Reads a "…" string with \\ and \" escapes starting at the quote; returns text and the index after the closing quote.</summary>
    private static (string Text, int End)? ReadQuoted(string s, int at)
    {
        var sb = new StringBuilder();
        for (var i = at + 1; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\\' && i + 1 < s.Length)
            {
                var n = s[i + 1];
                if (n is '\\' or '"') { sb.Append(n); i++; continue; }
                sb.Append(c);
                continue;
            }
            if (c == '"') return (sb.ToString(), i + 1);
            sb.Append(c);
        }
        return null;
    }

    private static string StripComment(string s)
    {
        var c = s.IndexOf(';');
        return c >= 0 ? s[..c] : s;
    }

    private static string Truncate(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
