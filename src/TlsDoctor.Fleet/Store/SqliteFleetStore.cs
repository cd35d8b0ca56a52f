using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace TlsDoctor.Fleet;

/// <summary>
/// The SQLite fleet store (one file, the embedded default). WAL journal: a killed process loses at most the devices
/// it was scanning, and readers (report) never block the scan.
/// </summary>
/// <remarks>One connection, every call under one lock (SQLite serialises writers anyway).</remarks>
public sealed class SqliteFleetStore : FleetStore
{
    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();

    private SqliteFleetStore(SqliteConnection db, string path, int openedAt)
    {
        _db = db;
        Path = path;
        OpenedAtVersion = openedAt;
    }

    public override string Path { get; }

    /// <summary>Opens (creating when missing) a fleet database file and brings its schema up to date.</summary>
    public static new SqliteFleetStore Open(string path, bool create = true)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!create && !File.Exists(full)) throw new FleetStoreException($"{path}: no such fleet database (run `tlsdoctor fleet scan` first)");
        if (Directory.Exists(full)) throw new FleetStoreException($"{path}: is a directory, not a fleet database");
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
            var version = CheckOwner(db, path);
            // NORMAL is durable in WAL mode against a killed process (only power loss can drop the last commits).
            Exec(db, null, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;");
            if (version < FleetSchema.Current)
            {
                using var tx = db.BeginTransaction();
                foreach (var m in FleetSchema.After(version)) Exec(db, tx, m.Sqlite);
                Exec(db, tx, $"PRAGMA user_version={FleetSchema.Current}; PRAGMA application_id={FleetSchema.SqliteApplicationId}");
                tx.Commit();
            }
            return new SqliteFleetStore(db, full, version);
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

    /// <summary>The schema version of a database that is ours (or empty); refuses another application's or a newer one, before anything is written.</summary>
    private static int CheckOwner(SqliteConnection db, string path)
    {
        var app = Convert.ToInt32(Scalar(db, null, "PRAGMA application_id"), CultureInfo.InvariantCulture);
        var version = Convert.ToInt32(Scalar(db, null, "PRAGMA user_version"), CultureInfo.InvariantCulture);
        var tables = new List<string>();
        using (var cmd = Command(db, null, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))
        using (var rd = cmd.ExecuteReader())
            while (rd.Read()) tables.Add(rd.GetString(0));
        // Version 1 files were written before the application id was set; they are recognised by their tables.
        var ours = app == FleetSchema.SqliteApplicationId
            || app == 0 && version == 0 && tables.Count == 0
            || app == 0 && version == 1 && tables.Contains("scans") && tables.Contains("results");
        if (!ours)
            throw new FleetStoreException($"{path}: not a TlsDoctor fleet database (it belongs to another application: " +
                (tables.Count == 0 ? $"application id {app}, version {version}" : "tables " + string.Join(", ", tables.Take(6))) + ")");
        if (version > FleetSchema.Current) throw FleetSchema.Newer(path, version);
        return version;
    }

    protected override Conn Connect()
    {
        _lock.Enter();
        return new Conn(_db, _ => _lock.Exit());
    }

    protected override object TimeValue(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    protected override DateTimeOffset ReadTime(DbDataReader rd, int i) =>
        DateTimeOffset.Parse(rd.GetString(i), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        lock (_lock)
        {
            // A clean close folds the WAL back into the main file, so a copied .db is complete on its own.
            try { Exec(_db, null, "PRAGMA wal_checkpoint(TRUNCATE)"); } catch (SqliteException) { }
            _db.Dispose();
        }
    }
}
