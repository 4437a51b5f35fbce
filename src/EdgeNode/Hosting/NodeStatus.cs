namespace EPostEdge.EdgeNode.Hosting;

/// <summary>
/// What <c>epost-edge status</c> reports: written to DATA/run/status.json by a running node,
/// or gathered by <c>status</c> itself when no node runs.
/// </summary>
public sealed record NodeStatus
{
    public required bool Running { get; init; }

    public required string DataDirectory { get; init; }

    public int? Pid { get; init; }

    /// <summary>The health loop's last judgement (null before its first, and when no node runs).</summary>
    public Health.HealthSummary? Health { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    public int? Blocks { get; init; }

    public long? UsedBytes { get; init; }

    /// <summary>Null when unlimited.</summary>
    public long? QuotaBytes { get; init; }

    public long? JournalSequence { get; init; }

    /// <summary>Null when the mail store is not available in this build or not open yet.</summary>
    public MailStatus? Mail { get; init; }

    public IReadOnlyList<ListeningPort> Listening { get; init; } = [];

    /// <summary>Null when this node has no overlay identity (no <c>overlay create</c> or <c>join</c> yet).</summary>
    public OverlayNodeStatus? Overlay { get; init; }

    /// <summary>
    /// The distributed store's durability report (objects this node owns and how many are below
    /// full redundancy; what it holds for others of its contributed quota); null when the overlay
    /// does not run.
    /// </summary>
    public Storage.Past.DurabilityReport? Durability { get; init; }

    /// <summary>Managed heap in use after the last GC (GC.GetGCMemoryInfo().HeapSizeBytes); null when no node runs.</summary>
    public long? ManagedHeapBytes { get; init; }

    /// <summary>Memory the GC has committed from the OS (heap, free space kept, bookkeeping): the managed part of the RSS.</summary>
    public long? GcCommittedBytes { get; init; }

    /// <summary>The overlay port's mapping on the home router; null when port mapping is off or the node is not running.</summary>
    public Nat.NatStatus? Nat { get; init; }

    /// <summary>Thread-pool threads of the node (the process adds about five: main, GC, finalizer, timer, sockets).</summary>
    public int? Threads { get; init; }

    /// <summary>The node against its hw-profile's memory and disk budgets; null when no node runs.</summary>
    public BudgetStatus? Budget { get; init; }
}
