using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Npgsql;

namespace TlsDoctor.Fleet;

/// <summary>A device a worker has claimed: its inventory row, the retry state carried in the queue, and the claim number that proves the lease.</summary>
/// <param name="Claim">The queue row's claim counter when this worker took it; a completion with another number is stale.</param>
public sealed record QueuedDevice(long ScanId, InventoryDevice Device, int Attempt, int Failures, int Handshakes, long ElapsedMs, int Claim);

/// <summary>Queue rows by state for one site, worker or scan.</summary>
public sealed record QueueCounts(string? Name, int Queued, int Leased, int Done, int Failed)
{
    /// <summary>Rows still to be scanned (queued or leased).</summary>
    public int Open => Queued + Leased;
}

/// <summary>A worker as it registered, with its last sign of life.</summary>
public sealed record WorkerRecord(string Name, string? Site, DateTimeOffset Started, DateTimeOffset Seen, DateTimeOffset? Stopped, int Concurrency, double Rate);

/// <summary>The work queue of the PostgreSQL store (<c>fleet enqueue</c>, <c>fleet worker</c>, <c>fleet status</c>).</summary>
/// <remarks>
/// Every decision about a lease uses the database's clock (now()), so workers on machines with skewed clocks agree.
/// A row is claimed with SELECT … FOR UPDATE SKIP LOCKED; a completion commits the result and the row's new state in one
/// transaction, and only if the row still carries this worker's claim number (a lease taken over is not completed twice).
/// </remarks>
public sealed partial class PostgresFleetStore
{
    private const string Drained = "s.finished IS NULL AND NOT EXISTS(SELECT 1 FROM queue o WHERE o.scan_id = s.id AND o.state IN ('queued', 'leased'))";

    /// <summary>Records a scan and one queued row per device in one transaction; returns the scan id.</summary>
    public long Enqueue(Inventory inventory, string inventoryPath, string optionsJson, Func<InventoryDevice, string> deviceKey, DateTimeOffset started)
    {
        using var c = Connect();
        using var tx = c.Db.BeginTransaction();
        var id = InsertScan(c.Db, tx, started, null, inventoryPath, inventory.Sha256, optionsJson, null, null);
        InsertDevices(c.Db, tx, id, inventory.Devices.Select(d => (d, JsonSerializer.Serialize(d.Attributes, StoreJson.Compact.ImmutableSortedDictionaryStringString))));
        using var cmd = Command(c.Db, tx, "INSERT INTO queue(scan_id, device, site, device_key, line) VALUES(@id, @d, @s, @k, @l)",
            ("@id", id), ("@d", ""), ("@s", null), ("@k", ""), ("@l", 0));
        foreach (var d in inventory.Devices)
        {
            cmd.Parameters["@d"].Value = d.Name;
            cmd.Parameters["@s"].Value = (object?)d.Site ?? DBNull.Value;
            cmd.Parameters["@k"].Value = deviceKey(d);
            cmd.Parameters["@l"].Value = d.Line;
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
        return id;
    }

    /// <summary>Registers (or re-registers) a worker; status lists it with its last sign of life.</summary>
    public async Task RegisterWorkerAsync(string name, string? site, int concurrency, double rate, CancellationToken ct)
    {
        await using var db = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = NpgCommand(db, null, """
            INSERT INTO workers(name, site, started, seen, concurrency, rate) VALUES(@n, @s, now(), now(), @c, @r)
            ON CONFLICT(name) DO UPDATE SET site = EXCLUDED.site, started = now(), seen = now(), concurrency = EXCLUDED.concurrency, rate = EXCLUDED.rate, stopped = NULL
            """, ("@n", name), ("@s", site), ("@c", concurrency), ("@r", rate));
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Marks a worker stopped (a clean exit; a killed one just stops renewing).</summary>
    public async Task StopWorkerAsync(string name, CancellationToken ct)
    {
        await using var db = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = NpgCommand(db, null, "UPDATE workers SET stopped = now(), seen = now() WHERE name = @n", ("@n", name));
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Claims up to <paramref name="max"/> devices that are due (queued and past their back-off, or leased by a worker whose
    /// lease ran out), skipping rows other workers are claiming and devices that another row of the same device key holds.
    /// </summary>
    /// <param name="maxLostLeases">A device whose lease ran out this many times (every worker that took it died or hung on it) is
    /// not claimed again: it gets an error result and its row fails, so a poison device cannot keep the queue open forever.</param>
    public async Task<ImmutableArray<QueuedDevice>> ClaimAsync(string worker, string? site, int max, TimeSpan lease, CancellationToken ct, int maxLostLeases = DefaultMaxLostLeases)
    {
        await using var db = await OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await db.BeginTransactionAsync(ct).ConfigureAwait(false);
        var candidates = new List<(QueuedDevice Work, string Key)>();
        var poisoned = new List<(QueuedDevice Work, int Lost)>();
        // Dead workers' rows first (rare, and they have waited longest), then queued rows in inventory order; each
        // query walks its partial index and stops at the limit instead of sorting the whole queue per claim.
        foreach (var due in new[] { "q.state = 'leased' AND q.lease_until < now()", "q.state = 'queued' AND q.not_before <= now()" })
        {
            var limit = max + 2 - candidates.Count;
            if (limit <= 0) break;
            await using var cmd = NpgCommand(db, tx, $"""
                SELECT q.scan_id, q.device, q.device_key, q.attempt, q.failures, q.handshakes, q.elapsed_ms,
                       d.host, d.port, d.model, d.site, d.attributes::text, d.line, q.claims
                FROM queue q JOIN scans s ON s.id = q.scan_id JOIN devices d ON d.scan_id = q.scan_id AND d.name = q.device
                WHERE {due} AND s.finished IS NULL {(site is null ? "" : "AND q.site = @site")}
                ORDER BY q.scan_id, q.line
                LIMIT @n
                FOR UPDATE OF q SKIP LOCKED
                """, [("@n", limit), .. SiteArg(site)]);
            await using var rd = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await rd.ReadAsync(ct).ConfigureAwait(false))
            {
                var device = new InventoryDevice(rd.GetString(1), rd.GetString(7), rd.GetInt32(8), Str(rd, 9), Str(rd, 10),
                    JsonSerializer.Deserialize(rd.GetString(11), StoreJson.Compact.ImmutableSortedDictionaryStringString) ?? ImmutableSortedDictionary<string, string>.Empty,
                    rd.GetInt32(12));
                var work = new QueuedDevice(rd.GetInt64(0), device, rd.GetInt32(3), rd.GetInt32(4), rd.GetInt32(5), rd.GetInt64(6), 0);
                // Every earlier claim ended in a release (which counts an attempt) or a lease that ran out; a queued row has none running out.
                var lost = due.StartsWith("q.state = 'leased'", StringComparison.Ordinal) ? rd.GetInt32(13) - (work.Attempt - 1) : 0;
                if (lost >= maxLostLeases) poisoned.Add((work, lost));
                else candidates.Add((work, rd.GetString(2)));
            }
        }
        foreach (var (work, lost) in poisoned) await GiveUpAsync(db, tx, work, lost, ct).ConfigureAwait(false);
        var claimed = ImmutableArray.CreateBuilder<QueuedDevice>();
        foreach (var (work, key) in candidates)
        {
            if (claimed.Count >= max) break;
            // The advisory lock makes the check-then-lease atomic among workers claiming rows of the same device key.
            await using (var free = NpgCommand(db, tx, """
                SELECT pg_try_advisory_xact_lock(hashtextextended(@k, 0)) AND NOT EXISTS(
                    SELECT 1 FROM queue o WHERE o.device_key = @k AND o.state = 'leased' AND o.lease_until >= now() AND NOT (o.scan_id = @s AND o.device = @d))
                """, ("@k", key), ("@s", work.ScanId), ("@d", work.Device.Name)))
            {
                if (await free.ExecuteScalarAsync(ct).ConfigureAwait(false) is not true) continue;
            }
            await using var take = NpgCommand(db, tx, """
                UPDATE queue SET state = 'leased', worker = @w, claims = claims + 1, lease_until = now() + @lease * interval '1 second', updated = now()
                WHERE scan_id = @s AND device = @d RETURNING claims
                """, ("@w", worker), ("@lease", lease.TotalSeconds), ("@s", work.ScanId), ("@d", work.Device.Name));
            var claim = Convert.ToInt32(await take.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
            claimed.Add(work with { Claim = claim });
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return claimed.ToImmutable();
    }

    /// <summary>Leases that may run out on one device before the queue gives up on it.</summary>
    public const int DefaultMaxLostLeases = 3;

    // The device's row fails with an error result in the claiming transaction; the scan finishes if it was the last open row.
    private async Task GiveUpAsync(NpgsqlConnection db, NpgsqlTransaction tx, QueuedDevice work, int lost, CancellationToken ct)
    {
        var result = new DeviceResult(work.Device.Name, DeviceStatus.Error, false,
            $"given up after the lease on this device ran out {lost} times: every worker that scanned it died or stopped renewing (a device that crashes or hangs the scanner)",
            work.Handshakes, work.Attempt, work.ElapsedMs, null, DateTimeOffset.UtcNow);
        await using (var row = NpgCommand(db, tx, "UPDATE queue SET state = 'failed', lease_until = NULL, updated = now() WHERE scan_id = @s AND device = @d",
            ("@s", work.ScanId), ("@d", work.Device.Name)))
            await row.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await using (var insert = (NpgsqlCommand)ResultCommand(db, tx, work.ScanId, work.Device.Name, StoredResult.From(result)))
            await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await FinishIfDrainedAsync(db, tx, work.ScanId, ct).ConfigureAwait(false);
    }

    private static async Task FinishIfDrainedAsync(NpgsqlConnection db, NpgsqlTransaction tx, long scanId, CancellationToken ct)
    {
        await using var finish = NpgCommand(db, tx, $"UPDATE scans s SET finished = now() WHERE s.id = @s AND {Drained}", ("@s", scanId));
        await finish.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Extends every lease this worker holds; returns how many it still holds.</summary>
    public async Task<int> RenewAsync(string worker, TimeSpan lease, CancellationToken ct)
    {
        await using var db = await OpenAsync(ct).ConfigureAwait(false);
        await using (var seen = NpgCommand(db, null, "UPDATE workers SET seen = now() WHERE name = @w", ("@w", worker)))
            await seen.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await using var cmd = NpgCommand(db, null, "UPDATE queue SET lease_until = now() + @lease * interval '1 second' WHERE worker = @w AND state = 'leased'",
            ("@w", worker), ("@lease", lease.TotalSeconds));
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Commits a device's result and completes its queue row in one transaction, and finishes the scan when that was its
    /// last open row. False (nothing written) when the lease was taken over by another worker in the meantime.
    /// </summary>
    public async Task<bool> CompleteAsync(string worker, QueuedDevice work, DeviceResult result, CancellationToken ct)
    {
        var stored = StoredResult.From(result);
        await using var db = await OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await db.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var row = NpgCommand(db, tx, """
            UPDATE queue SET state = @st, lease_until = NULL, attempt = @a, handshakes = @h, elapsed_ms = @ms, updated = now()
            WHERE scan_id = @s AND device = @d AND worker = @w AND claims = @c AND state = 'leased'
            """, ("@st", result.Status == DeviceStatus.Ok ? "done" : "failed"), ("@a", result.Attempts), ("@h", result.Handshakes), ("@ms", result.ElapsedMs),
            ("@s", work.ScanId), ("@d", work.Device.Name), ("@w", worker), ("@c", work.Claim)))
        {
            if (await row.ExecuteNonQueryAsync(ct).ConfigureAwait(false) != 1)
            {
                await tx.RollbackAsync(ct).ConfigureAwait(false);
                return false;
            }
        }
        await using (var insert = (NpgsqlCommand)ResultCommand(db, tx, work.ScanId, work.Device.Name, stored))
            await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        // Usually other rows are still open and this does nothing. Two last completions committing together may each
        // still see the other's row open; FinishDrainedAsync (a worker with nothing to claim) closes such a scan.
        // (Locking the scan row here instead serialised every completion behind one lock and its commit: 0.19 s each.)
        await FinishIfDrainedAsync(db, tx, work.ScanId, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Marks finished every scan whose queue rows are all done or failed; returns how many.</summary>
    public async Task<int> FinishDrainedAsync(CancellationToken ct)
    {
        await using var db = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = NpgCommand(db, null, $"UPDATE scans s SET finished = now() WHERE EXISTS(SELECT 1 FROM queue q WHERE q.scan_id = s.id) AND {Drained}");
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Puts a device back in the queue to be retried after <paramref name="delay"/> (it could not be reached yet), keeping its retry state.</summary>
    public async Task<bool> ReleaseAsync(string worker, QueuedDevice work, TimeSpan delay, CancellationToken ct)
    {
        await using var db = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = NpgCommand(db, null, """
            UPDATE queue SET state = 'queued', worker = NULL, lease_until = NULL, not_before = now() + @delay * interval '1 second',
                attempt = @a, failures = @f, handshakes = @h, elapsed_ms = @ms, updated = now()
            WHERE scan_id = @s AND device = @d AND worker = @w AND claims = @c AND state = 'leased'
            """, ("@delay", delay.TotalSeconds), ("@a", work.Attempt), ("@f", work.Failures), ("@h", work.Handshakes), ("@ms", work.ElapsedMs),
            ("@s", work.ScanId), ("@d", work.Device.Name), ("@w", worker), ("@c", work.Claim));
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
    }

    /// <summary>Rows not yet done in unfinished scans (for a site, or all): a worker exits when this reaches zero.</summary>
    public async Task<int> OpenRowsAsync(string? site, CancellationToken ct)
    {
        await using var db = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = NpgCommand(db, null, $"""
            SELECT COUNT(*) FROM queue q JOIN scans s ON s.id = q.scan_id
            WHERE s.finished IS NULL AND q.state IN ('queued', 'leased') {(site is null ? "" : "AND q.site = @site")}
            """, SiteArg(site));
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>Queue rows per scan, per site and per worker (the worker that holds or completed a row), and the registered workers.</summary>
    public (ImmutableArray<QueueCounts> Scans, ImmutableArray<QueueCounts> Sites, ImmutableArray<QueueCounts> Workers, ImmutableArray<WorkerRecord> Registered) Status(IReadOnlyCollection<long> scanIds)
    {
        using var c = Connect();
        // Ids are numbers formatted here, not user text: the list goes into the SQL (the slim Npgsql has no array support).
        var ids = scanIds.Count == 0 ? "NULL" : string.Join(",", scanIds.Select(i => i.ToString(CultureInfo.InvariantCulture)));
        ImmutableArray<QueueCounts> Group(string by)
        {
            using var cmd = Command(c.Db, null, $"""
                SELECT {by}, COUNT(*) FILTER (WHERE state = 'queued'), COUNT(*) FILTER (WHERE state = 'leased'),
                       COUNT(*) FILTER (WHERE state = 'done'), COUNT(*) FILTER (WHERE state = 'failed')
                FROM queue WHERE scan_id IN ({ids}) {(by == "worker" ? "AND worker IS NOT NULL" : "")} GROUP BY 1 ORDER BY 1
                """);
            using var rd = cmd.ExecuteReader();
            var list = ImmutableArray.CreateBuilder<QueueCounts>();
            while (rd.Read()) list.Add(new QueueCounts(rd.IsDBNull(0) ? null : Convert.ToString(rd.GetValue(0), CultureInfo.InvariantCulture), Int(rd, 1), Int(rd, 2), Int(rd, 3), Int(rd, 4)));
            return list.ToImmutable();
        }
        var workers = ImmutableArray.CreateBuilder<WorkerRecord>();
        using (var cmd = Command(c.Db, null, "SELECT name, site, started, seen, stopped, concurrency, rate FROM workers ORDER BY name"))
        using (var rd = cmd.ExecuteReader())
            while (rd.Read())
                workers.Add(new WorkerRecord(rd.GetString(0), Str(rd, 1), ReadTime(rd, 2), ReadTime(rd, 3), rd.IsDBNull(4) ? null : ReadTime(rd, 4), rd.GetInt32(5), rd.GetDouble(6)));
        return (Group("scan_id"), Group("site"), Group("worker"), workers.ToImmutable());
    }

    /// <summary>Scans that have queue rows, oldest first.</summary>
    public ImmutableArray<long> QueuedScans()
    {
        using var c = Connect();
        using var cmd = Command(c.Db, null, "SELECT DISTINCT scan_id FROM queue ORDER BY scan_id");
        using var rd = cmd.ExecuteReader();
        var list = ImmutableArray.CreateBuilder<long>();
        while (rd.Read()) list.Add(rd.GetInt64(0));
        return list.ToImmutable();
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        try
        {
            return await _source.OpenConnectionAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw Explain(Target, e);
        }
    }

    private static (string, object?)[] SiteArg(string? site) => site is null ? [] : [("@site", site)];

    private static NpgsqlCommand NpgCommand(NpgsqlConnection db, NpgsqlTransaction? tx, string sql, params (string Name, object? Value)[] args) =>
        (NpgsqlCommand)Command(db, tx, sql, args);
}
