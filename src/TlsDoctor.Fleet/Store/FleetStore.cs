using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using TlsDoctor.Probe.Json;
using TlsDoctor.Core;

namespace TlsDoctor.Fleet;

/// <summary>A fleet database that cannot be used (not ours, newer schema, missing scan, server not reachable).</summary>
/// <param name="unreachable">The database server could not be reached (exit code 3 rather than 2).</param>
public sealed class FleetStoreException(string message, Exception? inner = null, bool unreachable = false) : InputException(message, inner)
{
    /// <summary>True when the database server could not be reached at all.</summary>
    public override bool Unreachable { get; } = unreachable;
}

/// <summary>
/// Where fleet scans are kept: every scan, its inventory rows and one committed result per device. Two stores share
/// this class's queries: SQLite (one file, the embedded default) and PostgreSQL (several sites, a work queue).
/// </summary>
/// <remarks>Thread-safe. <see cref="Open"/> picks the store from the text of <c>--db</c>.</remarks>
public abstract class FleetStore : IDisposable
{
    /// <summary>Schema version this build writes (both stores).</summary>
    public static int SchemaVersion => FleetSchema.Current;

    /// <summary>The database as shown to the user: a file path, or a PostgreSQL URI without its password.</summary>
    public abstract string Path { get; }

    /// <summary>Schema version the database had when it was opened (0 for a new one).</summary>
    public int OpenedAtVersion { get; protected init; }

    /// <summary>Opens a fleet database: a PostgreSQL URI or connection string, otherwise a SQLite file (created when missing).</summary>
    /// <param name="create">False: the database must already hold fleet data (report, what-if, diff).</param>
    public static FleetStore Open(string db, bool create = true) =>
        PostgresTarget.TryParse(db, out var pg) ? PostgresFleetStore.Open(pg!, create) : SqliteFleetStore.Open(db, create);

    /// <summary>True when <paramref name="db"/> names a PostgreSQL database rather than a SQLite file.</summary>
    public static bool IsPostgres(string db) => PostgresTarget.TryParse(db, out _);

    /// <summary>A connection for one unit of work; disposing it gives the connection back.</summary>
    protected abstract Conn Connect();

    /// <summary>A time as this store keeps it.</summary>
    protected abstract object TimeValue(DateTimeOffset t);

    protected abstract DateTimeOffset ReadTime(DbDataReader rd, int i);

    /// <summary>A JSON column as text in a select list.</summary>
    protected virtual string JsonOut(string column) => column;

    /// <summary>A parameter that goes into a JSON column.</summary>
    protected virtual string JsonIn(string parameter) => parameter;

    /// <summary>Records a new scan and its inventory rows in one transaction; returns the scan id.</summary>
    public long CreateScan(Inventory inventory, string inventoryPath, string optionsJson, DateTimeOffset started)
    {
        using var c = Connect();
        using var tx = c.Db.BeginTransaction();
        var id = InsertScan(c.Db, tx, started, null, inventoryPath, inventory.Sha256, optionsJson, null, null);
        InsertDevices(c.Db, tx, id, inventory.Devices.Select(d => (d, JsonSerializer.Serialize(d.Attributes, StoreJson.Compact.ImmutableSortedDictionaryStringString))));
        tx.Commit();
        return id;
    }

    /// <summary>Commits one device's result in its own transaction; false when the scan already had one (nothing is duplicated).</summary>
    public bool SaveResult(long scanId, DeviceResult r)
    {
        var stored = StoredResult.From(r);
        using var c = Connect();
        using var tx = c.Db.BeginTransaction();
        var n = InsertResult(c.Db, tx, scanId, r.Device, stored);
        tx.Commit();
        return n == 1;
    }

    /// <summary>Marks a scan finished (every device has a result).</summary>
    public void FinishScan(long scanId, DateTimeOffset finished)
    {
        using var c = Connect();
        Exec(c.Db, null, "UPDATE scans SET finished=@f WHERE id=@id AND finished IS NULL", ("@f", TimeValue(finished)), ("@id", scanId));
    }

    /// <summary>Every scan, oldest first.</summary>
    public ImmutableArray<ScanRecord> Scans() => QueryScans("1=1");

    /// <summary>One scan, or null.</summary>
    public ScanRecord? Scan(long id) => QueryScans("s.id=@id", ("@id", id)).FirstOrDefault();

    /// <summary>The newest scan run here (not merged, not queued for workers) that has not finished: what --resume continues.</summary>
    public ScanRecord? LatestUnfinished() =>
        QueryScans("s.finished IS NULL AND s.source IS NULL AND NOT EXISTS(SELECT 1 FROM queue q WHERE q.scan_id = s.id)").LastOrDefault();

    /// <summary>Inventory rows of a scan that have no result yet, in inventory order.</summary>
    public ImmutableArray<InventoryDevice> PendingDevices(long scanId) =>
        [.. Devices(scanId).Where(d => d.Result is null).Select(d => d.Device)];

    /// <summary>Every device of a scan with its result, in inventory order.</summary>
    public ImmutableArray<FleetDevice> Devices(long scanId)
    {
        var source = Scan(scanId)?.Source;
        return [.. StoredDevices(scanId).Select(s => new FleetDevice(scanId, source, s.Device,
            s.Damage is { } damage ? StoredResult.Unreadable(s.Device.Name, damage) : s.Result?.Parse())) ];
    }

    /// <summary>
    /// Copies every scan of SQLite fleet databases into this one with new ids, labelled with their source.
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
            using var src = SqliteFleetStore.Open(full, create: false);
            var scans = src.Scans();
            // Read before writing: the whole source goes in as one transaction.
            var copies = scans.Select(s => (Scan: s, Rows: src.StoredDevices(s.Id))).ToList();
            using var c = Connect();
            using var tx = c.Db.BeginTransaction();
            foreach (var (s, rows) in copies)
            {
                // A scan merged into the source earlier keeps its original label and id.
                var srcLabel = s.Source ?? label;
                var srcId = s.SourceScanId ?? s.Id;
                Exec(c.Db, tx, "DELETE FROM scans WHERE source=@s AND source_scan_id=@i", ("@s", srcLabel), ("@i", srcId));
                var id = InsertScan(c.Db, tx, s.Started, s.Finished, s.InventoryPath, s.InventorySha256, s.Options, srcLabel, srcId);
                InsertDevices(c.Db, tx, id, rows.Select(r => (r.Device, r.AttributesJson)));
                foreach (var r in rows)
                {
                    if (r.Damage is { } damage)
                        throw new FleetStoreException($"{path}: scan {s.Id}, device {r.Device.Name}: the stored result is damaged ({damage}); nothing was merged from {path}");
                    if (r.Result is { } result) InsertResult(c.Db, tx, id, r.Device.Name, result);
                }
            }
            tx.Commit();
            report.Add((label, scans.Length));
        }
        return report.ToImmutable();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>A device row as stored: attributes and profile kept as their JSON text (merge copies them unchanged).</summary>
    /// <param name="Damage">Why the result row could not be read (a column of the wrong type), else null.</param>
    private protected sealed record StoredDevice(InventoryDevice Device, string AttributesJson, StoredResult? Result, string? Damage = null);

    /// <summary>A result row as stored.</summary>
    private protected sealed record StoredResult(string Device, string Status, bool Reachable, string? Error, int Handshakes, int Attempts, long ElapsedMs, string? ProfileJson, DateTimeOffset Completed)
    {
        public static StoredResult From(DeviceResult r) => new(r.Device, r.Status.Name(), r.Reachable, r.Error, r.Handshakes, r.Attempts, r.ElapsedMs,
            r.Profile is null ? null : JsonSerializer.Serialize(r.Profile, StoreJson.Compact.ScanJson), r.Completed);

        /// <summary>The result, or an <see cref="DeviceStatus.Unreadable"/> one saying what is damaged: one bad row does not hide the others.</summary>
        public DeviceResult Parse()
        {
            DeviceStatus status;
            try { status = DeviceStatuses.Parse(Status); }
            catch (FormatException e) { return Unreadable(Device, e.Message); }
            ScanJson? profile = null;
            if (ProfileJson is { } json)
            {
                try
                {
                    profile = JsonSerializer.Deserialize(json, FleetJsonContext.Default.ScanJson) ?? throw new JsonException("the profile is JSON null");
                    // What reports, what-if and diff will read from it: a profile that cannot be simulated is as damaged as bad JSON.
                    _ = ScanJsonMapper.ToProfile(profile);
                }
                catch (Exception e) when (e is JsonException or FormatException or NotSupportedException)
                {
                    return Unreadable(Device, $"stored profile: {e.Message}");
                }
            }
            return new DeviceResult(Device, status, Reachable, Error, Handshakes, Attempts, ElapsedMs, profile, Completed);
        }

        public static DeviceResult Unreadable(string device, string why) =>
            new(device, DeviceStatus.Unreadable, false, $"the stored result is damaged and was not read ({why})", 0, 0, 0, null, DateTimeOffset.MinValue);
    }

    private protected ImmutableArray<StoredDevice> StoredDevices(long scanId)
    {
        using var c = Connect();
        using var cmd = Command(c.Db, null, $"""
            SELECT d.name, d.host, d.port, d.model, d.site, {JsonOut("d.attributes")}, d.line,
                   r.status, r.reachable, r.error, r.handshakes, r.attempts, r.elapsed_ms, {JsonOut("r.profile")}, r.completed
            FROM devices d LEFT JOIN results r ON r.scan_id = d.scan_id AND r.device = d.name
            WHERE d.scan_id = @id ORDER BY d.line, d.name
            """, ("@id", scanId));
        using var rd = cmd.ExecuteReader();
        var list = ImmutableArray.CreateBuilder<StoredDevice>();
        while (rd.Read())
        {
            string attributes;
            InventoryDevice device;
            try
            {
                attributes = rd.GetString(5);
                device = new InventoryDevice(rd.GetString(0), rd.GetString(1), Int(rd, 2), Str(rd, 3), Str(rd, 4),
                    JsonSerializer.Deserialize(attributes, StoreJson.Compact.ImmutableSortedDictionaryStringString) ?? ImmutableSortedDictionary<string, string>.Empty,
                    Int(rd, 6));
            }
            catch (Exception e) when (IsDamage(e))
            {
                var name = rd.IsDBNull(0) ? $"#{list.Count + 1}" : Convert.ToString(rd.GetValue(0), CultureInfo.InvariantCulture);
                throw new FleetStoreException($"{Path}: scan {scanId}, device {name}: the stored inventory row is damaged ({e.Message}); repair or delete the row, or report another scan");
            }
            if (rd.IsDBNull(7))
            {
                list.Add(new StoredDevice(device, attributes, null));
                continue;
            }
            try
            {
                list.Add(new StoredDevice(device, attributes, new StoredResult(device.Name, rd.GetString(7), rd.GetBoolean(8), Str(rd, 9), Int(rd, 10), Int(rd, 11),
                    Long(rd, 12), Str(rd, 13), ReadTime(rd, 14))));
            }
            catch (Exception e) when (IsDamage(e))
            {
                list.Add(new StoredDevice(device, attributes, null, e.Message));
            }
        }
        return list.ToImmutable();
    }

    /// <summary>What reading a column of the wrong type or a broken JSON value throws.</summary>
    private static bool IsDamage(Exception e) => e is FormatException or InvalidCastException or OverflowException or JsonException or ArgumentException;

    private protected ImmutableArray<ScanRecord> QueryScans(string where, params (string, object?)[] args)
    {
        using var c = Connect();
        using var cmd = Command(c.Db, null, $"""
            SELECT s.id, s.started, s.finished, s.inventory_path, s.inventory_sha256, {JsonOut("s.options")}, s.source, s.source_scan_id,
                   (SELECT COUNT(*) FROM devices d WHERE d.scan_id = s.id), (SELECT COUNT(*) FROM results r WHERE r.scan_id = s.id)
            FROM scans s WHERE {where} ORDER BY s.id
            """, args);
        using var rd = cmd.ExecuteReader();
        var list = ImmutableArray.CreateBuilder<ScanRecord>();
        while (rd.Read())
            list.Add(new ScanRecord(Long(rd, 0), ReadTime(rd, 1), rd.IsDBNull(2) ? null : ReadTime(rd, 2),
                rd.GetString(3), rd.GetString(4), rd.GetString(5), Str(rd, 6), rd.IsDBNull(7) ? null : Long(rd, 7), Int(rd, 8), Int(rd, 9)));
        return list.ToImmutable();
    }

    private protected long InsertScan(DbConnection db, DbTransaction tx, DateTimeOffset started, DateTimeOffset? finished, string inventoryPath, string sha256,
        string optionsJson, string? source, long? sourceScanId) =>
        Convert.ToInt64(Scalar(db, tx, $"""
            INSERT INTO scans(started, finished, inventory_path, inventory_sha256, options, source, source_scan_id)
            VALUES(@s, @f, @p, @h, {JsonIn("@o")}, @src, @srcid) RETURNING id
            """, ("@s", TimeValue(started)), ("@f", finished is { } f ? TimeValue(f) : null), ("@p", inventoryPath), ("@h", sha256), ("@o", optionsJson),
            ("@src", source), ("@srcid", sourceScanId)), CultureInfo.InvariantCulture);

    private protected void InsertDevices(DbConnection db, DbTransaction tx, long scanId, IEnumerable<(InventoryDevice Device, string AttributesJson)> devices)
    {
        using var cmd = Command(db, tx, $"INSERT INTO devices(scan_id, name, host, port, model, site, attributes, line) VALUES(@id, @n, @h, @p, @m, @s, {JsonIn("@a")}, @l)",
            ("@id", scanId), ("@n", ""), ("@h", ""), ("@p", 0), ("@m", null), ("@s", null), ("@a", "{}"), ("@l", 0));
        var ps = cmd.Parameters;
        foreach (var (d, attributes) in devices)
        {
            ps["@n"].Value = d.Name; ps["@h"].Value = d.Host; ps["@p"].Value = d.Port;
            ps["@m"].Value = (object?)d.Model ?? DBNull.Value; ps["@s"].Value = (object?)d.Site ?? DBNull.Value;
            ps["@a"].Value = attributes; ps["@l"].Value = d.Line;
            cmd.ExecuteNonQuery();
        }
    }

    private protected int InsertResult(DbConnection db, DbTransaction tx, long scanId, string device, StoredResult r)
    {
        using var cmd = ResultCommand(db, tx, scanId, device, r);
        return cmd.ExecuteNonQuery();
    }

    /// <summary>The insert of one result; a second result for the same device is ignored.</summary>
    private protected DbCommand ResultCommand(DbConnection db, DbTransaction tx, long scanId, string device, StoredResult r) =>
        Command(db, tx, $"""
            INSERT INTO results(scan_id, device, status, reachable, error, handshakes, attempts, elapsed_ms, profile, completed)
            VALUES(@id, @d, @st, @r, @e, @h, @a, @ms, {JsonIn("@p")}, @c) ON CONFLICT(scan_id, device) DO NOTHING
            """,
            ("@id", scanId), ("@d", device), ("@st", r.Status), ("@r", r.Reachable), ("@e", r.Error), ("@h", r.Handshakes), ("@a", r.Attempts),
            ("@ms", r.ElapsedMs), ("@p", r.ProfileJson), ("@c", TimeValue(r.Completed)));

    /// <summary>A connection lent for one unit of work.</summary>
    protected sealed class Conn(DbConnection db, Action<DbConnection> release) : IDisposable
    {
        public DbConnection Db { get; } = db;

        public void Dispose() => release(Db);
    }

    private protected static DbCommand Command(DbConnection db, DbTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (n, v) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = n;
            p.Value = v ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    private protected static int Exec(DbConnection db, DbTransaction? tx, string sql, params (string, object?)[] args)
    {
        using var cmd = Command(db, tx, sql, args);
        return cmd.ExecuteNonQuery();
    }

    private protected static object? Scalar(DbConnection db, DbTransaction? tx, string sql, params (string, object?)[] args)
    {
        using var cmd = Command(db, tx, sql, args);
        return cmd.ExecuteScalar();
    }

    private protected static string? Str(DbDataReader rd, int i) => rd.IsDBNull(i) ? null : rd.GetString(i);

    private protected static int Int(DbDataReader rd, int i) => Convert.ToInt32(rd.GetValue(i), CultureInfo.InvariantCulture);

    private protected static long Long(DbDataReader rd, int i) => Convert.ToInt64(rd.GetValue(i), CultureInfo.InvariantCulture);
}
