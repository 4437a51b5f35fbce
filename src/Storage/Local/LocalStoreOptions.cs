using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Journal;

namespace EPostEdge.Storage.Local;

/// <summary>Everything that shapes a node's local store.</summary>
public sealed record LocalStoreOptions
{
    /// <summary>Journal segment size and record limits.</summary>
    public JournalOptions Journal { get; init; } = new();

    /// <summary>Quota and limits of the block store.</summary>
    public BlockStoreOptions Blocks { get; init; } = new();
}
