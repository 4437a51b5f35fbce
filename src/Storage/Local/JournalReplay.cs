using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Journal;
using EPostEdge.Storage.Post;

namespace EPostEdge.Storage.Local;

/// <summary>
/// Brings the derived state up to date from journal records, in journal order: the block
/// index past its "indexed through" mark, and every log head (heads live in memory, so they
/// are always replayed whole). Idempotent: replaying a record twice changes nothing.
/// </summary>
internal sealed class JournalReplay(BlockIndex index, LogHeadStore heads)
{
    private readonly long _indexedThrough = index.IndexedThrough;

    /// <summary>Index updates applied.</summary>
    public long Applied { get; private set; }

    public void Apply(JournalRecord record)
    {
        switch (record.Kind)
        {
            case StoreRecordKinds.LogHead:
                heads.Replay(record.Payload.Span);
                break;
            case StoreRecordKinds.BlockPut when record.Position.Sequence > _indexedThrough:
                var content = record.Payload.Span[BlockKey.Size..];
                var key = new BlockKey(record.Payload.Span[..BlockKey.Size]);
                if (key.Matches(content))
                {
                    index.Put(key, new BlockLocation(record.Position, content.Length));
                    Applied++;
                }

                break;
            case StoreRecordKinds.BlockDelete when record.Position.Sequence > _indexedThrough:
                index.Remove(new BlockKey(record.Payload.Span));
                Applied++;
                break;
            default:
                break;
        }
    }

    /// <summary>Records that the index now holds everything through <paramref name="lastSequence"/>.</summary>
    public void Finish(long lastSequence) => index.MarkIndexedThrough(lastSequence);
}
