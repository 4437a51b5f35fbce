using System.Buffers;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.Storage.Journal;

/// <summary>One framed record as found in a segment file, checksum verified.</summary>
internal readonly record struct FramedRecord(long Offset, int Length, long Sequence, byte Kind, byte[] Payload);

/// <summary>
/// Reads the verified records of one segment file, in file order. Reading stops at the first
/// record that does not verify, except that a damaged record whose length field is sane and
/// is followed by a good record is skipped and counted: that is bit rot inside a sealed
/// segment, and the records after it are still worth having.
/// </summary>
internal sealed class SegmentReader(IFileHandle file, long limit, int maxRecordBytes)
{
    /// <summary>Offset just past the last good record (where a torn tail starts).</summary>
    public long ValidEnd { get; private set; } = RecordFormat.SegmentHeaderSize;

    /// <summary>Damaged records skipped.</summary>
    public long CorruptRecords { get; private set; }

    /// <summary>Whether reading stopped before the end of the file.</summary>
    public bool StoppedEarly { get; private set; }

    public IEnumerable<FramedRecord> Read()
    {
        // Only what is committed: the active segment may hold a batch being written right now.
        var fileLength = Math.Min(limit, file.Length);
        var offset = (long)RecordFormat.SegmentHeaderSize;
        while (offset < fileLength)
        {
            // A read can fail once and not again (a bit flipped on the way, a sector the device
            // retried): read a record that does not verify a second time before calling it damaged,
            // or the open scan would skip a good record, or cut it off with everything after it
            // as a "torn tail", and the index would forget the block for good (simulator, seed 3).
            var record = TryReadAt(offset, fileLength) ?? TryReadAt(offset, fileLength);
            if (record is null)
            {
                // Skip one damaged record if what follows it is sound.
                var skipTo = DeclaredEnd(offset, fileLength);
                var next = skipTo > 0 && skipTo < fileLength ? TryReadAt(skipTo, fileLength) : null;
                if (next is null)
                {
                    StoppedEarly = true;
                    yield break;
                }

                CorruptRecords++;
                record = next;
            }

            var r = record.Value;
            offset = r.Offset + r.Length;
            ValidEnd = offset;
            yield return r;
        }
    }

    private long DeclaredEnd(long offset, long fileLength)
    {
        Span<byte> header = stackalloc byte[RecordFormat.RecordHeaderSize];
        if (offset + RecordFormat.Overhead > fileLength || file.Read(offset, header) < header.Length)
        {
            return -1;
        }

        var payloadLength = RecordFormat.PayloadLength(header, maxRecordBytes);
        return payloadLength < 0 ? -1 : offset + RecordFormat.Overhead + payloadLength;
    }

    private FramedRecord? TryReadAt(long offset, long fileLength)
    {
        var end = DeclaredEnd(offset, fileLength);
        if (end < 0 || end > fileLength)
        {
            return null;
        }

        var length = (int)(end - offset);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var span = buffer.AsSpan(0, length);
            if (file.Read(offset, span) < length || !RecordFormat.TryVerify(span, out var sequence, out var kind))
            {
                return null;
            }

            return new FramedRecord(offset, length, sequence, kind, RecordFormat.Payload(span).ToArray());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
