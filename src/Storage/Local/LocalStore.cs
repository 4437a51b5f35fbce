using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Faults;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Journal;
using EPostEdge.Storage.Post;

namespace EPostEdge.Storage.Local;

/// <summary>
/// A node's local store: one journal (the source of truth), the block index rebuilt from it
/// whenever it is missing or in doubt, the block store and the held log heads on top.
/// </summary>
/// <remarks>
/// Layout of the store folder: <c>journal/</c> (segments), <c>index.litedb</c> and
/// <c>index-log.litedb</c> (LiteDB, derived). Deleting the LiteDB files loses nothing.
/// </remarks>
public sealed class LocalStore : IAsyncDisposable
{
    private const string JournalFolder = "journal";

    private readonly IFileSystem _fileSystem;
    private readonly string _directory;
    private readonly LocalStoreOptions _options;
    private readonly FaultPoints _faults;
    private readonly JournalLog _journal;
    private readonly SemaphoreSlim _maintenance = new(1, 1);
    private BlockIndex _index;

    private LocalStore(IFileSystem fileSystem, string directory, LocalStoreOptions options, FaultPoints faults, JournalLog journal, BlockIndex index, LogHeadStore heads)
    {
        _fileSystem = fileSystem;
        _directory = directory;
        _options = options;
        _faults = faults;
        _journal = journal;
        _index = index;
        Heads = heads;
        Blocks = new BlockStore(journal, index, fileSystem, directory, options.Blocks, faults);
        heads.JournalBlocks = Blocks;
    }

    /// <summary>Immutable blocks held by this node.</summary>
    public BlockStore Blocks { get; }

    /// <summary>The newest accepted signed log head of each log this node holds.</summary>
    public LogHeadStore Heads { get; }

    /// <summary>What open found and did.</summary>
    public LocalStoreOpenReport OpenReport { get; private set; } = null!;

    /// <summary>Journal bytes on disk (what the quota counts).</summary>
    public long UsedBytes => _journal.TotalBytes;

    /// <summary>Highest journal sequence written.</summary>
    public long LastSequence => _journal.LastSequence;

    /// <summary>Journal fsyncs since open (benchmarks, diagnostics).</summary>
    public long JournalSyncCount => _journal.SyncCount;

    /// <summary>The store folder.</summary>
    public string Directory => _directory;

    /// <summary>
    /// Opens (creating if needed) the store in <paramref name="directory"/>: opens the journal
    /// (truncating a torn tail), then brings the index up to date, rebuilding it from the journal
    /// if it is missing, unreadable or was interrupted mid-compaction.
    /// </summary>
    public static LocalStore Open(IFileSystem fileSystem, string directory, LocalStoreOptions? options = null, FaultPoints? faults = null)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        options ??= new LocalStoreOptions();
        faults ??= new FaultPoints();
        fileSystem.CreateDirectory(directory);
        var journalDirectory = Path.Combine(directory, JournalFolder);

        var index = BlockIndex.TryOpen(fileSystem, directory);
        var rebuilt = index is null || index.Compacting;
        if (rebuilt)
        {
            // Missing, unreadable, or interrupted mid-compaction: the journal alone says what is true.
            index?.Dispose();
            index = BlockIndex.CreateEmpty(fileSystem, directory);
        }

        // Heads are journaled through the store once it is open; the closure sees the journal then.
        JournalLog? journal = null;
        var heads = new LogHeadStore(async payload => await journal!.AppendAsync(StoreRecordKinds.LogHead, payload).ConfigureAwait(false));
        var indexedBefore = index!.IndexedThrough;
        var replay = new JournalReplay(index, heads);
        try
        {
            // One pass over the journal: the open scan that verifies it also replays it.
            journal = JournalLog.Open(fileSystem, journalDirectory, options.Journal, faults, replay.Apply);
        }
        catch (LiteDB.LiteException) when (!rebuilt)
        {
            // The index file opened but is damaged inside: rebuild it after all (replaying the
            // heads again is harmless: the same versions are not accepted twice).
            index.Dispose();
            index = BlockIndex.CreateEmpty(fileSystem, directory);
            rebuilt = true;
            replay = new JournalReplay(index, heads);
            journal = JournalLog.Open(fileSystem, journalDirectory, options.Journal, faults, replay.Apply);
        }

        try
        {
            // The index is ahead of a journal that lost its tail: rebuild (a second pass, rare).
            var rebuild = indexedBefore > journal.LastSequence;
            if (!rebuild)
            {
                try
                {
                    // Commits the replayed updates: the first LiteDB write of a damaged file may fail only here.
                    replay.Finish(journal.LastSequence);
                }
                catch (LiteDB.LiteException) when (!rebuilt)
                {
                    rebuild = true;
                }
            }

            if (rebuild)
            {
                index.Dispose();
                index = BlockIndex.CreateEmpty(fileSystem, directory);
                rebuilt = true;
                replay = new JournalReplay(index, heads);
                foreach (var record in journal.ReadAll())
                {
                    replay.Apply(record);
                }

                replay.Finish(journal.LastSequence);
            }

            // A missing index rebuilt from a non-empty journal is a rebuild too.
            rebuilt |= index.IsNew && journal.LastSequence > 0;
            return new LocalStore(fileSystem, directory, options, faults, journal, index, heads)
            {
                OpenReport = new LocalStoreOpenReport(journal.OpenReport, rebuilt, replay.Applied, index.Count),
            };
        }
        catch
        {
            journal.DisposeAsync().AsTask().GetAwaiter().GetResult();
            index.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Lets the index's pending LiteDB writes land now: LiteDB writes its log from a background
    /// task, so without this a simulated crash would meet a disk state that depends on thread
    /// timing, and a run would stop being a pure function of its seed (issue 5 item 1).
    /// </summary>
    internal void SettleIndex() => _index.Checkpoint();

    /// <summary>
    /// Throws the index away and rebuilds it from the journal alone (<c>epost-edge rebuild-index</c>).
    /// </summary>
    /// <returns>The number of blocks in the rebuilt index.</returns>
    public async Task<int> RebuildIndexAsync()
    {
        await _maintenance.WaitAsync().ConfigureAwait(false);
        try
        {
            using var paused = await Blocks.PauseUpdatesAsync().ConfigureAwait(false);
            _index.Dispose();
            _index = BlockIndex.CreateEmpty(_fileSystem, _directory);
            Blocks.UseIndex(_index);
            var replay = new JournalReplay(_index, Heads);
            foreach (var record in _journal.ReadAll())
            {
                replay.Apply(record);
            }

            replay.Finish(_journal.LastSequence);
            _index.Checkpoint();
            return _index.Count;
        }
        finally
        {
            _maintenance.Release();
        }
    }

    /// <summary>
    /// Rewrites sealed journal segments keeping only live records (held blocks, current heads),
    /// so deleted blocks and superseded heads give their disk space back.
    /// </summary>
    public async Task<JournalCompaction> CompactAsync()
    {
        await _maintenance.WaitAsync().ConfigureAwait(false);
        try
        {
            // No put or delete is half done while the journal is rewritten (see PauseUpdatesAsync).
            using var paused = await Blocks.PauseUpdatesAsync().ConfigureAwait(false);

            // Intent flag: a crash between the journal's rename and the index update below
            // leaves stale positions, and the next open rebuilds instead of trusting them.
            _index.SetCompacting(true);
            var result = _journal.Compact(IsLive);
            foreach (var moved in result.Relocated)
            {
                if (moved.Kind == StoreRecordKinds.BlockPut)
                {
                    var key = new BlockKey(moved.Payload.Span[..BlockKey.Size]);
                    _index.Put(key, new BlockLocation(moved.Position, moved.Payload.Length - BlockKey.Size));
                }
            }

            _index.SetCompacting(false);
            Blocks.MarkIndexed();
            _index.Checkpoint();
            return result;
        }
        finally
        {
            _maintenance.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            // Commits the index's in-memory batch with the mark, so the next open replays little.
            Blocks.MarkIndexed();
        }
        finally
        {
            try
            {
                await _journal.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                _index.Dispose();
                _maintenance.Dispose();
            }
        }
    }

    private bool IsLive(JournalRecord record) => record.Kind switch
    {
        StoreRecordKinds.BlockPut => _index.TryGet(new BlockKey(record.Payload.Span[..BlockKey.Size]), out var at)
            && at.Position.Sequence == record.Position.Sequence,
        StoreRecordKinds.LogHead or StoreRecordKinds.LogHeadAfterEntry => Heads.IsCurrent(record.Payload.Span),

        // A tombstone only matters while the block it deletes may still be on disk; compaction
        // takes every sealed segment at once, so that block is in the same pass and goes too.
        StoreRecordKinds.BlockDelete => false,
        _ => true, // unknown kinds from a newer version: keep
    };
}
