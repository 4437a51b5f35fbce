namespace EPostEdge.Storage.Past;

/// <summary>Replication, Glacier and lease settings of a node's storage service.</summary>
public sealed record PastOptions
{
    /// <summary>k: replicas of each immutable block (PAST; ePOST used 3).</summary>
    public int Replicas { get; init; } = 3;

    /// <summary>n: Glacier fragments per object (ePOST: 48).</summary>
    public int Fragments { get; init; } = 48;

    /// <summary>m: fragments any of which restore an object (ePOST: 5).</summary>
    public int FragmentsNeeded { get; init; } = 5;

    /// <summary>Whether inserted blocks are also erasure-coded into Glacier fragments.</summary>
    public bool Glacier { get; init; } = true;

    /// <summary>Objects smaller than this are packed into aggregates before erasure coding (Glacier §4.3).</summary>
    public int AggregateBelow { get; init; } = 16 * 1024;

    /// <summary>An aggregate is sealed and coded once it holds this many bytes…</summary>
    public int AggregateTarget { get; init; } = 64 * 1024;

    /// <summary>…or once this long has passed since its first member arrived.</summary>
    public TimeSpan AggregateDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Copies of each aggregated object's pointer (at its first fragment keys): 0.6^16 ≈ 3·10⁻⁴ lose all of them in a 60 % failure, and audits restore lost copies.</summary>
    public int PointerCopies { get; init; } = 16;

    /// <summary>How long a request waits for its answer before it counts as lost.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How often a request that got no answer is sent again before giving up.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>Replica maintenance: how often a node compares its held keys with its neighbours' (PAST §3.5; Bloom filters as in Glacier §4.5).</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>After a leaf-set change, how soon maintenance runs (changes come in bursts; one round serves them all).</summary>
    public TimeSpan MaintenanceDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Glacier fragment audit: how often a holder checks the next fragment of its object (Glacier §4.4).</summary>
    public TimeSpan AuditInterval { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// One lease epoch, on the holder's own monotonic clock. Leases count epochs (ePOST's fix after a
    /// clock two years off): only the length of an epoch, measured locally, matters, never the date.
    /// </summary>
    public TimeSpan EpochLength { get; init; } = TimeSpan.FromHours(6);

    /// <summary>A held item's lease, in the holder's epochs; the owner renews every <see cref="RenewEvery"/> epochs.</summary>
    public int LeaseEpochs { get; init; } = 28;

    /// <summary>
    /// Requests of this node's own background work (Glacier fragments and pointers, audits, renewals,
    /// hand-offs, restores) in flight at once; the rest wait their turn. Inserts, reads and answers
    /// to other nodes do not wait. Small enough that their answers fit a socket's default receive
    /// buffer together with the foreground's; large enough for about a thousand stores a second on a LAN.
    /// </summary>
    public int BackgroundRequests { get; init; } = 32;

    /// <summary>How many of its own epochs the owner lets pass between renewals of its live objects.</summary>
    public int RenewEvery { get; init; } = 4;

    /// <summary>Most bytes of objects one local user may own in the overlay (per-user fairness); 0 for no bound.</summary>
    public long UserQuotaBytes { get; init; }

    /// <summary>The write and read quorum over a replica set: a majority of k.</summary>
    public int Quorum => (Replicas / 2) + 1;

    /// <summary>Checks the settings.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Replicas, 1, nameof(Replicas));
        ArgumentOutOfRangeException.ThrowIfLessThan(FragmentsNeeded, 1, nameof(FragmentsNeeded));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(FragmentsNeeded, Fragments, nameof(FragmentsNeeded));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Fragments, 255, nameof(Fragments));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(EpochLength, TimeSpan.Zero, nameof(EpochLength));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(LeaseEpochs, RenewEvery, nameof(LeaseEpochs));
        ArgumentOutOfRangeException.ThrowIfLessThan(PointerCopies, 1, nameof(PointerCopies));
        ArgumentOutOfRangeException.ThrowIfLessThan(BackgroundRequests, 1, nameof(BackgroundRequests));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(PointerCopies, Fragments, nameof(PointerCopies));
    }
}
