using EPostEdge.Storage.Faults;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Journal;

namespace EPostEdge.Storage.Blocks;

/// <summary>
/// Content-addressed immutable blocks on this node's disk (PAST's local store, POST's blocks).
/// A block is written as one journal record {key, bytes}; the reply comes after the record's
/// fsync, then the index learns where it is (in memory at once, in LiteDB by the batch: see
/// <see cref="BlockIndex"/>). Every read re-checks the record's checksum
/// and the block's SHA-256 against its key, so a flipped bit is never handed out.
/// </summary>
public sealed class BlockStore : IBlockStore
{
    private readonly JournalLog _journal;
    private BlockIndex _index;
    private readonly IFileSystem _fileSystem;
    private readonly string _directory;
    private readonly BlockStoreOptions _options;
    private readonly FaultPoints _faults;
    private readonly Lock _reservationLock = new();
    private readonly Lock _inFlightLock = new();
    private long _reservedBytes;

    // For each update between its journal append and its index entry: the journal's last
    // sequence when it began. Its record's sequence is higher (sequences are given out after).
    private readonly List<long> _inFlight = [];
    private TaskCompletionSource? _resume;
    private TaskCompletionSource? _drained;

    internal BlockStore(JournalLog journal, BlockIndex index, IFileSystem fileSystem, string directory, BlockStoreOptions options, FaultPoints faults)
    {
        _journal = journal;
        _index = index;
        _fileSystem = fileSystem;
        _directory = directory;
        _options = options;
        _faults = faults;
        index.MarkSource = SafeMark;
    }

    /// <summary>Number of blocks held.</summary>
    public int Count => _index.Count;

    /// <summary>Index updates held in memory, not yet committed to LiteDB (tests, diagnostics).</summary>
    internal int PendingIndexUpdates => _index.PendingCount;

    /// <summary>The quota in force.</summary>
    public long QuotaBytes => _options.QuotaBytes;

    /// <summary>Bytes of journal a block of <paramref name="contentLength"/> bytes takes.</summary>
    public static long RecordBytes(int contentLength) => JournalLog.RecordOverheadBytes + BlockKey.Size + (long)contentLength;

    /// <inheritdoc />
    public ValueTask<BlockKey> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        PutAsync(content, null, cancellationToken);

    /// <summary>
    /// Puts a block and journals <paramref name="follower"/> right after its record in the same
    /// batch (one fsync for both); when the block is held already, journals the follower alone.
    /// Completes once both are durable. A crash before that may keep the follower and lose the
    /// block (a torn record is skipped), so whoever replays the follower checks for the block.
    /// </summary>
    internal ValueTask<BlockKey> PutWithFollowerAsync(ReadOnlyMemory<byte> content, byte followerKind, ReadOnlyMemory<byte> follower, CancellationToken cancellationToken = default) =>
        PutAsync(content, (followerKind, follower), cancellationToken);

    private async ValueTask<BlockKey> PutAsync(ReadOnlyMemory<byte> content, (byte Kind, ReadOnlyMemory<byte> Payload)? follower, CancellationToken cancellationToken)
    {
        if (content.Length > _options.MaxBlockBytes)
        {
            throw new ArgumentException($"block of {content.Length} bytes is larger than the limit of {_options.MaxBlockBytes}", nameof(content));
        }

        var key = BlockKey.Of(content.Span);
        if (_index.TryGet(key, out _))
        {
            if (follower is { } alone)
            {
                await _journal.AppendAsync(alone.Kind, alone.Payload, cancellationToken).ConfigureAwait(false);
            }

            return key; // immutable and content-addressed: storing it again changes nothing
        }

        var needed = RecordBytes(content.Length) + (follower is { } f ? JournalLog.RecordOverheadBytes + f.Payload.Length : 0);
        var floor = await BeginUpdateAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Reserve(needed);
        }
        catch
        {
            EndUpdate(floor);
            throw;
        }

        try
        {
            var payload = new byte[BlockKey.Size + content.Length];
            key.Span.CopyTo(payload);
            content.Span.CopyTo(payload.AsSpan(BlockKey.Size));
            var position = follower is { } next
                ? (await _journal.AppendPairAsync(StoreRecordKinds.BlockPut, payload, next.Kind, next.Payload, cancellationToken).ConfigureAwait(false))[0]
                : await _journal.AppendAsync(StoreRecordKinds.BlockPut, payload, cancellationToken).ConfigureAwait(false);

            // A crash here leaves a durable block the index does not know yet; open replays it.
            _faults.Hit(FaultPointNames.BlockBeforeIndexUpdate);
            _index.Put(key, new BlockLocation(position, content.Length));
            return key;
        }
        finally
        {
            lock (_reservationLock)
            {
                _reservedBytes -= needed;
            }

            EndUpdate(floor);
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

        var floor = await BeginUpdateAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _journal.AppendAsync(StoreRecordKinds.BlockDelete, key.Span.ToArray(), cancellationToken).ConfigureAwait(false);
            _index.Remove(key);
            return true;
        }
        finally
        {
            EndUpdate(floor);
        }
    }

    /// <summary>
    /// Commits the index's pending updates to LiteDB with the "indexed through" mark moved as
    /// far as is safe (<see cref="SafeMark"/>), so the next open replays little. Called when
    /// the store closes and after compaction.
    /// </summary>
    public void MarkIndexed() => _index.MarkIndexedThrough(SafeMark());

    /// <summary>
    /// Waits until no update is between its journal record and its index entry, and holds new
    /// ones back until the returned handle is disposed. Compaction and index rebuilds run
    /// inside it, so they never see a durable record the index does not know yet, and no put
    /// writes a position that compaction just moved.
    /// </summary>
    internal async Task<IDisposable> PauseUpdatesAsync()
    {
        Task drained;
        lock (_inFlightLock)
        {
            if (_resume is not null)
            {
                throw new InvalidOperationException("updates are already paused");
            }

            _resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight.Count == 0)
            {
                _drained.TrySetResult();
            }

            drained = _drained.Task;
        }

        await drained.ConfigureAwait(false);
        return new ResumeUpdates(this);
    }

    /// <summary>Switches to another index (after a rebuild), while updates are paused.</summary>
    internal void UseIndex(BlockIndex index)
    {
        index.MarkSource = SafeMark;
        _index = index;
    }

    /// <summary>
    /// The highest sequence the index's "indexed through" mark may name now: below it, every
    /// block record's update has reached the index. Concurrent puts finish out of order, so
    /// that is the journal's end when none is in flight, and otherwise just below the oldest
    /// in-flight update's record (whose sequence is above the journal's end when it began).
    /// A crash replays the journal from the mark (idempotently), so a mark that lags costs only time.
    /// </summary>
    private long SafeMark()
    {
        lock (_inFlightLock)
        {
            var mark = _journal.LastSequence;
            foreach (var floor in _inFlight)
            {
                mark = Math.Min(mark, floor);
            }

            return mark;
        }
    }

    /// <summary>An update is between its journal append and its index entry; returns its floor for <see cref="EndUpdate"/>.</summary>
    private async ValueTask<long> BeginUpdateAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task paused;
            lock (_inFlightLock)
            {
                if (_resume is null)
                {
                    // Read under the lock SafeMark takes, so no mark can skip this update's record.
                    var floor = _journal.LastSequence;
                    _inFlight.Add(floor);
                    return floor;
                }

                paused = _resume.Task;
            }

            await paused.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Resume()
    {
        TaskCompletionSource? resume;
        lock (_inFlightLock)
        {
            resume = _resume;
            _resume = null;
            _drained = null;
        }

        resume?.TrySetResult();
    }

    /// <summary>The update that began at <paramref name="floor"/> has reached the index (or failed).</summary>
    private void EndUpdate(long floor)
    {
        lock (_inFlightLock)
        {
            _inFlight.Remove(floor);
            if (_inFlight.Count == 0)
            {
                _drained?.TrySetResult();
            }
        }
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

    private sealed class ResumeUpdates(BlockStore store) : IDisposable
    {
        public void Dispose() => store.Resume();
    }
}
