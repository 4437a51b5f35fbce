using EPostEdge.Storage.Blocks;

namespace EPostEdge.Storage.Past;

/// <summary>The result of a PAST insert.</summary>
/// <param name="Key">The block's content key.</param>
/// <param name="Replicas">Replicas that confirmed holding the block.</param>
/// <param name="Acknowledged">A quorum (majority of k) holds it: the insert is durable in the overlay.</param>
/// <param name="QuotaRefused">At least one holder refused for lack of space (retryable).</param>
public readonly record struct InsertOutcome(BlockKey Key, int Replicas, bool Acknowledged, bool QuotaRefused);
