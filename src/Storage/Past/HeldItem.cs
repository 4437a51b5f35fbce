using EPostEdge.Storage.Blocks;

namespace EPostEdge.Storage.Past;

/// <summary>
/// One thing a node holds for the overlay, as its held store indexes it: the bytes themselves are
/// read with <see cref="IHeldStore.ReadAsync"/>.
/// </summary>
/// <param name="Kind">Replica, fragment or head.</param>
/// <param name="Key">Its 32-byte key: a replica's content hash, a fragment's derived key, a head's record key.</param>
/// <param name="Length">Stored bytes.</param>
/// <param name="LeaseExpiresAt">
/// The holder's own epoch after which the item is dropped unless renewed (ePOST: leases count the
/// holder's renewal epochs, never wall-clock time, so no two nodes' clocks are ever compared).
/// </param>
/// <param name="Version">A head's version counter; 0 for immutable items.</param>
public readonly record struct HeldItem(HeldKind Kind, BlockKey Key, int Length, long LeaseExpiresAt, ulong Version);
