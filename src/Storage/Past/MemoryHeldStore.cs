using EPostEdge.Storage.Blocks;

namespace EPostEdge.Storage.Past;

/// <summary>
/// A held store in memory: the simulator's (where a node's disk survives nothing that matters to
/// replication: a node that fails in a correlated-failure scenario never returns) and unit tests'.
/// </summary>
/// <param name="capacityBytes">The contributed quota.</param>
public sealed class MemoryHeldStore(long capacityBytes) : IHeldStore
{
    private readonly SortedDictionary<(HeldKind Kind, BlockKey Key), (HeldItem Item, byte[] Bytes)> _items = [];

    /// <inheritdoc />
    public long CapacityBytes { get; } = capacityBytes;

    /// <inheritdoc />
    public long UsedBytes { get; private set; }

    /// <inheritdoc />
    public int Count => _items.Count;

    /// <inheritdoc />
    public HeldItem? Find(HeldKind kind, BlockKey key) => _items.TryGetValue((kind, key), out var entry) ? entry.Item : null;

    /// <inheritdoc />
    public ValueTask<HeldPutResult> PutAsync(HeldItem item, ReadOnlyMemory<byte> bytes)
    {
        var existing = _items.TryGetValue((item.Kind, item.Key), out var old) ? old.Bytes.Length : 0;
        if (UsedBytes - existing + bytes.Length > CapacityBytes)
        {
            return ValueTask.FromResult(HeldPutResult.QuotaFull);
        }

        UsedBytes += bytes.Length - existing;
        _items[(item.Kind, item.Key)] = (item with { Length = bytes.Length }, bytes.ToArray());
        return ValueTask.FromResult(HeldPutResult.Stored);
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> ReadAsync(HeldKind kind, BlockKey key) =>
        ValueTask.FromResult(_items.TryGetValue((kind, key), out var entry) ? entry.Bytes : null);

    /// <inheritdoc />
    public void Renew(HeldKind kind, BlockKey key, long leaseExpiresAt)
    {
        if (_items.TryGetValue((kind, key), out var entry) && entry.Item.LeaseExpiresAt < leaseExpiresAt)
        {
            _items[(kind, key)] = (entry.Item with { LeaseExpiresAt = leaseExpiresAt }, entry.Bytes);
        }
    }

    /// <inheritdoc />
    public void Remove(HeldKind kind, BlockKey key)
    {
        if (_items.Remove((kind, key), out var entry))
        {
            UsedBytes -= entry.Bytes.Length;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<HeldItem> Items(HeldKind kind) =>
        _items.Where(e => e.Key.Kind == kind).Select(e => e.Value.Item).ToList();

    /// <summary>Test and simulator hook: flips a bit of a held item's bytes (a latent sector error the hash must catch).</summary>
    public bool Corrupt(HeldKind kind, BlockKey key, int bit)
    {
        if (!_items.TryGetValue((kind, key), out var entry) || entry.Bytes.Length == 0)
        {
            return false;
        }

        var copy = entry.Bytes.ToArray();
        copy[bit / 8 % copy.Length] ^= (byte)(1 << (bit % 8));
        _items[(kind, key)] = (entry.Item, copy);
        return true;
    }
}
