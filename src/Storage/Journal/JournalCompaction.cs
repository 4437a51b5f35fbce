namespace EPostEdge.Storage.Journal;

/// <summary>What a compaction did.</summary>
/// <param name="SegmentsRewritten">Sealed segments replaced by the compacted one.</param>
/// <param name="RecordsKept">Live records copied.</param>
/// <param name="RecordsDropped">Dead records left behind.</param>
/// <param name="BytesBefore">Bytes of the rewritten segments before.</param>
/// <param name="BytesAfter">Bytes of the compacted segment.</param>
/// <param name="Relocated">Every kept record at its new position (callers update their indexes).</param>
public sealed record JournalCompaction(int SegmentsRewritten, long RecordsKept, long RecordsDropped, long BytesBefore, long BytesAfter, IReadOnlyList<JournalRecord> Relocated)
{
    /// <summary>A compaction that found nothing to do.</summary>
    public static JournalCompaction None { get; } = new(0, 0, 0, 0, 0, []);
}
