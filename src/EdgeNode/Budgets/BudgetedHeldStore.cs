using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Past;

namespace EPostEdge.EdgeNode.Budgets;

/// <summary>
/// The held store as the storage service sees it on a node with budgets: while the disk is near
/// full it takes in no new item (a new replica, fragment or head is answered QuotaFull, which
/// PAST already handles by placing it elsewhere, PAST §3.3), while items it already holds may
/// still be rewritten (a newer log head replaces the old one in place of growing the store).
/// </summary>
/// <param name="inner">The real held store.</param>
/// <param name="nearFull">Whether the disk is near full now (DiskBudget).</param>
public sealed class BudgetedHeldStore(IHeldStore inner, Func<bool> nearFull) : IHeldStore
{
    private long _refused;

    /// <summary>New items refused because the disk was near full.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <inheritdoc />
    public long CapacityBytes => inner.CapacityBytes;

    /// <inheritdoc />
    public long UsedBytes => inner.UsedBytes;

    /// <inheritdoc />
    public int Count => inner.Count;

    /// <inheritdoc />
    public HeldItem? Find(HeldKind kind, BlockKey key) => inner.Find(kind, key);

    /// <inheritdoc />
    public ValueTask<HeldPutResult> PutAsync(HeldItem item, ReadOnlyMemory<byte> bytes)
    {
        if (inner.Find(item.Kind, item.Key) is null && nearFull())
        {
            Interlocked.Increment(ref _refused);
            return ValueTask.FromResult(HeldPutResult.QuotaFull);
        }

        return inner.PutAsync(item, bytes);
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> ReadAsync(HeldKind kind, BlockKey key) => inner.ReadAsync(kind, key);

    /// <inheritdoc />
    public void Renew(HeldKind kind, BlockKey key, long leaseExpiresAt) => inner.Renew(kind, key, leaseExpiresAt);

    /// <inheritdoc />
    public void Remove(HeldKind kind, BlockKey key) => inner.Remove(kind, key);

    /// <inheritdoc />
    public IReadOnlyList<HeldItem> Items(HeldKind kind) => inner.Items(kind);
}
