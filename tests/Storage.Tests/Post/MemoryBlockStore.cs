using System.Collections.Concurrent;
using EPostEdge.Storage.Blocks;

namespace EPostEdge.Storage.Tests.Post;

/// <summary>An in-memory <see cref="IBlockStore"/> that verifies hashes like the real one; stands in until the real store is merged.</summary>
internal sealed class MemoryBlockStore : IBlockStore
{
    private readonly ConcurrentDictionary<BlockKey, byte[]> _blocks = new();

    public int Count => _blocks.Count;

    public IEnumerable<byte[]> AllBlocks => _blocks.Values;

    public ValueTask<BlockKey> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var key = BlockKey.Of(content.Span);
        _blocks.TryAdd(key, content.ToArray());
        return ValueTask.FromResult(key);
    }

    public ValueTask<byte[]?> GetAsync(BlockKey key, CancellationToken cancellationToken = default)
    {
        if (!_blocks.TryGetValue(key, out var bytes))
        {
            return ValueTask.FromResult<byte[]?>(null);
        }

        return key.Matches(bytes)
            ? ValueTask.FromResult<byte[]?>(bytes.ToArray())
            : throw new CorruptBlockException(key);
    }

    public bool Contains(BlockKey key) => _blocks.ContainsKey(key);

    /// <summary>Simulates disk rot: replaces the bytes held under <paramref name="key"/>.</summary>
    public void Corrupt(BlockKey key, Func<byte[], byte[]> mutate) => _blocks[key] = mutate(_blocks[key].ToArray());

    /// <summary>Simulates a lost block.</summary>
    public void Remove(BlockKey key) => _blocks.TryRemove(key, out _);
}
