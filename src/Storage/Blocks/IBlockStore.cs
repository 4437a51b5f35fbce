namespace EPostEdge.Storage.Blocks;

/// <summary>
/// Content-addressed immutable blocks. Locally this is <see cref="BlockStore"/>; once
/// replication lands the same interface is served by PAST replicas, so POST code above it does
/// not change.
/// </summary>
public interface IBlockStore
{
    /// <summary>Stores <paramref name="content"/> durably and returns its key (SHA-256 of the bytes). Idempotent.</summary>
    /// <exception cref="QuotaExceededException">Storing it would pass the disk quota; nothing was written.</exception>
    ValueTask<BlockKey> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>Returns the block's bytes, verified against its key; null when the block is not held.</summary>
    /// <exception cref="CorruptBlockException">The stored bytes do not hash to the key.</exception>
    ValueTask<byte[]?> GetAsync(BlockKey key, CancellationToken cancellationToken = default);

    /// <summary>Whether the block is held.</summary>
    bool Contains(BlockKey key);
}
