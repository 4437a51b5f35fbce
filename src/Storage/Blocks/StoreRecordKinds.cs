namespace EPostEdge.Storage.Blocks;

/// <summary>The journal record kinds written by the local store (0 is reserved for the journal itself).</summary>
public static class StoreRecordKinds
{
    /// <summary>A block: 32-byte key followed by the block's bytes.</summary>
    public const byte BlockPut = 1;

    /// <summary>A tombstone: the 32-byte key of a block no longer held.</summary>
    public const byte BlockDelete = 2;

    /// <summary>An accepted signed log head (POST), encoded by <c>LogHead</c>.</summary>
    public const byte LogHead = 3;

    /// <summary>
    /// A signed log head journaled in one batch right after the entry block it names (one fsync
    /// for both, <c>SignedLog.AppendAsync</c>). Encoded like <see cref="LogHead"/>; replay takes it
    /// only if that entry is held, since a crash mid-batch may keep the head and lose the entry.
    /// </summary>
    public const byte LogHeadAfterEntry = 4;
}
