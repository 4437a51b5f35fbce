namespace EPostEdge.Storage.Journal;

/// <summary>Where a record is: its sequence, its segment, its offset and its framed length.</summary>
/// <param name="Sequence">The record's sequence number (strictly increasing over the journal).</param>
/// <param name="SegmentId">The segment's id (the number in its file name).</param>
/// <param name="Offset">Byte offset of the record in the segment file.</param>
/// <param name="Length">Framed length: header + payload + checksum.</param>
public readonly record struct JournalPosition(long Sequence, long SegmentId, long Offset, int Length);
