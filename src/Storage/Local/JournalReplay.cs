using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Journal;
using EPostEdge.Storage.Post;

namespace EPostEdge.Storage.Local;

/// <summary>
/// Brings the derived state up to date from journal records, in journal order: the block
/// index past its "indexed through" mark, and every log head (heads live in memory, so they
/// are always replayed whole). Idempotent: replaying a record twice changes nothing.
/// </summary>
internal sealed class JournalReplay
{
    private readonly BlockIndex _index;
    private readonly LogHeadStore _heads;
    private readonly long _indexedThrough;

    public JournalReplay(BlockIndex index, LogHeadStore heads)
    {
        _index = index;
        _heads = heads;
        _indexedThrough = index.IndexedThrough;
        index.BeginReplay();
    }

    /// <summary>Index updates applied.</summary>
    public long Applied { get; private set; }

    public void Apply(JournalRecord record)
    {
        switch (record.Kind)
        {
            case StoreRecordKinds.LogHead:
                _heads.Replay(record.Payload.Span);
                break;
            case StoreRecordKinds.LogHeadAfterEntry:
                // Its entry's record is earlier in the journal, so the index has seen it by now.
                _heads.ReplayAfterEntry(record.Payload.Span, key => _index.TryGet(key, out _));
                break;
            case StoreRecordKinds.BlockPut when record.Position.Sequence > _indexedThrough:
                var content = record.Payload.Span[BlockKey.Size..];
                var key = new BlockKey(record.Payload.Span[..BlockKey.Size]);
                if (key.Matches(content))
                {
                    _index.Put(key, new BlockLocation(record.Position, content.Length));
                    Applied++;
                }

                break;
            case StoreRecordKinds.BlockDelete when record.Position.Sequence > _indexedThrough:
                _index.Remove(new BlockKey(record.Payload.Span));
                Applied++;
                break;
            default:
                break;
        }
    }

    /// <summary>Records that the index now holds everything through <paramref name="lastSequence"/>.</summary>
    public void Finish(long lastSequence) => _index.EndReplay(lastSequence);
}
