namespace EPostEdge.Storage.Faults;

/// <summary>The names of every fault point, so tests can arm them without magic strings.</summary>
public static class FaultPointNames
{
    /// <summary>Journal: a batch is written but not yet fsynced.</summary>
    public const string JournalBeforeFsync = "journal.before-fsync";

    /// <summary>Journal: the batch's fsync returned; appenders not yet told.</summary>
    public const string JournalAfterFsync = "journal.after-fsync";

    /// <summary>Journal: a new segment is about to be created (rotation).</summary>
    public const string JournalBeforeRotate = "journal.before-rotate";

    /// <summary>Compaction: the compacted segment is synced, not yet renamed into place.</summary>
    public const string CompactionBeforeRename = "compaction.before-rename";

    /// <summary>Compaction: renamed into place, old segments not yet deleted.</summary>
    public const string CompactionAfterRename = "compaction.after-rename";

    /// <summary>Block store: the block's journal record is durable, its index entry not yet written.</summary>
    public const string BlockBeforeIndexUpdate = "blocks.before-index-update";
}
