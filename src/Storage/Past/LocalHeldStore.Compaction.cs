using System.Buffers.Binary;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Journal;

namespace EPostEdge.Storage.Past;

/// <summary>Compaction of the held journal: at open and while running, once dead records outweigh live ones.</summary>
public sealed partial class LocalHeldStore
{
    /// <summary>
    /// Under the lock: starts a compaction when dead records outweigh live ones and the journal
    /// grew by a segment since the last one (so a journal whose dead bytes sit in the segment
    /// being appended to, which compaction cannot touch, is not compacted again and again).
    /// </summary>
    private void MaybeCompact()
    {
        if (_disposed || _failure is not null || _compactionDone is not null || _journal.SegmentCount < 2)
        {
            return;
        }

        var total = _journal.TotalBytes;
        if (total - _liveRecordBytes <= Math.Max(_liveRecordBytes, _segmentBytes) || total - _compactedAt < _segmentBytes)
        {
            return;
        }

        _compactions++;
        _compactionDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_inFlight.Count == 0)
        {
            _drained.TrySetResult();
        }

        _compaction = Task.Run(CompactAsync);
    }

    private async Task CompactAsync()
    {
        var result = JournalCompaction.None;
        try
        {
            await _drained!.Task.ConfigureAwait(false);

            // Liveness is asked record by record under the lock: the node's thread is never held
            // for the whole rewrite.
            result = _journal.Compact(record =>
            {
                lock (_gate)
                {
                    return IsLive(_items, record);
                }
            });
        }
        catch (IOException)
        {
            // The journal is as it was (compaction is crash-safe at every step); try again after
            // another segment's growth.
        }
#pragma warning disable CA1031 // anything else: refuse further puts (retryable elsewhere) rather than guess
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Failed(ex);
        }
        finally
        {
            TaskCompletionSource done;
            lock (_gate)
            {
                Relocate(_items, result);
                _compactedAt = _journal.TotalBytes;
                LastCompaction = result;
                done = _compactionDone!;
                _compactionDone = null;
                _drained = null;
            }

            // Puts held back meanwhile go on now (and reads that met a moved record read again).
            done.TrySetResult();
        }
    }

    /// <summary>What the last compaction while the store ran did.</summary>
    public JournalCompaction LastCompaction { get; private set; } = JournalCompaction.None;

    /// <summary>
    /// Compacts the sealed segments when the journal holds more dead bytes than live ones (and at
    /// least a segment's worth), at open, when nothing else touches the journal.
    /// </summary>
    private static JournalCompaction CompactIfWorthIt(JournalLog journal, SortedDictionary<BlockKey, Entry>[] items, long segmentBytes)
    {
        var live = items.Sum(kind => kind.Values.Sum(e => (long)e.Position.Length));
        var dead = journal.TotalBytes - live;
        if (journal.SegmentCount < 2 || dead <= Math.Max(live, segmentBytes))
        {
            return JournalCompaction.None;
        }

        var result = journal.Compact(record => IsLive(items, record));
        Relocate(items, result);
        return result;
    }

    /// <summary>Points the index at the put records' new places.</summary>
    private static void Relocate(SortedDictionary<BlockKey, Entry>[] items, JournalCompaction result)
    {
        foreach (var moved in result.Relocated)
        {
            if (moved.Kind == PutRecord && TryReadId(moved.Payload.Span, out var kind, out var key)
                && Of(items, kind).TryGetValue(key, out var entry) && entry.Position.Sequence == moved.Position.Sequence)
            {
                entry.Position = moved.Position;
            }
        }
    }

    /// <summary>
    /// A put is live while it is its item's current record; a renewal while it carries the item's
    /// lease and comes after its put (replay applies it); removals are never needed once compacted,
    /// since the puts they removed are in the same sealed segments and go too.
    /// </summary>
    private static bool IsLive(SortedDictionary<BlockKey, Entry>[] items, JournalRecord record)
    {
        var payload = record.Payload.Span;
        if (!TryReadId(payload, out var kind, out var key))
        {
            return true; // unknown: keep
        }

        var found = Of(items, kind).TryGetValue(key, out var entry);
        return record.Kind switch
        {
            PutRecord => found && entry!.Position.Sequence == record.Position.Sequence,
            RenewRecord => found && payload.Length >= RenewSize
                           && record.Position.Sequence > entry!.Position.Sequence
                           && BinaryPrimitives.ReadInt64BigEndian(payload[IdSize..]) == entry.Item.LeaseExpiresAt,
            RemoveRecord => false,
            _ => true,
        };
    }
}
