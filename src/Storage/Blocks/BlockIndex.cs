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
internal sealed class BlockIndex : IDisposable
{
    /// <summary>Bump when the documents' shape changes: an index of another format is rebuilt.</summary>
    private const int FormatVersion = 1;

    private const string StateId = "state";

    private readonly LiteDatabase _database;
    private readonly ILiteCollection<BsonDocument> _blocks;
    private readonly ILiteCollection<BsonDocument> _meta;
    private readonly Stream[] _streams;
    private readonly Lock _stateLock = new();

    private BlockIndex(LiteDatabase database, Stream[] streams)
    {
        _database = database;
        _streams = streams;
        _blocks = database.GetCollection("blocks");
        _meta = database.GetCollection("meta");
    }

    /// <summary>File name of the index's data file inside the store folder.</summary>
    public const string DataFileName = "index.litedb";

    /// <summary>File name of LiteDB's write-ahead log inside the store folder.</summary>
    public const string LogFileName = "index-log.litedb";

    /// <summary>Highest journal sequence whose effect the index holds.</summary>
    public long IndexedThrough { get; private set; }

    /// <summary>Number of blocks in the index.</summary>
    public int Count => _blocks.Count();

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
    public void Put(BlockKey key, BlockLocation location)
    {
        var p = location.Position;
        _blocks.Upsert(new BsonDocument
        {
            ["_id"] = new BsonValue(key.Span.ToArray()),
            ["seq"] = p.Sequence,
            ["seg"] = p.SegmentId,
            ["off"] = p.Offset,
            ["len"] = p.Length,
            ["size"] = location.ContentLength,
        });
    }

    /// <summary>Forgets <paramref name="key"/>.</summary>
    public void Remove(BlockKey key) => _blocks.Delete(new BsonValue(key.Span.ToArray()));

    /// <summary>Every indexed block with its location (for compaction, quotas and checks).</summary>
    public IEnumerable<(BlockKey Key, BlockLocation Location)> All()
    {
        foreach (var doc in _blocks.FindAll())
        {
            var key = new BlockKey(doc["_id"].AsBinary);
            yield return (key, new BlockLocation(
                new JournalPosition(doc["seq"].AsInt64, doc["seg"].AsInt64, doc["off"].AsInt64, doc["len"].AsInt32),
                doc["size"].AsInt32));
        }
    }

    /// <summary>Notes that the index reflects the journal through <paramref name="sequence"/>.</summary>
    public void MarkIndexedThrough(long sequence)
    {
        lock (_stateLock)
        {
            if (sequence <= IndexedThrough)
            {
                return;
            }

            IndexedThrough = sequence;
            WriteState();
        }
    }

    private void WriteState() => _meta.Upsert(new BsonDocument
    {
        ["_id"] = StateId,
        ["format"] = FormatVersion,
        ["through"] = IndexedThrough,
        ["compacting"] = Compacting,
    });

    /// <summary>Whether the index was created empty by this open (missing before).</summary>
    public bool IsNew { get; private set; }

    /// <summary>Whether a compaction was in progress when the index was last written (then it is not trusted).</summary>
    public bool Compacting { get; private set; }

    /// <summary>Sets or clears the compaction intent flag, durably.</summary>
    public void SetCompacting(bool compacting)
    {
        lock (_stateLock)
        {
            Compacting = compacting;
            WriteState();
        }
    }

    /// <summary>Writes LiteDB's log into its data file (a checkpoint) so the next open is quick.</summary>
    public void Checkpoint() => _database.Checkpoint();

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            _database.Dispose();
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

    private static BlockIndex Open(IFileSystem fileSystem, string directory)
    {
        var data = new FileHandleStream(fileSystem.Open(Path.Combine(directory, DataFileName), FileOpenMode.OpenOrCreate));
        FileHandleStream? log = null;
        try
        {
            log = new FileHandleStream(fileSystem.Open(Path.Combine(directory, LogFileName), FileOpenMode.OpenOrCreate));
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
