namespace EPostEdge.Storage.Past;

/// <summary>What a node knows about its own users' objects and about what it holds for others.</summary>
/// <param name="Objects">Objects owned and still renewed.</param>
/// <param name="BelowFullRedundancy">Of those, objects with fewer than k replicas or n fragments confirmed (for a small object: of its aggregate, and all its pointers).</param>
/// <param name="HeldItems">Items held for the overlay.</param>
/// <param name="HeldBytes">Bytes held for the overlay (used of the contributed quota).</param>
/// <param name="ContributedBytes">The contributed quota.</param>
/// <param name="Epoch">This node's lease epoch counter.</param>
/// <param name="HeldReplicas">Of the held items, PAST replicas.</param>
public readonly record struct DurabilityReport(int Objects, int BelowFullRedundancy, int HeldItems, long HeldBytes, long ContributedBytes, long Epoch, int HeldReplicas = 0)
{
    /// <summary>Contributed bytes not used yet.</summary>
    public long FreeBytes => Math.Max(0, ContributedBytes - HeldBytes);
}
