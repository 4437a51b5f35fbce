namespace EPostEdge.Storage.Journal;

/// <summary>What opening the journal found: for the log, the health page and the tests.</summary>
/// <param name="Segments">Segment files read.</param>
/// <param name="Records">Valid records found.</param>
/// <param name="TruncatedBytes">Bytes of torn or garbled tail cut off the last segment.</param>
/// <param name="CorruptRecords">Damaged records skipped inside sealed segments (bit rot, not a torn tail).</param>
/// <param name="CorruptSegments">Sealed segments in which reading stopped early at damage.</param>
/// <param name="LeftoverRecords">Records ignored because a compaction already rewrote them (a crash interrupted its clean-up).</param>
public sealed record JournalOpenReport(int Segments, long Records, long TruncatedBytes, long CorruptRecords, int CorruptSegments, long LeftoverRecords)
{
    /// <summary>One line for the log.</summary>
    public override string ToString() =>
        $"{Segments} segments, {Records} records, {TruncatedBytes} torn tail bytes truncated, {CorruptRecords} corrupt records skipped in {CorruptSegments} segments, {LeftoverRecords} compaction leftovers ignored";
}
