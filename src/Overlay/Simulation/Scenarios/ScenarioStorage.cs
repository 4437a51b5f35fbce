namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>
/// A scenario's replicated-storage workload (issue 6), as plain data: every node runs the storage
/// service on an in-memory held store that outlives its restarts; during the measured window objects
/// are inserted, read back and some released, and log heads are written and read. Overlay only
/// carries the data: Storage's replication extension acts on it and checks that no acknowledged
/// object is lost, no stale head is read, and redundancy is restored after failures.
/// </summary>
public sealed record ScenarioStorage
{
    /// <summary>Small objects (a mail's log entry, a short message) inserted during the window.</summary>
    public int SmallObjects { get; set; } = 150;

    /// <summary>Size of a small object in bytes.</summary>
    public int SmallBytes { get; set; } = 1024;

    /// <summary>Large objects (a message with an attachment).</summary>
    public int LargeObjects { get; set; } = 10;

    /// <summary>Size of a large object in bytes.</summary>
    public int LargeBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Households that write: each insert comes from one of this many nodes (a random live node when
    /// all of them are down), as a home node writes its users' mail; their small objects share aggregates.
    /// </summary>
    public int Homes { get; set; } = 8;

    /// <summary>The inserts are spread over this much of the window's start.</summary>
    public TimeSpan WriteSpread { get; set; } = TimeSpan.FromSeconds(40);

    /// <summary>Random reads of acknowledged objects per second during the window.</summary>
    public double ReadsPerSecond { get; set; } = 0.5;

    /// <summary>When (from the window's start) every acknowledged object is read once from a random live node; each must come back.</summary>
    public TimeSpan? ReadAllAt { get; set; }

    /// <summary>Signed logs whose heads are written (by their owner's home node) and read (anywhere).</summary>
    public int Logs { get; set; } = 4;

    /// <summary>Head writes per second, over all logs.</summary>
    public double HeadWritesPerSecond { get; set; } = 0.2;

    /// <summary>Head reads per second, over all logs.</summary>
    public double HeadReadsPerSecond { get; set; } = 0.5;

    /// <summary>Fraction of the acknowledged objects released (expunged mail, spam) at <see cref="ReleaseAt"/>: garbage the leases must collect.</summary>
    public double ReleaseFraction { get; set; }

    /// <summary>When the release happens, from the window's start.</summary>
    public TimeSpan ReleaseAt { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>k.</summary>
    public int Replicas { get; set; } = 3;

    /// <summary>n.</summary>
    public int Fragments { get; set; } = 48;

    /// <summary>m.</summary>
    public int FragmentsNeeded { get; set; } = 5;

    /// <summary>One lease epoch on each node's own clock.</summary>
    public TimeSpan EpochLength { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Lease length in epochs.</summary>
    public int LeaseEpochs { get; set; } = 28;

    /// <summary>The owner renews every this many of its epochs.</summary>
    public int RenewEvery { get; set; } = 4;

    /// <summary>Glacier audit period.</summary>
    public TimeSpan AuditInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Replica maintenance period.</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Each node's contributed quota in bytes.</summary>
    public long CapacityBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Whether the run must end with every live object back at k replicas and n fragments.</summary>
    public bool RequireRestored { get; set; } = true;

    /// <summary>Whether every object must be read back after the settle phase (acknowledged objects are never lost).</summary>
    public bool RequireReadable { get; set; } = true;
}
