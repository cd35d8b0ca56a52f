using System.Globalization;
using Npgsql;

namespace TlsDoctor.Fleet;

/// <summary>
/// A PostgreSQL database named by <c>--db</c>: a <c>postgres://user@host[:port]/db[?param=value]</c> URI (libpq's
/// form) or an Npgsql connection string (<c>Host=…;Database=…</c>). The password comes from the URI, PGPASSWORD or
/// ~/.pgpass (Npgsql reads both); <see cref="Display"/> never shows it.
/// </summary>
public sealed record PostgresTarget(string ConnectionString, string Display, string Database)
{
    private static readonly string[] UriSchemes = ["postgres://", "postgresql://"];

    /// <summary>Recognises a PostgreSQL database; false for anything else (a SQLite path). Throws on a malformed URI.</summary>
    public static bool TryParse(string db, out PostgresTarget? target)
    {
        target = null;
        if (UriSchemes.Any(s => db.StartsWith(s, StringComparison.OrdinalIgnoreCase)))
        {
            target = FromUri(db);
            return true;
        }
        // A connection string names a host; a file name with '=' in it does not parse as one.
        if (!db.Contains('=', StringComparison.Ordinal)) return false;
        NpgsqlConnectionStringBuilder b;
        try { b = new NpgsqlConnectionStringBuilder(db); }
        catch (ArgumentException) { return false; }
        if (string.IsNullOrEmpty(b.Host)) return false;
        target = Build(b);
        return true;
    }

    private static PostgresTarget FromUri(string text)
    {
        var bad = (string why) => new FleetStoreException($"--db: not a PostgreSQL URI ({why}); expected postgres://user@host[:port]/database");
        var rest = text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var query = "";
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0) { query = rest[(q + 1)..]; rest = rest[..q]; }
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash >= 0 ? rest[..slash] : rest;
        var database = slash >= 0 ? Uri.UnescapeDataString(rest[(slash + 1)..]) : "";
        var b = new NpgsqlConnectionStringBuilder();
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var user = authority[..at];
            authority = authority[(at + 1)..];
            var colon = user.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0) { b.Password = Uri.UnescapeDataString(user[(colon + 1)..]); user = user[..colon]; }
            if (user.Length > 0) b.Username = Uri.UnescapeDataString(user);
        }
        string host = authority;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) throw bad("unclosed [ in the host");
            host = authority[1..close];
            var after = authority[(close + 1)..];
            if (after.StartsWith(':')) SetPort(b, after[1..], bad);
            else if (after.Length > 0) throw bad($"unexpected '{after}' after the host");
        }
        else if (authority.LastIndexOf(':') is var c and >= 0)
        {
            host = authority[..c];
            SetPort(b, authority[(c + 1)..], bad);
        }
        if (host.Length > 0) b.Host = Uri.UnescapeDataString(host);
        if (database.Length > 0) b.Database = database;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            switch (key)
            {
                case "host": b.Host = value; break;
                case "port": SetPort(b, value, bad); break;
                case "user": b.Username = value; break;
                case "dbname": b.Database = value; break;
                case "password": b.Password = value; break;
                case "sslmode": b.SslMode = Enum.TryParse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var m) ? m : throw bad($"sslmode '{value}'"); break;
                case "connect_timeout": b.Timeout = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t is > 0 and <= 1024 ? t : throw bad($"connect_timeout '{value}'"); break;
                case "application_name": b.ApplicationName = value; break;
                default: throw bad($"unknown parameter '{key}'");
            }
        }
        return Build(b);
    }

    private static void SetPort(NpgsqlConnectionStringBuilder b, string text, Func<string, FleetStoreException> bad) =>
        b.Port = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535 ? p : throw bad($"port '{text}'");

    private static PostgresTarget Build(NpgsqlConnectionStringBuilder b)
    {
        // libpq's defaults where the text leaves them out: PGHOST, PGPORT, PGUSER, PGDATABASE, then the local socket.
        if (string.IsNullOrEmpty(b.Host)) b.Host = Environment.GetEnvironmentVariable("PGHOST") is { Length: > 0 } h ? h : Directory.Exists("/var/run/postgresql") ? "/var/run/postgresql" : "localhost";
        if (!b.ContainsKey("Port") || b.Port == NpgsqlConnection.DefaultPort)
            if (Environment.GetEnvironmentVariable("PGPORT") is { Length: > 0 } port && int.TryParse(port, CultureInfo.InvariantCulture, out var pp)) b.Port = pp;
        if (string.IsNullOrEmpty(b.Username)) b.Username = Environment.GetEnvironmentVariable("PGUSER") is { Length: > 0 } u ? u : Environment.UserName;
        if (string.IsNullOrEmpty(b.Database)) b.Database = Environment.GetEnvironmentVariable("PGDATABASE") is { Length: > 0 } d ? d : b.Username;
        if (!b.ContainsKey("Timeout") || b.Timeout == 15) b.Timeout = 10;
        if (string.IsNullOrEmpty(b.ApplicationName)) b.ApplicationName = "tlsdoctor";
        b.PersistSecurityInfo = false;
        // Our sessions change no state (advisory locks are per transaction), so pooled connections skip DISCARD ALL.
        b.NoResetOnClose = true;
        // Workers send the same few statements thousands of times: prepared once per connection, PostgreSQL stops
        // parsing and planning each one (most of its CPU per device on a busy queue). Few connections per worker
        // suffice, since each statement holds one for about a millisecond, and every extra backend costs a fork.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = b.ConnectionString };
        if (!given.ContainsKey("Max Auto Prepare")) b.MaxAutoPrepare = 32;
        if (!given.ContainsKey("Auto Prepare Min Usages")) b.AutoPrepareMinUsages = 2;
        if (!given.ContainsKey("Maximum Pool Size")) b.MaxPoolSize = 8;
        var host = b.Host!.StartsWith('/') ? "" : b.Host.Contains(':', StringComparison.Ordinal) ? $"[{b.Host}]" : b.Host;
        var socket = b.Host.StartsWith('/') ? $"?host={b.Host}" : "";
        var display = $"postgres://{b.Username}@{host}:{b.Port.ToString(CultureInfo.InvariantCulture)}/{b.Database}{socket}";
        return new PostgresTarget(b.ConnectionString, display, b.Database!);
    }

    public override string ToString() => Display;
}
