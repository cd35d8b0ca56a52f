using System.Collections.Immutable;

namespace TlsDoctor.Fleet;

/// <summary>The `fleet enqueue --json` document.</summary>
/// <param name="Site">The --site given (rows without a site got it; rows of other sites were left out).</param>
/// <param name="OtherSites">Rows left out because they belong to another site.</param>
public sealed record FleetEnqueueJson(long ScanId, string Database, string? Site, int Devices, int OtherSites, ImmutableArray<InventoryError> BadRows);

/// <summary>The `fleet worker --json` document: what this worker did.</summary>
/// <param name="Committed">Results this worker committed (ok + failed).</param>
/// <param name="Retried">Devices put back in the queue for a later attempt (could not be reached yet).</param>
/// <param name="Lost">Devices whose lease another worker took over before this one committed; their result was dropped, not doubled.</param>
public sealed record FleetWorkerJson(string Worker, string Database, string? Site, int Committed, int Ok, int Failed, int Retried, int Lost, long Connections, long ElapsedMs);

/// <summary>Queue rows by state for one scan, site or worker.</summary>
public sealed record QueueCountsJson(string? Name, int Queued, int Leased, int Done, int Failed);

/// <summary>A registered worker in `fleet status`.</summary>
/// <param name="Alive">Seen within two lease periods and not stopped.</param>
public sealed record WorkerStatusJson(string Name, string? Site, DateTimeOffset Started, DateTimeOffset Seen, DateTimeOffset? Stopped, bool Alive, int Concurrency, double Rate,
    int Leased, int Done, int Failed);

/// <summary>The `fleet status --json` document.</summary>
public sealed record FleetStatusJson(string Database, ImmutableArray<QueueCountsJson> Scans, ImmutableArray<QueueCountsJson> Sites, ImmutableArray<WorkerStatusJson> Workers);

/// <summary>The `fleet db migrate --json` document.</summary>
/// <param name="From">Schema version before (0: a new database).</param>
/// <param name="Applied">Migrations run now, by version and title.</param>
public sealed record FleetMigrateJson(string Database, int From, int To, ImmutableArray<string> Applied);
