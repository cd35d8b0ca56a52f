using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using Npgsql;

namespace TlsDoctor.Fleet;

/// <summary>
/// The PostgreSQL fleet store: the database several sites share, with the work queue that <c>fleet worker</c>
/// processes claim devices from. Connections come from an Npgsql pool (the slim builder: no reflection, Native AOT).
/// </summary>
public sealed partial class PostgresFleetStore : FleetStore
{
    // Serialises migrations of concurrent first uses (three workers started at once).
    private const long MigrationLock = 0x544C5344_00000001;

    private readonly NpgsqlDataSource _source;

    private PostgresFleetStore(NpgsqlDataSource source, PostgresTarget target, int openedAt)
    {
        _source = source;
        Target = target;
        OpenedAtVersion = openedAt;
    }

    public override string Path => Target.Display;

    /// <summary>The database and how to reach it.</summary>
    public PostgresTarget Target { get; }

    /// <summary>Connects, checks that the database is ours (or empty) and not newer, and runs the pending migrations.</summary>
    /// <param name="create">False: a database without fleet tables is an error instead of being set up.</param>
    public static PostgresFleetStore Open(PostgresTarget target, bool create = true)
    {
        var source = new NpgsqlSlimDataSourceBuilder(target.ConnectionString).Build();
        try
        {
            using var db = source.OpenConnection();
            var version = CheckOwner(db, target);
            if (version == 0 && !create)
                throw new FleetStoreException($"{target}: no fleet data in database {target.Database} yet (run `tlsdoctor fleet scan` or `fleet enqueue` first)");
            if (version < FleetSchema.Current) Migrate(db, target);
            return new PostgresFleetStore(source, target, version);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            source.Dispose();
            throw Explain(target, e);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    private static int CheckOwner(NpgsqlConnection db, PostgresTarget target)
    {
        var tables = new List<string>();
        // Tables only, and not those an extension installed (PostGIS's spatial_ref_sys): pg_stat_statements in a
        // database is no sign of another application.
        using (var cmd = Command(db, null, """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
              AND NOT EXISTS(SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
            ORDER BY 1
            """))
        using (var rd = cmd.ExecuteReader())
            while (rd.Read()) tables.Add(rd.GetString(0));
        if (tables.Count == 0) return 0;
        var meta = tables.Contains("fleet_meta") ? ReadMeta(db) : [];
        if (!meta.TryGetValue("application", out var app) || app != FleetSchema.Application)
            throw new FleetStoreException($"{target}: database {target.Database} belongs to another application (tables {string.Join(", ", tables.Take(6))}); give an empty database or one that tlsdoctor created");
        var version = meta.TryGetValue("schema_version", out var v) && int.TryParse(v, CultureInfo.InvariantCulture, out var n) ? n : 0;
        if (version > FleetSchema.Current) throw FleetSchema.Newer(target.Display, version);
        return version;
    }

    private static Dictionary<string, string> ReadMeta(NpgsqlConnection db)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        using var cmd = Command(db, null, "SELECT key, value FROM fleet_meta");
        using var rd = cmd.ExecuteReader();
        while (rd.Read()) meta[rd.GetString(0)] = rd.GetString(1);
        return meta;
    }

    private static void Migrate(NpgsqlConnection db, PostgresTarget target)
    {
        using var tx = db.BeginTransaction();
        Exec(db, tx, "SELECT pg_advisory_xact_lock(@k)", ("@k", MigrationLock));
        // Another process may have migrated while this one waited for the lock: read the version again.
        var version = CheckOwner(db, target);
        if (version > FleetSchema.Current) throw FleetSchema.Newer(target.Display, version);
        foreach (var m in FleetSchema.After(version)) Exec(db, tx, m.Postgres);
        Exec(db, tx, "INSERT INTO fleet_meta(key, value) VALUES('application', @a), ('schema_version', @v) ON CONFLICT(key) DO UPDATE SET value = EXCLUDED.value",
            ("@a", FleetSchema.Application), ("@v", FleetSchema.Current.ToString(CultureInfo.InvariantCulture)));
        tx.Commit();
    }

    /// <summary>One line for a failed connection: unreachable (exit 3), authentication, missing database, or the server's own message.</summary>
    private static FleetStoreException Explain(PostgresTarget target, Exception e)
    {
        if (e is PostgresException pg)
        {
            var why = pg.SqlState switch
            {
                "28P01" or "28000" => $"{target}: {pg.MessageText} (the password comes from PGPASSWORD or ~/.pgpass)",
                "3D000" => $"{target}: database {target.Database} does not exist (create it: createdb {target.Database})",
                "42501" => $"{target}: permission denied ({pg.MessageText}); the user needs CREATE on the database's schema",
                _ => $"{target}: {pg.MessageText} (SQLSTATE {pg.SqlState})",
            };
            return new FleetStoreException(why, e);
        }
        if (e.Message.Contains("password", StringComparison.OrdinalIgnoreCase))
            return new FleetStoreException($"{target}: the server asks for a password and none was given (set PGPASSWORD or add a line to ~/.pgpass)", e);
        var inner = e.InnerException?.Message ?? e.Message;
        return new FleetStoreException($"{target}: cannot reach the PostgreSQL server ({inner})", e, unreachable: true);
    }

    protected override Conn Connect()
    {
        try
        {
            return new Conn(_source.OpenConnection(), c => c.Dispose());
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            throw Explain(Target, e);
        }
    }

    protected override object TimeValue(DateTimeOffset t) => t.ToUniversalTime();

    protected override DateTimeOffset ReadTime(DbDataReader rd, int i) => rd.GetFieldValue<DateTimeOffset>(i);

    protected override string JsonOut(string column) => column + "::text";

    protected override string JsonIn(string parameter) => $"CAST({parameter} AS jsonb)";

    protected override void Dispose(bool disposing)
    {
        if (disposing) _source.Dispose();
    }
}
