using System.Buffers.Binary;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Journal;

namespace EPostEdge.Storage.Past;

/// <summary>
/// The node's contributed storage on its real disk: one journal of its own (DATA/held/journal)
/// holding every held item's bytes with its index entry, and the index in memory, rebuilt from
/// the journal by the scan that verifies it at open.
/// </summary>
/// <remarks>
/// <para>
/// Records (kinds local to this journal; 0 is the journal's own): 1 put = held kind u8, key (32),
/// lease expiry i64, version u64 (big-endian), then the bytes; 2 renew = held kind, key, lease
/// expiry; 3 remove = held kind, key. Replay applies them in sequence order: a put replaces the
/// entry, a renew moves its lease forward, a remove drops it. The in-memory index follows the same
/// rules in the same order (appends are queued under this store's lock, so queue order is journal
/// order), which is what makes a reopen give back the index the store had.
/// </para>
/// <para>
/// A put completes after its record's fsync (the journal's group commit). Renewals and removals
/// change the index at once and are journaled without waiting: a clean stop drains them
/// (<see cref="DisposeAsync"/>); a crash may lose the last few, which only shortens a lease or
/// brings back an item the service drops again. A record whose checksum fails on read is reported
/// as lost bytes (null), and the service drops the item as it drops one failing its hash.
/// </para>
/// <para>
/// Dead records (replaced or removed items, superseded renewals) are reclaimed by compacting the
/// sealed segments once the journal holds more dead bytes than live ones (and has grown by a
/// segment since the last time): at open, and while the store runs. A running compaction holds
/// new puts back until it is done (they wait, nothing is refused) and starts only when no put is
/// in flight, so every put record it meets is already indexed; renewals and removals go on (their
/// records land in the segment being appended to, which compaction leaves alone); a read that
/// meets a record just moved reads it again at its new place.
/// </para>
/// </remarks>
public sealed partial class LocalHeldStore : IHeldStore, IAsyncDisposable
{
    private const string JournalFolder = "journal";

    private readonly JournalLog _journal;
    private readonly Action<Action>? _resume;
    private readonly int _maxBytes;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<BlockKey, Entry>[] _items;
    private readonly Dictionary<(HeldKind, BlockKey), List<PendingPut>> _inFlight = [];
    private readonly long _segmentBytes;
    private long _usedBytes;
    private long _liveRecordBytes;
    private long _compactedAt;
    private long _compactions;
    private Task _compaction = Task.CompletedTask;
    private TaskCompletionSource? _compactionDone; // set while a compaction runs
    private TaskCompletionSource? _drained; // completed once no put is in flight, for the compaction
    private long _reservedBytes;
    private Exception? _failure;
    private bool _disposed;

    private LocalHeldStore(JournalLog journal, long capacityBytes, JournalOptions options, Action<Action>? resume, SortedDictionary<BlockKey, Entry>[] items)
    {
        _journal = journal;
        _resume = resume;
        _maxBytes = options.MaxRecordBytes - PutHeaderSize;
        _segmentBytes = options.SegmentSizeBytes;
        _items = items;
        CapacityBytes = capacityBytes;
        _usedBytes = items.Sum(kind => kind.Values.Sum(e => (long)e.Item.Length));
        _liveRecordBytes = items.Sum(kind => kind.Values.Sum(e => (long)e.Position.Length));
        _compactedAt = journal.TotalBytes;
    }

    /// <inheritdoc />
    public long CapacityBytes { get; }

    /// <inheritdoc />
    public long UsedBytes
    {
        get
        {
            lock (_gate)
            {
                return _usedBytes;
            }
        }
    }

    /// <inheritdoc />
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Sum(kind => kind.Count);
            }
        }
    }

    /// <summary>What the journal's open found (torn tail cut, damaged records skipped).</summary>
    public JournalOpenReport OpenReport => _journal.OpenReport;

    /// <summary>What the open-time compaction did (<see cref="JournalCompaction.None"/> when it was not needed).</summary>
    public JournalCompaction OpenCompaction { get; private init; } = JournalCompaction.None;

    /// <summary>Bytes of the journal on disk (held bytes plus record overhead and dead records not yet compacted).</summary>
    public long DiskBytes => _journal.TotalBytes;

    /// <summary>Compactions started while the store ran (the one at open not counted).</summary>
    public long Compactions
    {
        get
        {
            lock (_gate)
            {
                return _compactions;
            }
        }
    }

    /// <summary>The running (or last) compaction: tests wait for it.</summary>
    internal Task Compaction
    {
        get
        {
            lock (_gate)
            {
                return _compaction;
            }
        }
    }

    /// <summary>
    /// Opens (creating if needed) the held store in <paramref name="directory"/>: replays its
    /// journal into the index and compacts it when dead records outweigh live ones.
    /// </summary>
    /// <param name="fileSystem">The disk seam.</param>
    /// <param name="directory">The store's folder (the node uses DATA/held).</param>
    /// <param name="capacityBytes">The contributed quota: puts beyond it are refused.</param>
    /// <param name="resume">
    /// Where a put's caller continues once its record is durable: the node passes its overlay's
    /// <c>Execute</c>, so the storage service resumes on the node's logical thread and not on the
    /// journal's writer. Null: wherever the write completed (unit tests).
    /// </param>
    /// <param name="options">Journal settings (segment size, largest record).</param>
    public static LocalHeldStore Open(IFileSystem fileSystem, string directory, long capacityBytes, Action<Action>? resume = null, JournalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
        options ??= new JournalOptions();
        fileSystem.CreateDirectory(directory);
        var items = new SortedDictionary<BlockKey, Entry>[4];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = [];
        }

        var journal = JournalLog.Open(fileSystem, Path.Combine(directory, JournalFolder), options, onRecord: record => Replay(items, record));
        try
        {
            var compaction = CompactIfWorthIt(journal, items, options.SegmentSizeBytes);
            return new LocalHeldStore(journal, capacityBytes, options, resume, items) { OpenCompaction = compaction };
        }
        catch
        {
            journal.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <inheritdoc />
    public HeldItem? Find(HeldKind kind, BlockKey key)
    {
        lock (_gate)
        {
            return Of(kind).TryGetValue(key, out var entry) ? entry.Item : null;
        }
    }

    /// <inheritdoc />
    public ValueTask<HeldPutResult> PutAsync(HeldItem item, ReadOnlyMemory<byte> bytes)
    {
        var put = Put(item, bytes);
        return put.IsCompleted ? new ValueTask<HeldPutResult>(put.Result) : Resume(put);
    }

    /// <summary>A put, completing wherever its record's write completes.</summary>
    private Task<HeldPutResult> Put(HeldItem item, ReadOnlyMemory<byte> bytes)
    {
        ValueTask<JournalPosition> append;
        PendingPut pending;
        lock (_gate)
        {
            if (_disposed || _failure is not null || bytes.Length > _maxBytes)
            {
                return Task.FromResult(HeldPutResult.Failed);
            }

            if (_compactionDone is { } compaction)
            {
                return PutAfterAsync(compaction.Task, item, bytes.ToArray());
            }

            var replaced = Of(item.Kind).TryGetValue(item.Key, out var old) ? old.Item.Length : 0;
            if (_usedBytes + _reservedBytes - replaced + bytes.Length > CapacityBytes)
            {
                return Task.FromResult(HeldPutResult.QuotaFull);
            }

            var payload = new byte[PutHeaderSize + bytes.Length];
            WriteId(payload, item.Kind, item.Key);
            BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(IdSize), item.LeaseExpiresAt);
            BinaryPrimitives.WriteUInt64BigEndian(payload.AsSpan(IdSize + 8), item.Version);
            bytes.Span.CopyTo(payload.AsSpan(PutHeaderSize));
            try
            {
                append = _journal.AppendAsync(PutRecord, payload);
            }
            catch (JournalFailedException ex)
            {
                _failure = ex;
                return Task.FromResult(HeldPutResult.Failed);
            }

            pending = new PendingPut(item with { Length = bytes.Length });
            _reservedBytes += bytes.Length;
            if (!_inFlight.TryGetValue((item.Kind, item.Key), out var list))
            {
                _inFlight[(item.Kind, item.Key)] = list = [];
            }

            list.Add(pending);
        }

        return CompletePutAsync(pending, append);
    }

    private async Task<HeldPutResult> PutAfterAsync(Task compaction, HeldItem item, byte[] bytes)
    {
        await compaction.ConfigureAwait(false);
        return await Put(item, bytes).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> ReadAsync(HeldKind kind, BlockKey key)
    {
        var (bytes, moved) = TryRead(kind, key);
        return moved is null ? ValueTask.FromResult(bytes) : Resume(ReadAfterAsync(moved, kind, key));
    }

    /// <summary>The item's bytes; or, when a compaction moved its record under the read, the compaction to wait for.</summary>
    private (byte[]? Bytes, Task? Moved) TryRead(HeldKind kind, BlockKey key)
    {
        JournalPosition position;
        long compactions;
        bool compacting;
        lock (_gate)
        {
            if (_disposed || !Of(kind).TryGetValue(key, out var entry))
            {
                return (null, null);
            }

            position = entry.Position;
            compactions = _compactions;
            compacting = _compactionDone is not null;
        }

        try
        {
            return (_journal.Read(position).Payload[PutHeaderSize..].ToArray(), null);
        }
        catch (Exception ex) when (ex is JournalCorruptException or ObjectDisposedException)
        {
            // ObjectDisposedException: the segment was retired by one compaction and closed by the next.
            lock (_gate)
            {
                if (_disposed)
                {
                    return (null, null);
                }

                if (_compactionDone is { } running)
                {
                    return (null, running.Task);
                }

                // A compaction started since, or one that ran then has finished: the record moved.
                if (_compactions != compactions || compacting)
                {
                    return (null, Task.CompletedTask);
                }
            }

            if (ex is ObjectDisposedException)
            {
                throw;
            }

            // Bit rot under a held item: its bytes are lost here. The service drops the item and
            // the replica set's maintenance puts a good copy back (PAST §3.5).
            return (null, null);
        }
    }

    private async Task<byte[]?> ReadAfterAsync(Task compaction, HeldKind kind, BlockKey key)
    {
        // Each pass waits for the compaction that moved the record; one more can only start after a put.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await compaction.ConfigureAwait(false);
            var (bytes, moved) = TryRead(kind, key);
            if (moved is null)
            {
                return bytes;
            }

            compaction = moved;
        }

        return null;
    }

    /// <inheritdoc />
    public void Renew(HeldKind kind, BlockKey key, long leaseExpiresAt)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var journal = false;
            if (Of(kind).TryGetValue(key, out var entry) && entry.Item.LeaseExpiresAt < leaseExpiresAt)
            {
                entry.Item = entry.Item with { LeaseExpiresAt = leaseExpiresAt };
                journal = true;
            }

            if (_inFlight.TryGetValue((kind, key), out var pending))
            {
                // The renewal's record lands after those puts' records, so replay applies it to them.
                foreach (var put in pending)
                {
                    put.RenewedTo = Math.Max(put.RenewedTo, leaseExpiresAt);
                }

                journal = true;
            }

            if (journal)
            {
                var payload = new byte[RenewSize];
                WriteId(payload, kind, key);
                BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(IdSize), leaseExpiresAt);
                AppendLater(RenewRecord, payload);
            }
        }
    }

    /// <inheritdoc />
    public void Remove(HeldKind kind, BlockKey key)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var journal = false;
            if (Of(kind).Remove(key, out var entry))
            {
                _usedBytes -= entry.Item.Length;
                _liveRecordBytes -= entry.Position.Length;
                journal = true;
            }

            if (_inFlight.TryGetValue((kind, key), out var pending))
            {
                // Replay meets those puts before this removal: they must not come back when they complete.
                foreach (var put in pending)
                {
                    put.Removed = true;
                }

                journal = true;
            }

            if (journal)
            {
                var payload = new byte[IdSize];
                WriteId(payload, kind, key);
                AppendLater(RemoveRecord, payload);
                MaybeCompact();
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<HeldItem> Items(HeldKind kind)
    {
        lock (_gate)
        {
            return Of(kind).Values.Select(e => e.Item).ToList();
        }
    }

    /// <summary>
    /// Writes what is still queued (renewals, removals) and closes the journal. Calls that race
    /// with the stop are answered quietly: puts fail (retryable), reads find nothing, renewals and
    /// removals change nothing.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        await Compaction.ConfigureAwait(false);

        // The journal's writer drains its queue before it stops: every renewal and removal the
        // index has seen is on disk when this returns.
        await _journal.DisposeAsync().ConfigureAwait(false);
    }

    private SortedDictionary<BlockKey, Entry> Of(HeldKind kind) => Of(_items, kind);

    private static SortedDictionary<BlockKey, Entry> Of(SortedDictionary<BlockKey, Entry>[] items, HeldKind kind) => kind switch
    {
        HeldKind.Replica or HeldKind.Fragment or HeldKind.Head or HeldKind.Pointer => items[(int)kind - 1],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a held kind"),
    };

    private async Task<HeldPutResult> CompletePutAsync(PendingPut pending, ValueTask<JournalPosition> append)
    {
        var item = pending.Item;
        JournalPosition position = default;
        Exception? failure = null;
        try
        {
            position = await append.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // whatever the write threw (I/O error, fsyncgate), the put is refused as retryable
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        lock (_gate)
        {
            _reservedBytes -= item.Length;
            var key = (item.Kind, item.Key);
            if (_inFlight.TryGetValue(key, out var list) && list.Remove(pending) && list.Count == 0)
            {
                _inFlight.Remove(key);
            }

            if (_inFlight.Count == 0)
            {
                _drained?.TrySetResult();
            }

            if (failure is not null)
            {
                _failure ??= failure; // the journal refuses every later append after a failed write (fsyncgate)
                return HeldPutResult.Failed;
            }

            // Applied unless removed meanwhile or replaced by a later put that completed first:
            // completions may run in any order, replay runs in journal order.
            var items = Of(item.Kind);
            var superseded = items.TryGetValue(item.Key, out var old) && old.Position.Sequence > position.Sequence;
            if (!pending.Removed && !superseded)
            {
                if (old is not null)
                {
                    items.Remove(item.Key);
                    _usedBytes -= old.Item.Length;
                    _liveRecordBytes -= old.Position.Length;
                }

                items[item.Key] = new Entry(item with { LeaseExpiresAt = Math.Max(item.LeaseExpiresAt, pending.RenewedTo) }, position);
                _usedBytes += item.Length;
                _liveRecordBytes += position.Length;
            }

            MaybeCompact();
        }

        return HeldPutResult.Stored;
    }

    /// <summary>Queues a record without waiting for it (under the lock, so its place in the journal matches the index's order).</summary>
    private void AppendLater(byte kind, byte[] payload)
    {
        if (_failure is not null)
        {
            return;
        }

        try
        {
            _ = _journal.AppendAsync(kind, payload).AsTask().ContinueWith(
                t => Failed(t.Exception!.GetBaseException()),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
        catch (JournalFailedException ex)
        {
            _failure = ex;
        }
    }

    private void Failed(Exception ex)
    {
        lock (_gate)
        {
            _failure ??= ex;
        }
    }

    /// <summary>Hands a completed put to the caller's thread (see <c>resume</c> of <see cref="Open"/>).</summary>
    private ValueTask<T> Resume<T>(Task<T> task)
    {
        if (_resume is not { } resume || task.IsCompleted)
        {
            return new ValueTask<T>(task);
        }

        // Not a TaskCompletionSource: an await that registers just after the task completed would
        // continue on a thread-pool thread, outside resume. The source runs every continuation
        // through resume, however the completion and the registration interleave.
        var handed = new ResumedSource<T>(resume);
        task.ContinueWith(t => handed.Complete(t), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return new ValueTask<T>(handed, 0);
    }

    /// <summary>An index entry: the item and where its put record is.</summary>
    private sealed class Entry(HeldItem item, JournalPosition position)
    {
        public HeldItem Item { get; set; } = item;

        public JournalPosition Position { get; set; } = position;
    }

    /// <summary>A put whose record is queued but not yet durable.</summary>
    private sealed class PendingPut(HeldItem item)
    {
        public HeldItem Item { get; } = item;

        /// <summary>The longest lease a renewal gave it meanwhile (renewal records land after its put record).</summary>
        public long RenewedTo { get; set; } = long.MinValue;

        /// <summary>Removed meanwhile (the removal record lands after its put record).</summary>
        public bool Removed { get; set; }
    }
}
