using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CsvHelper;
using TlsDoctor.Probe;
using TlsDoctor.Core;

namespace TlsDoctor.Fleet;

/// <summary>One device of the inventory: where its TLS server listens and how the administrator groups it.</summary>
/// <param name="Name">Unique key of the device in the inventory (defaults to host:port when the CSV has no name).</param>
/// <param name="Attributes">Columns the inventory has beyond name, host, port, model and site, kept as given.</param>
/// <param name="Line">Line of the CSV where the row starts (1 = header).</param>
public sealed record InventoryDevice(
    string Name,
    string Host,
    int Port,
    string? Model,
    string? Site,
    ImmutableSortedDictionary<string, string> Attributes,
    int Line)
{
    /// <summary>The endpoint to scan.</summary>
    public ProbeTarget Target => new(Host, Port);
}

/// <summary>A row of the inventory that was skipped, with the reason.</summary>
public sealed record InventoryError(int Line, string Message);

/// <summary>A parsed inventory: the usable devices, the skipped rows, and a hash of the file (resume checks it).</summary>
public sealed record Inventory(ImmutableArray<InventoryDevice> Devices, ImmutableArray<InventoryError> Errors, string Sha256, ImmutableArray<string> Columns);

/// <summary>Inventory with a fatal problem (no header, no host column): nothing can be scanned.</summary>
public sealed class InventoryException(string message) : InputException(message);

/// <summary>
/// Reads inventory CSV (CsvHelper): RFC 4180 quoting (quoted commas, doubled quotes, line breaks inside quotes), a header naming
/// name, host, port, model and site in any order (case-insensitive; address/ip are taken for host), any other column
/// kept as an attribute. Bad rows are reported with their line number and skipped; only a missing header or host
/// column is fatal. A header with semicolons and no commas switches the delimiter (spreadsheets in many locales).
/// </summary>
public static class InventoryCsv
{
    private static readonly string[] HostAliases = ["host", "address", "ip", "hostname"];

    /// <summary>Reads and parses a file.</summary>
    public static Inventory ReadFile(string path, int defaultPort = 443)
    {
        var bytes = File.ReadAllBytes(path);
        return Parse(Decode(bytes), defaultPort, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>Parses CSV text; <paramref name="sha256"/> defaults to the hash of the UTF-8 text.</summary>
    public static Inventory Parse(string text, int defaultPort = 443, string? sha256 = null)
    {
        sha256 ??= Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        if (text.StartsWith('\uFEFF')) text = text[1..];
        var rows = ReadRows(text).Where(r => !r.Blank).ToList();
        if (rows.Count == 0) throw new InventoryException("the inventory is empty; the first line must be a header such as name,host,port,model,site");
        var header = rows[0];
        if (header.Error is not null) throw new InventoryException($"line {header.Line}: header: {header.Error}");
        var columns = header.Fields.Select(f => f.Trim()).ToImmutableArray();
        int Col(params string[] names) => columns.ToList().FindIndex(c => names.Any(n => string.Equals(c, n, StringComparison.OrdinalIgnoreCase)));
        var iName = Col("name");
        var iHost = Col(HostAliases);
        var iPort = Col("port");
        var iModel = Col("model");
        var iSite = Col("site");
        if (iHost < 0) throw new InventoryException($"line {header.Line}: the header has no host column (found: {string.Join(", ", columns)}); expected e.g. name,host,port,model,site");
        var dupColumn = columns.Where(c => c.Length > 0).GroupBy(c => c, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (dupColumn is not null) throw new InventoryException($"line {header.Line}: column '{dupColumn.Key}' appears twice in the header");
        var known = new HashSet<int> { iName, iHost, iPort, iModel, iSite };

        var devices = ImmutableArray.CreateBuilder<InventoryDevice>();
        var errors = ImmutableArray.CreateBuilder<InventoryError>();
        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var endpoints = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in rows.Skip(1))
        {
            if (row.Error is not null) { errors.Add(new(row.Line, row.Error)); continue; }
            if (row.Fields.Count > columns.Length)
            {
                errors.Add(new(row.Line, $"{row.Fields.Count} fields but the header has {columns.Length} (a comma inside an unquoted value?)"));
                continue;
            }
            string Get(int i) => i >= 0 && i < row.Fields.Count ? row.Fields[i].Trim() : "";
            var hostText = Get(iHost);
            if (hostText.Length == 0) { errors.Add(new(row.Line, "empty host")); continue; }
            var portText = Get(iPort);
            var port = defaultPort;
            if (portText.Length > 0 && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
            {
                errors.Add(new(row.Line, $"port '{portText}' is not a number from 1 to 65535"));
                continue;
            }
            // host may carry its own port (printer.example:8443, [fe80::1]:443); an explicit port column wins.
            if (!ProbeTarget.TryParse(hostText, port, out var target, out var targetError))
            {
                errors.Add(new(row.Line, $"host '{hostText}': {targetError}"));
                continue;
            }
            if (portText.Length > 0) target = target with { Port = port };
            if (target.Host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                errors.Add(new(row.Line, $"host '{hostText}' contains spaces or control characters"));
                continue;
            }
            var name = Get(iName);
            if (name.Length == 0) name = target.ToString();
            if (names.TryGetValue(name, out var firstLine)) { errors.Add(new(row.Line, $"duplicate name '{name}' (first at line {firstLine})")); continue; }
            var endpoint = target.ToString();
            if (endpoints.TryGetValue(endpoint, out var sameLine)) { errors.Add(new(row.Line, $"duplicate endpoint {endpoint} (first at line {sameLine})")); continue; }
            names[name] = row.Line;
            endpoints[endpoint] = row.Line;
            var attributes = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < columns.Length; i++)
                if (!known.Contains(i) && columns[i].Length > 0 && Get(i) is { Length: > 0 } value) attributes[columns[i]] = value;
            devices.Add(new InventoryDevice(name, target.Host, target.Port, NullIfEmpty(Get(iModel)), NullIfEmpty(Get(iSite)), attributes.ToImmutable(), row.Line));
        }
        return new Inventory(devices.ToImmutable(), errors.ToImmutable(), sha256, columns);
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    private static string Decode(byte[] bytes)
    {
        // Spreadsheets write UTF-8 with a BOM, or UTF-16; anything else is read as UTF-8.
        if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE) return Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2);
        if (bytes.Length >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF) return Encoding.BigEndianUnicode.GetString(bytes, 2, bytes.Length - 2);
        if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) return Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        return Encoding.UTF8.GetString(bytes);
    }

    private static char DetectDelimiter(string text)
    {
        var end = text.IndexOf('\n');
        var first = end < 0 ? text : text[..end];
        return !first.Contains(',') && first.Contains(';') ? ';' : ',';
    }

    private sealed record Row(int Line, List<string> Fields, string? Error)
    {
        public bool Blank => Error is null && Fields.Count == 1 && Fields[0].Trim().Length == 0;
    }

    // CsvHelper recovers from bad quoting and reports it on the side; a record it flagged becomes a row error here.
    // A stray quote inside an unquoted value stays text, as spreadsheets write it.
    private static IEnumerable<Row> ReadRows(string text)
    {
        var malformed = new Dictionary<long, CsvMalformedReason>();
        var options = new CsvReaderOptions
        {
            HasHeader = false,
            Separator = DetectDelimiter(text),
            DetectSeparatorHint = false,
            TrimWhitespace = true,
            TrackLineNumbers = true,
            SkipEmptyLines = true,
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = m => malformed.TryAdd(m.LineNumber, m.Reason),
        };
        using var reader = CsvReader.FromText(text, options);
        while (reader.Read())
        {
            var line = (int)reader.LineNumber;
            var fields = new List<string>(reader.FieldCount);
            for (var i = 0; i < reader.FieldCount; i++) fields.Add(reader.GetString(i));
            var error = malformed.TryGetValue(line, out var reason) ? Describe(reason) : null;
            yield return new Row(line, fields, error);
        }
    }

    private static string? Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.TextAfterClosingQuote => "text after a closing quote",
        CsvMalformedReason.UnterminatedQuote => "a quoted field is not closed before the end of the file",
        _ => null,
    };
}
