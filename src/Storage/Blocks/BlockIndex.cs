using System.Globalization;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Journal;
using LiteDB;
using LiteDB.Engine;

namespace EPostEdge.Storage.Blocks;

/// <summary>
/// The block index in LiteDB: key → journal position. It is derived state (ARCHITECTURE.md
/// "Durability contract"): everything in it can be rebuilt from the journal alone, so a lost or
/// corrupt index file costs a rebuild, never mail. LiteDB is used through BsonDocument only (its
/// POCO mapper is not AOT-safe) and reaches the disk through the file-system seam.
/// </summary>
/// <remarks>
/// Updates are not written to LiteDB one by one: each LiteDB commit fsyncs its log, and one
/// fsync per put on top of the journal's halved the put rate. They collect in memory
/// (<see cref="_pending"/>, which lookups read first) and go to LiteDB in one transaction per
/// <see cref="FlushEvery"/> updates, together with the "indexed through" mark. LiteDB keeps its
/// own commit fsync, so what it holds is always a consistent, durable state whose mark never
/// runs ahead of its entries; a crash loses only the in-memory batch, which lies past the mark
/// and is replayed from the journal. (Letting LiteDB write without fsync instead would not be
/// safe: its pages carry no checksum and a checkpoint rewrites data pages in place, so a torn
/// checkpoint could silently lose entries from before the mark.)
/// </remarks>
internal sealed class BlockIndex : IDisposable
{
    /// <summary>Bump when the documents' shape changes: an index of another format is rebuilt.</summary>
    private const int FormatVersion = 1;

    private const string StateId = "state";

    /// <summary>Updates held in memory before they are written to LiteDB in one transaction.</summary>
    internal const int FlushEvery = 512;

    /// <summary>How long <see cref="Dispose"/> waits for LiteDB to close before it gives up on a dead disk.</summary>
    internal static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    private readonly LiteDatabase _database;
    private readonly ILiteCollection<BsonDocument> _blocks;
    private readonly ILiteCollection<BsonDocument> _meta;
    private readonly Stream[] _streams;

    // Serialises every LiteDB write (batches and the state document): one transaction at a time.
    private readonly Lock _flushLock = new();

    // Guards _pending and _flushing. Null values are removals (tombstones not yet written).
    private readonly Lock _pendingLock = new();
    private Dictionary<BlockKey, BlockLocation?> _pending = [];
    private Dictionary<BlockKey, BlockLocation?>? _flushing;

    // A journal replay is filling this index: the mark must not move before it ends. Under _flushLock.
    private bool _replaying;

    private BlockIndex(LiteDatabase database, Stream[] streams)
    {
        _database = database;
        _streams = streams;
        _blocks = Create(database, "blocks");
        _meta = Create(database, "meta");
    }

    /// <summary>
    /// Makes sure the collection exists before anyone else touches the index. LiteDB 5 fails
    /// a read that meets a collection another transaction is creating ("page type must be
    /// collection page", litedb-org/LiteDB#2792) and closes the engine; a batch of puts holds
    /// its transaction long enough for concurrent gets to hit that window every time.
    /// </summary>
    private static ILiteCollection<BsonDocument> Create(LiteDatabase database, string name)
    {
        var collection = database.GetCollection(name);
        if (!database.CollectionExists(name))
        {
            var probe = new BsonValue("create");
            collection.Insert(new BsonDocument { ["_id"] = probe });
            collection.Delete(probe);
        }

        return collection;
    }

    /// <summary>File name of the index's data file inside the store folder.</summary>
    public const string DataFileName = "index.litedb";

    /// <summary>File name of LiteDB's write-ahead log inside the store folder.</summary>
    public const string LogFileName = "index-log.litedb";

    /// <summary>Highest journal sequence whose effect the index holds durably (its LiteDB mark).</summary>
    public long IndexedThrough { get; private set; }

    /// <summary>
    /// Tells a batch write how far the mark may move: a sequence below which every block record's
    /// update has reached this index (the block store's in-flight bookkeeping). Null: the mark
    /// moves only through <see cref="MarkIndexedThrough"/>.
    /// </summary>
    public Func<long>? MarkSource { get; set; }

    /// <summary>Updates held in memory, not yet in LiteDB.</summary>
    public int PendingCount
    {
        get
        {
            lock (_pendingLock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Number of blocks in the index (writes the pending batch first).</summary>
    public int Count
    {
        get
        {
            lock (_flushLock)
            {
                FlushLocked(MarkSource?.Invoke(), compacting: null);
                return _blocks.Count();
            }
        }
    }

    /// <summary>
    /// Opens the index in <paramref name="directory"/>. Returns null (after deleting the files)
    /// when they cannot be opened or are of another format; the caller then rebuilds.
    /// </summary>
    public static BlockIndex? TryOpen(IFileSystem fileSystem, string directory)
    {
        BlockIndex? index = null;
        try
        {
            index = Open(fileSystem, directory);
            var state = index._meta.FindById(StateId);
            if (state is null || state["format"].AsInt32 != FormatVersion)
            {
                // Empty (new) or foreign: callers replay the journal from the start.
                index.IndexedThrough = 0;
                index.IsNew = true;
                if (state is not null)
                {
                    index.Dispose();
                    Delete(fileSystem, directory);
                    return null;
                }

                return index;
            }

            index.IndexedThrough = state["through"].AsInt64;
            index.Compacting = state["compacting"].AsBoolean;
            return index;
        }
#pragma warning disable CA1031 // any failure to open a derived index means: rebuild it from the journal
        catch (Exception)
#pragma warning restore CA1031
        {
            try
            {
                index?.Dispose();
            }
#pragma warning disable CA1031
            catch (Exception)
#pragma warning restore CA1031
            {
                // The file is already known bad; closing it may fail too.
            }

            Delete(fileSystem, directory);
            return null;
        }
    }

    /// <summary>Creates a new, empty index (after any old files were deleted).</summary>
    public static BlockIndex CreateEmpty(IFileSystem fileSystem, string directory)
    {
        Delete(fileSystem, directory);
        var index = Open(fileSystem, directory);
        index.IsNew = true;
        return index;
    }

    /// <summary>Removes the index files.</summary>
    public static void Delete(IFileSystem fileSystem, string directory)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        fileSystem.Delete(Path.Combine(directory, DataFileName));
        fileSystem.Delete(Path.Combine(directory, LogFileName));
        fileSystem.SyncDirectory(directory);
    }

    /// <summary>Looks up a block.</summary>
    public bool TryGet(BlockKey key, out BlockLocation location)
    {
        lock (_pendingLock)
        {
            if (_pending.TryGetValue(key, out var recent) || (_flushing?.TryGetValue(key, out recent) ?? false))
            {
                location = recent.GetValueOrDefault();
                return recent.HasValue;
            }
        }

        // Not updated since the last batch was committed: LiteDB has the answer.
        var doc = _blocks.FindById(new BsonValue(key.Span.ToArray()));
        if (doc is null)
        {
            location = default;
            return false;
        }

        location = new BlockLocation(
            new JournalPosition(doc["seq"].AsInt64, doc["seg"].AsInt64, doc["off"].AsInt64, doc["len"].AsInt32),
            doc["size"].AsInt32);
        return true;
    }

    /// <summary>Records that <paramref name="key"/> is held at <paramref name="location"/>.</summary>
    public void Put(BlockKey key, BlockLocation location) => Update(key, location);

    /// <summary>Forgets <paramref name="key"/>.</summary>
    public void Remove(BlockKey key) => Update(key, null);

    /// <summary>Writes the pending batch to LiteDB now (moving the mark as far as <see cref="MarkSource"/> allows).</summary>
    public void Flush()
    {
        lock (_flushLock)
        {
            FlushLocked(MarkSource?.Invoke(), compacting: null);
        }
    }

    /// <summary>Every indexed block with its location (for compaction, quotas and checks).</summary>
    public IEnumerable<(BlockKey Key, BlockLocation Location)> All()
    {
        Flush();
        foreach (var doc in _blocks.FindAll())
        {
            var key = new BlockKey(doc["_id"].AsBinary);
            yield return (key, new BlockLocation(
                new JournalPosition(doc["seq"].AsInt64, doc["seg"].AsInt64, doc["off"].AsInt64, doc["len"].AsInt32),
                doc["size"].AsInt32));
        }
    }

    /// <summary>Notes that the index reflects the journal through <paramref name="sequence"/>.</summary>
    /// <summary>
    /// Notes, durably, that the index reflects the journal through <paramref name="sequence"/>:
    /// the pending batch is committed with the mark, so the mark never runs ahead of the entries.
    /// Ignored while a replay is under way (see <see cref="BeginReplay"/>).
    /// </summary>
    public void MarkIndexedThrough(long sequence)
    {
        lock (_flushLock)
        {
            FlushLocked(_replaying ? null : sequence, compacting: null);
        }
    }

    /// <summary>
    /// A replay of the journal into this index begins: until <see cref="EndReplay"/> the mark
    /// stays where it is whatever else asks, because the index is behind the journal's end
    /// even with no put in flight (a rebuild that fails half-way must not be marked complete).
    /// </summary>
    public void BeginReplay()
    {
        lock (_flushLock)
        {
            _replaying = true;
        }
    }

    /// <summary>The replay reached the journal's end at <paramref name="lastSequence"/>: commit and mark it.</summary>
    public void EndReplay(long lastSequence)
    {
        lock (_flushLock)
        {
            _replaying = false;
            FlushLocked(lastSequence, compacting: null);
        }
    }

    /// <summary>Whether the index was created empty by this open (missing before).</summary>
    public bool IsNew { get; private set; }

    /// <summary>Whether a compaction was in progress when the index was last written (then it is not trusted).</summary>
    public bool Compacting { get; private set; }

    /// <summary>Sets or clears the compaction intent flag, durably.</summary>
    public void SetCompacting(bool compacting)
    {
        lock (_flushLock)
        {
            FlushLocked(MarkSource?.Invoke(), compacting);
        }
    }

    /// <summary>Writes LiteDB's log into its data file (a checkpoint) so the next open is quick.</summary>
    public void Checkpoint()
    {
        lock (_flushLock)
        {
            FlushLocked(MarkSource?.Invoke(), compacting: null);
            try
            {
                _database.Checkpoint();
            }
            catch
            {
                KeepAlive(_database);
                throw;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            // LiteDB's close waits for its disk writer, and after the disk failed under it (a power
            // cut in the crash tests, an I/O error that ended the writer) that wait never returns
            // (seen: LiteEngine.Close → DiskWriterQueue.Wait, a CI run hung). Close on the side and
            // stop waiting after a bound: the index is rebuilt from the journal on the next open.
            var closing = Task.Run(_database.Dispose);
            if (!closing.Wait(CloseTimeout))
            {
                _ = closing.ContinueWith(static t => t.Exception, TaskScheduler.Default); // observed, never rethrown
            }
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
        finally
        {
            // LiteDB does not own streams it was given; close the files ourselves.
            foreach (var stream in _streams)
            {
                stream.Dispose();
            }
        }
    }

    private void Update(BlockKey key, BlockLocation? location)
    {
        bool full;
        lock (_pendingLock)
        {
            _pending[key] = location;
            full = _pending.Count >= FlushEvery;
        }

        // Whoever fills the batch writes it; if a batch is being written already, a later update does.
        if (full && _flushLock.TryEnter())
        {
            try
            {
                FlushLocked(MarkSource?.Invoke(), compacting: null);
            }
            finally
            {
                _flushLock.Exit();
            }
        }
    }

    /// <summary>
    /// Commits the pending batch, and the state document if the mark or the compaction flag
    /// changes, in one LiteDB transaction (one fsync). <paramref name="mark"/> is taken before
    /// the batch is: every update it covers is in the batch or already in LiteDB.
    /// </summary>
    private void FlushLocked(long? mark, bool? compacting)
    {
        if (_replaying)
        {
            mark = null;
        }

        var through = mark is { } m && m > IndexedThrough ? m : IndexedThrough;
        var flag = compacting ?? Compacting;
        Dictionary<BlockKey, BlockLocation?> batch;
        lock (_pendingLock)
        {
            if (_pending.Count == 0 && through == IndexedThrough && flag == Compacting)
            {
                return;
            }

            batch = _pending;
            _pending = [];
            _flushing = batch;
        }

        var committed = false;
        try
        {
            _database.BeginTrans();
            foreach (var (key, location) in batch)
            {
                var id = new BsonValue(key.Span.ToArray());
                if (location is { Position: var p } at)
                {
                    _blocks.Upsert(new BsonDocument
                    {
                        ["_id"] = id,
                        ["seq"] = p.Sequence,
                        ["seg"] = p.SegmentId,
                        ["off"] = p.Offset,
                        ["len"] = p.Length,
                        ["size"] = at.ContentLength,
                    });
                }
                else
                {
                    _blocks.Delete(id);
                }
            }

            if (through != IndexedThrough || flag != Compacting)
            {
                _meta.Upsert(new BsonDocument
                {
                    ["_id"] = StateId,
                    ["format"] = FormatVersion,
                    ["through"] = through,
                    ["compacting"] = flag,
                });
            }

            _database.Commit();
            committed = true;
            IndexedThrough = through;
            Compacting = flag;
        }
        finally
        {
            if (!committed)
            {
                KeepAlive(_database);
                TryRollback();
            }

            lock (_pendingLock)
            {
                if (!committed)
                {
                    // Keep the updates for the next attempt; newer ones for the same key win.
                    foreach (var (key, location) in batch)
                    {
                        _pending.TryAdd(key, location);
                    }
                }

                _flushing = null;
            }
        }
    }

    /// <summary>
    /// LiteDB 5.0.20: a write transaction whose commit failed part-way (an I/O error, a dead
    /// disk) cannot be disposed ("discarded page must be writable"), and its finalizer then
    /// throws on the finalizer thread, which kills the process. Such an engine is kept
    /// reachable for the life of the process instead; the index is rebuilt on the next open.
    /// </summary>
    private static void KeepAlive(LiteDatabase failed)
    {
        lock (FailedDatabases)
        {
            FailedDatabases.Add(failed);
        }
    }

    private static readonly List<LiteDatabase> FailedDatabases = [];

    private void TryRollback()
    {
        try
        {
            _database.Rollback();
        }
#pragma warning disable CA1031 // the write already failed; that failure is what the caller sees
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static BlockIndex Open(IFileSystem fileSystem, string directory)
    {
        var data = new FileHandleStream(fileSystem.Open(Path.Combine(directory, DataFileName), FileOpenMode.OpenOrCreate));
        FileHandleStream? log = null;
        try
        {
            log = new FileHandleStream(fileSystem.Open(Path.Combine(directory, LogFileName), FileOpenMode.OpenOrCreate));

            // Make new files' directory entries durable: otherwise a power cut drops a fresh
            // index whole, marks and all, and every open after one rebuilds from scratch.
            fileSystem.SyncDirectory(directory);
            var settings = new EngineSettings
            {
                DataStream = data,
                LogStream = log,
                TempStream = new MemoryStream(),

                // Ordinal and culture-free: the AOT node runs with invariant globalization and
                // cannot open a file whose collation names a culture (DEVELOPERS.md).
                Collation = new Collation(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal),
            };
            var database = new LiteDatabase(new LiteEngine(settings), mapper: null, disposeOnClose: true);
            return new BlockIndex(database, [data, log, settings.TempStream]);
        }
        catch
        {
            data.Dispose();
            log?.Dispose();
            throw;
        }
    }
}
