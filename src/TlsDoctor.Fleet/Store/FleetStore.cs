using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TlsDoctor.Probe.Json;
using TlsDoctor.Core;

namespace TlsDoctor.Fleet;

/// <summary>A fleet database that cannot be used (not SQLite, newer schema, missing scan).</summary>
public sealed class FleetStoreException(string message, Exception? inner = null) : InputException(message, inner);

/// <summary>
/// The SQLite store of fleet scans: every scan is kept, each device's result is its own transaction.
/// WAL journal: a killed process loses at most the device it was scanning, and readers (report) never block the scan.
/// </summary>
/// <remarks>Thread-safe: one connection, every call under one lock (SQLite serialises writers anyway).</remarks>
public sealed class FleetStore : IDisposable
{
    /// <summary>Schema version in PRAGMA user_version.</summary>
    public const int SchemaVersion = 1;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS scans(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started TEXT NOT NULL,
            finished TEXT,
            inventory_path TEXT NOT NULL,
            inventory_sha256 TEXT NOT NULL,
            options TEXT NOT NULL,
            source TEXT,
            source_scan_id INTEGER);
        CREATE UNIQUE INDEX IF NOT EXISTS scans_source ON scans(source, source_scan_id) WHERE source IS NOT NULL;
        CREATE TABLE IF NOT EXISTS devices(
            scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            host TEXT NOT NULL,
            port INTEGER NOT NULL,
            model TEXT,
            site TEXT,
            attributes TEXT NOT NULL,
            line INTEGER NOT NULL,
            PRIMARY KEY(scan_id, name));
        CREATE TABLE IF NOT EXISTS results(
            scan_id INTEGER NOT NULL,
            device TEXT NOT NULL,
            status TEXT NOT NULL,
            reachable INTEGER NOT NULL,
            error TEXT,
            handshakes INTEGER NOT NULL,
            attempts INTEGER NOT NULL,
            elapsed_ms INTEGER NOT NULL,
            profile TEXT,
            completed TEXT NOT NULL,
            PRIMARY KEY(scan_id, device),
            FOREIGN KEY(scan_id, device) REFERENCES devices(scan_id, name) ON DELETE CASCADE);
        """;

    private readonly SqliteConnection _db;
    private readonly object _lock = new();

    private FleetStore(SqliteConnection db, string path)
    {
        _db = db;
        Path = path;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating when missing) a fleet database.</summary>
    public static FleetStore Open(string path, bool create = true)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!create && !File.Exists(full)) throw new FleetStoreException($"{path}: no such fleet database (run `tlsdoctor fleet scan` first)");
        var cs = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();
        var db = new SqliteConnection(cs);
        try
        {
            db.Open();
            // NORMAL is durable in WAL mode against a killed process (only power loss can drop the last commits).
            Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;");
            var version = Convert.ToInt32(Scalar(db, "PRAGMA user_version"), CultureInfo.InvariantCulture);
            if (version > SchemaVersion) throw new FleetStoreException($"{path}: written by a newer TlsDoctor (schema {version}, this one knows {SchemaVersion})");
            using (var tx = db.BeginTransaction())
            {
                Exec(db, Schema, tx);
                Exec(db, $"PRAGMA user_version={SchemaVersion}", tx);
                tx.Commit();
            }
            return new FleetStore(db, full);
        }
        catch (SqliteException e)
        {
            db.Dispose();
            throw new FleetStoreException($"{path}: not a usable fleet database ({e.Message})", e);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>Records a new scan and its inventory rows in one transaction; returns the scan id.</summary>
    public long CreateScan(Inventory inventory, string inventoryPath, string optionsJson, DateTimeOffset started)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            var id = Convert.ToInt64(Scalar(_db,
                "INSERT INTO scans(started, inventory_path, inventory_sha256, options) VALUES($s, $p, $h, $o) RETURNING id", tx,
                ("$s", Time(started)), ("$p", inventoryPath), ("$h", inventory.Sha256), ("$o", optionsJson)), CultureInfo.InvariantCulture);
            using var cmd = _db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO devices(scan_id, name, host, port, model, site, attributes, line) VALUES($id, $n, $h, $p, $m, $s, $a, $l)";
            var ps = new[] { "$id", "$n", "$h", "$p", "$m", "$s", "$a", "$l" }.Select(n => cmd.Parameters.Add(new SqliteParameter(n, null))).ToArray();
            foreach (var d in inventory.Devices)
            {
                ps[0].Value = id; ps[1].Value = d.Name; ps[2].Value = d.Host; ps[3].Value = d.Port;
                ps[4].Value = (object?)d.Model ?? DBNull.Value; ps[5].Value = (object?)d.Site ?? DBNull.Value;
                ps[6].Value = JsonSerializer.Serialize(d.Attributes, StoreJson.Compact.ImmutableSortedDictionaryStringString);
                ps[7].Value = d.Line;
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
            return id;
        }
    }

    /// <summary>Commits one device's result in its own transaction; false when the scan already had one (nothing is duplicated).</summary>
    public bool SaveResult(long scanId, DeviceResult r)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            var n = Exec(_db, """
                INSERT INTO results(scan_id, device, status, reachable, error, handshakes, attempts, elapsed_ms, profile, completed)
                VALUES($id, $d, $st, $r, $e, $h, $a, $ms, $p, $c) ON CONFLICT(scan_id, device) DO NOTHING
                """, tx,
                ("$id", scanId), ("$d", r.Device), ("$st", r.Status.Name()), ("$r", r.Reachable ? 1 : 0), ("$e", r.Error),
                ("$h", r.Handshakes), ("$a", r.Attempts), ("$ms", r.ElapsedMs),
                ("$p", r.Profile is null ? null : JsonSerializer.Serialize(r.Profile, StoreJson.Compact.ScanJson)),
                ("$c", Time(r.Completed)));
            tx.Commit();
            return n == 1;
        }
    }

    /// <summary>Marks a scan finished (every device has a result).</summary>
    public void FinishScan(long scanId, DateTimeOffset finished)
    {
        lock (_lock) Exec(_db, "UPDATE scans SET finished=$f WHERE id=$id AND finished IS NULL", null, ("$f", Time(finished)), ("$id", scanId));
    }

    /// <summary>Every scan, oldest first.</summary>
    public ImmutableArray<ScanRecord> Scans() => QueryScans("1=1");

    /// <summary>One scan, or null.</summary>
    public ScanRecord? Scan(long id) => QueryScans("s.id=$id", ("$id", id)).FirstOrDefault();

    /// <summary>The newest scan run here (not merged) that has not finished: what --resume continues.</summary>
    public ScanRecord? LatestUnfinished() => QueryScans("s.finished IS NULL AND s.source IS NULL").LastOrDefault();

    /// <summary>Inventory rows of a scan that have no result yet, in inventory order.</summary>
    public ImmutableArray<InventoryDevice> PendingDevices(long scanId) =>
        [.. Devices(scanId).Where(d => d.Result is null).Select(d => d.Device)];

    /// <summary>Every device of a scan with its result, in inventory order.</summary>
    public ImmutableArray<FleetDevice> Devices(long scanId)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                SELECT d.name, d.host, d.port, d.model, d.site, d.attributes, d.line,
                       r.status, r.reachable, r.error, r.handshakes, r.attempts, r.elapsed_ms, r.profile, r.completed, s.source
                FROM devices d JOIN scans s ON s.id = d.scan_id
                LEFT JOIN results r ON r.scan_id = d.scan_id AND r.device = d.name
                WHERE d.scan_id = $id ORDER BY d.line, d.name
                """;
            cmd.Parameters.AddWithValue("$id", scanId);
            using var rd = cmd.ExecuteReader();
            var list = ImmutableArray.CreateBuilder<FleetDevice>();
            while (rd.Read())
            {
                var device = new InventoryDevice(rd.GetString(0), rd.GetString(1), rd.GetInt32(2), Str(rd, 3), Str(rd, 4),
                    JsonSerializer.Deserialize(rd.GetString(5), StoreJson.Compact.ImmutableSortedDictionaryStringString) ?? ImmutableSortedDictionary<string, string>.Empty,
                    rd.GetInt32(6));
                DeviceResult? result = null;
                if (!rd.IsDBNull(7))
                {
                    ScanJson? profile = null;
                    if (Str(rd, 13) is { } json)
                    {
                        try { profile = JsonSerializer.Deserialize(json, FleetJsonContext.Default.ScanJson); }
                        catch (JsonException e) { throw new FleetStoreException($"{Path}: scan {scanId}, device {device.Name}: stored profile is not valid JSON ({e.Message})", e); }
                    }
                    result = new DeviceResult(device.Name, DeviceStatuses.Parse(rd.GetString(7)), rd.GetInt32(8) != 0, Str(rd, 9),
                        rd.GetInt32(10), rd.GetInt32(11), rd.GetInt64(12), profile, ParseTime(rd.GetString(14)));
                }
                list.Add(new FleetDevice(scanId, Str(rd, 15), device, result));
            }
            return list.ToImmutable();
        }
    }

    /// <summary>
    /// Copies every scan of other fleet databases into this one with new ids, labelled with their source.
    /// Re-merging a source replaces the copies made before (so a scan finished since is picked up, nothing doubles).
    /// </summary>
    /// <returns>Per source: label and the number of scans copied.</returns>
    public ImmutableArray<(string Label, int Scans)> Merge(IEnumerable<(string Path, string Label)> sources)
    {
        var report = ImmutableArray.CreateBuilder<(string, int)>();
        foreach (var (path, label) in sources)
        {
            var full = System.IO.Path.GetFullPath(path);
            if (!File.Exists(full)) throw new FleetStoreException($"{path}: no such fleet database");
            if (string.Equals(full, Path, StringComparison.Ordinal)) throw new FleetStoreException($"{path}: cannot merge a database into itself");
            // Opening validates the schema (and checkpoints its WAL) before it is attached.
            using (Open(full, create: false)) { }
            lock (_lock)
            {
                Exec(_db, "ATTACH DATABASE $p AS src", null, ("$p", full));
                try
                {
                    using var tx = _db.BeginTransaction();
                    var scans = new List<(long Id, string? Source, long? SourceId)>();
                    using (var cmd = _db.CreateCommand())
                    {
                        cmd.Transaction = tx;
                        cmd.CommandText = "SELECT id, source, source_scan_id FROM src.scans ORDER BY id";
                        using var rd = cmd.ExecuteReader();
                        while (rd.Read()) scans.Add((rd.GetInt64(0), Str(rd, 1), rd.IsDBNull(2) ? null : rd.GetInt64(2)));
                    }
                    foreach (var (oldId, oldSource, oldSourceId) in scans)
                    {
                        // A scan merged into the source earlier keeps its original label and id.
                        var src = oldSource ?? label;
                        var srcId = oldSourceId ?? oldId;
                        Exec(_db, "DELETE FROM scans WHERE source=$s AND source_scan_id=$i", tx, ("$s", src), ("$i", srcId));
                        var newId = Convert.ToInt64(Scalar(_db, """
                            INSERT INTO scans(started, finished, inventory_path, inventory_sha256, options, source, source_scan_id)
                            SELECT started, finished, inventory_path, inventory_sha256, options, $s, $i FROM src.scans WHERE id=$old RETURNING id
                            """, tx, ("$s", src), ("$i", srcId), ("$old", oldId)), CultureInfo.InvariantCulture);
                        Exec(_db, "INSERT INTO devices SELECT $new, name, host, port, model, site, attributes, line FROM src.devices WHERE scan_id=$old", tx,
                            ("$new", newId), ("$old", oldId));
                        Exec(_db, """
                            INSERT INTO results SELECT $new, device, status, reachable, error, handshakes, attempts, elapsed_ms, profile, completed
                            FROM src.results WHERE scan_id=$old
                            """, tx, ("$new", newId), ("$old", oldId));
                    }
                    tx.Commit();
                    report.Add((label, scans.Count));
                }
                finally
                {
                    Exec(_db, "DETACH DATABASE src");
                }
            }
        }
        return report.ToImmutable();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            // A clean close folds the WAL back into the main file, so a copied .db is complete on its own.
            try { Exec(_db, "PRAGMA wal_checkpoint(TRUNCATE)"); } catch (SqliteException) { }
            _db.Dispose();
        }
    }

    private ImmutableArray<ScanRecord> QueryScans(string where, params (string, object?)[] args)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = $"""
                SELECT s.id, s.started, s.finished, s.inventory_path, s.inventory_sha256, s.options, s.source, s.source_scan_id,
                       (SELECT COUNT(*) FROM devices d WHERE d.scan_id = s.id), (SELECT COUNT(*) FROM results r WHERE r.scan_id = s.id)
                FROM scans s WHERE {where} ORDER BY s.id
                """;
            foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
            using var rd = cmd.ExecuteReader();
            var list = ImmutableArray.CreateBuilder<ScanRecord>();
            while (rd.Read())
                list.Add(new ScanRecord(rd.GetInt64(0), ParseTime(rd.GetString(1)), Str(rd, 2) is { } f ? ParseTime(f) : null,
                    rd.GetString(3), rd.GetString(4), rd.GetString(5), Str(rd, 6), rd.IsDBNull(7) ? null : rd.GetInt64(7), rd.GetInt32(8), rd.GetInt32(9)));
            return list.ToImmutable();
        }
    }

    private static string? Str(SqliteDataReader rd, int i) => rd.IsDBNull(i) ? null : rd.GetString(i);

    private static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static int Exec(SqliteConnection db, string sql, SqliteTransaction? tx = null, params (string, object?)[] args)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        return cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection db, string sql, SqliteTransaction? tx = null, params (string, object?)[] args)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        return cmd.ExecuteScalar();
    }
}
