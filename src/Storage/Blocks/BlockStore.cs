using EPostEdge.Storage.Faults;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Journal;

namespace EPostEdge.Storage.Blocks;

/// <summary>
/// Content-addressed immutable blocks on this node's disk (PAST's local store, POST's blocks).
/// A block is written as one journal record {key, bytes}; the reply comes after the record's
/// fsync, then the LiteDB index learns where it is. Every read re-checks the record's checksum
/// and the block's SHA-256 against its key, so a flipped bit is never handed out.
/// </summary>
public sealed class BlockStore : IBlockStore
{
    private readonly JournalLog _journal;
    private readonly BlockIndex _index;
    private readonly IFileSystem _fileSystem;
    private readonly string _directory;
    private readonly BlockStoreOptions _options;
    private readonly FaultPoints _faults;
    private readonly Lock _reservationLock = new();
    private long _reservedBytes;

    internal BlockStore(JournalLog journal, BlockIndex index, IFileSystem fileSystem, string directory, BlockStoreOptions options, FaultPoints faults)
    {
        _journal = journal;
        _index = index;
        _fileSystem = fileSystem;
        _directory = directory;
        _options = options;
        _faults = faults;
    }

    /// <summary>Number of blocks held.</summary>
    public int Count => _index.Count;

    /// <summary>The quota in force.</summary>
    public long QuotaBytes => _options.QuotaBytes;

    /// <summary>Bytes of journal a block of <paramref name="contentLength"/> bytes takes.</summary>
    public static long RecordBytes(int contentLength) => JournalLog.RecordOverheadBytes + BlockKey.Size + (long)contentLength;

    /// <inheritdoc />
    public async ValueTask<BlockKey> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        if (content.Length > _options.MaxBlockBytes)
        {
            throw new ArgumentException($"block of {content.Length} bytes is larger than the limit of {_options.MaxBlockBytes}", nameof(content));
        }

        var key = BlockKey.Of(content.Span);
        if (_index.TryGet(key, out _))
        {
            return key; // immutable and content-addressed: storing it again changes nothing
        }

        var needed = RecordBytes(content.Length);
        Reserve(needed);
        try
        {
            var payload = new byte[BlockKey.Size + content.Length];
            key.Span.CopyTo(payload);
            content.Span.CopyTo(payload.AsSpan(BlockKey.Size));
            var position = await _journal.AppendAsync(StoreRecordKinds.BlockPut, payload, cancellationToken).ConfigureAwait(false);

            // A crash here leaves a durable block the index does not know yet; open replays it.
            _faults.Hit(FaultPointNames.BlockBeforeIndexUpdate);
            _index.Put(key, new BlockLocation(position, content.Length));
            _index.MarkIndexedThrough(position.Sequence);
            return key;
        }
        finally
        {
            lock (_reservationLock)
            {
                _reservedBytes -= needed;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> GetAsync(BlockKey key, CancellationToken cancellationToken = default)
    {
        if (!_index.TryGet(key, out var location))
        {
            return ValueTask.FromResult<byte[]?>(null);
        }

        JournalRecord record;
        try
        {
            record = _journal.Read(location.Position);
        }
        catch (JournalCorruptException ex)
        {
            throw new CorruptBlockException($"block {key}: its journal record is damaged ({ex.Message})", ex);
        }

        var payload = record.Payload.Span;
        if (record.Kind != StoreRecordKinds.BlockPut || payload.Length < BlockKey.Size || !payload[..BlockKey.Size].SequenceEqual(key.Span))
        {
            throw new CorruptBlockException($"block {key}: the index points at a record of another block");
        }

        var content = payload[BlockKey.Size..];
        if (!key.Matches(content))
        {
            throw new CorruptBlockException(key);
        }

        return ValueTask.FromResult<byte[]?>(content.ToArray());
    }

    /// <inheritdoc />
    public bool Contains(BlockKey key) => _index.TryGet(key, out _);

    /// <summary>Stops holding a block (a tombstone record, so the delete survives a rebuild).</summary>
    public async ValueTask<bool> DeleteAsync(BlockKey key, CancellationToken cancellationToken = default)
    {
        if (!_index.TryGet(key, out _))
        {
            return false;
        }

        var position = await _journal.AppendAsync(StoreRecordKinds.BlockDelete, key.Span.ToArray(), cancellationToken).ConfigureAwait(false);
        _index.Remove(key);
        _index.MarkIndexedThrough(position.Sequence);
        return true;
    }

    /// <summary>
    /// Admits a write of <paramref name="bytes"/> or refuses it whole before anything is written:
    /// against the quota (journal bytes on disk, plus writes already admitted) and against the
    /// volume's free space, keeping <see cref="BlockStoreOptions.ReserveFreeBytes"/> free.
    /// </summary>
    private void Reserve(long bytes)
    {
        lock (_reservationLock)
        {
            var used = _journal.TotalBytes + _reservedBytes;
            if (used + bytes > _options.QuotaBytes)
            {
                throw new QuotaExceededException(bytes, used, _options.QuotaBytes);
            }

            var available = _fileSystem.GetAvailableBytes(_directory);
            if (available - bytes - _reservedBytes < _options.ReserveFreeBytes)
            {
                throw new QuotaExceededException($"disk full: {available} bytes free on the volume, {bytes} needed and {_options.ReserveFreeBytes} kept in reserve");
            }

            _reservedBytes += bytes;
        }
    }
}
