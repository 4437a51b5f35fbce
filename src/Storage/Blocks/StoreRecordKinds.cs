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
}
