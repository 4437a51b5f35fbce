namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>
/// A scenario's simulated disks (issue 5 item 3), as plain data: each node gets a crash-model disk
/// that outlives its restarts. On a crash each unsynced write is kept, dropped or garbled with these
/// relative weights (SQLite's crash model, "How To Corrupt An SQLite Database File" §3); fsyncs fail
/// and reads flip a bit at the given rates; the disk may be small enough to fill. During the measured
/// window a workload puts (and sometimes deletes) blocks at random live nodes. Overlay only carries
/// the data: Storage's disk extension acts on it.
/// </summary>
public sealed record ScenarioDisk
{
    /// <summary>Weight of "an unsynced write reached the disk" at a crash.</summary>
    public double Keep { get; set; } = 1;

    /// <summary>Weight of "an unsynced write never happened".</summary>
    public double Drop { get; set; } = 1;

    /// <summary>Weight of "an unsynced write left junk" (a torn write).</summary>
    public double Garble { get; set; } = 1;

    /// <summary>Chance that a workload operation's fsync fails (fsyncgate: the unsynced writes are then lost).</summary>
    public double FsyncFailureRate { get; set; }

    /// <summary>
    /// Chance that the node loses power in the middle of a workload operation, after the journal's
    /// write and before its fsync (so crashes meet unsynced writes and torn tails); it restarts soon after.
    /// Lookups racing such a crash may miss their root: leave room for them in <c>minimumConsistency</c>.
    /// </summary>
    public double CrashMidWriteRate { get; set; }

    /// <summary>Chance that a read returns one flipped bit (a latent error the device did not catch).</summary>
    public double ReadBitFlipRate { get; set; }

    /// <summary>
    /// Bytes each node's disk holds at most; null for no limit. At least 1 MiB: the store's index
    /// takes about 220 KB and the store keeps 256 KB free for it (LiteDB hangs on a full disk).
    /// </summary>
    public long? CapacityBytes { get; set; }

    /// <summary>Block puts per simulated second across the whole overlay, each at a random live node.</summary>
    public double BlocksPerSecond { get; set; } = 1;

    /// <summary>Share of workload operations that delete one of the node's acknowledged blocks instead of putting one.</summary>
    public double DeleteFraction { get; set; } = 0.1;

    /// <summary>Smallest block put, in bytes.</summary>
    public int MinimumBlockBytes { get; set; } = 64;

    /// <summary>Largest block put, in bytes.</summary>
    public int MaximumBlockBytes { get; set; } = 8192;
}
