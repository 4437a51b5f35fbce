using EPostEdge.Storage.Blocks;

namespace EPostEdge.Storage.Past;

/// <summary>
/// A node's contributed storage: what it holds for the overlay (replicas, fragments, heads), bounded
/// by the quota of its hw-profile. The index is in memory and answered synchronously; bytes may
/// live on disk. Only the node's storage service calls it, from one logical thread.
/// </summary>
public interface IHeldStore
{
    /// <summary>The contributed quota in bytes.</summary>
    long CapacityBytes { get; }

    /// <summary>Bytes held now.</summary>
    long UsedBytes { get; }

    /// <summary>Items held now.</summary>
    int Count { get; }

    /// <summary>The index entry of an item, or null when it is not held.</summary>
    HeldItem? Find(HeldKind kind, BlockKey key);

    /// <summary>
    /// Stores <paramref name="bytes"/> (already verified by the caller) under the item's kind and key,
    /// replacing an item of the same kind and key; refuses beyond the quota.
    /// </summary>
    ValueTask<HeldPutResult> PutAsync(HeldItem item, ReadOnlyMemory<byte> bytes);

    /// <summary>The item's bytes, or null when it is not held (or its bytes were lost).</summary>
    ValueTask<byte[]?> ReadAsync(HeldKind kind, BlockKey key);

    /// <summary>Moves an item's lease expiry (renewal); no-op when the item is not held.</summary>
    void Renew(HeldKind kind, BlockKey key, long leaseExpiresAt);

    /// <summary>Drops an item (lease ran out, handed off, or found corrupt).</summary>
    void Remove(HeldKind kind, BlockKey key);

    /// <summary>The items of one kind, in key order (a stable order keeps simulator runs replayable).</summary>
    IReadOnlyList<HeldItem> Items(HeldKind kind);
}
