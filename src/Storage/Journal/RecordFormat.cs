using System.Buffers.Binary;
using System.IO.Hashing;

namespace EPostEdge.Storage.Journal;

/// <summary>
/// The on-disk framing, pure and allocation-free. A segment starts with a 16-byte header
/// ("EPJ1", format version, segment id); each record is
/// <c>length u32 | sequence u64 | kind u8 | payload | XxHash64 u64</c>, little-endian, the
/// checksum covering everything before it. A torn write fails the length or checksum test;
/// a stale record from before a crash fails the sequence test.
/// </summary>
internal static class RecordFormat
{
    public const int SegmentHeaderSize = 16;
    public const int RecordHeaderSize = 4 + 8 + 1;
    public const int ChecksumSize = 8;
    public const int Overhead = RecordHeaderSize + ChecksumSize;
    public const ushort FormatVersion = 1;

    /// <summary>The journal's own record kind (compaction markers).</summary>
    public const byte InternalKind = 0;

    private static ReadOnlySpan<byte> Magic => "EPJ1"u8;

    public static void WriteSegmentHeader(Span<byte> destination, long segmentId)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], segmentId);
    }

    public static bool IsValidSegmentHeader(ReadOnlySpan<byte> header, long segmentId) =>
        header.Length >= SegmentHeaderSize
        && header[..4].SequenceEqual(Magic)
        && BinaryPrimitives.ReadUInt16LittleEndian(header[4..]) == FormatVersion
        && BinaryPrimitives.ReadInt64LittleEndian(header[8..]) == segmentId;

    /// <summary>Frames one record into <paramref name="destination"/> (exactly <see cref="Overhead"/> + payload bytes).</summary>
    public static void Write(Span<byte> destination, long sequence, byte kind, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(destination[4..], sequence);
        destination[12] = kind;
        payload.CopyTo(destination[RecordHeaderSize..]);
        var body = destination[..(RecordHeaderSize + payload.Length)];
        BinaryPrimitives.WriteUInt64LittleEndian(destination[body.Length..], XxHash64.HashToUInt64(body));
    }

    /// <summary>Reads the payload length from a record header, or -1 when it is out of bounds.</summary>
    public static int PayloadLength(ReadOnlySpan<byte> header, int maxRecordBytes)
    {
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        return length > (uint)maxRecordBytes ? -1 : (int)length;
    }

    /// <summary>Checks a whole framed record; on success gives its sequence and kind.</summary>
    public static bool TryVerify(ReadOnlySpan<byte> record, out long sequence, out byte kind)
    {
        sequence = 0;
        kind = 0;
        if (record.Length < Overhead)
        {
            return false;
        }

        var payloadLength = BinaryPrimitives.ReadUInt32LittleEndian(record);
        if (payloadLength != (uint)(record.Length - Overhead))
        {
            return false;
        }

        var body = record[..^ChecksumSize];
        if (XxHash64.HashToUInt64(body) != BinaryPrimitives.ReadUInt64LittleEndian(record[^ChecksumSize..]))
        {
            return false;
        }

        sequence = BinaryPrimitives.ReadInt64LittleEndian(record[4..]);
        kind = record[12];
        return true;
    }

    /// <summary>The payload of a verified framed record.</summary>
    public static ReadOnlySpan<byte> Payload(ReadOnlySpan<byte> record) => record[RecordHeaderSize..^ChecksumSize];

    /// <summary>Segment file name for <paramref name="segmentId"/>; names sort in id order.</summary>
    public static string SegmentFileName(long segmentId) => $"seg-{segmentId:D20}.log";

    /// <summary>Parses a segment file name; false for anything else in the folder.</summary>
    public static bool TryParseSegmentFileName(string name, out long segmentId)
    {
        segmentId = 0;
        return name.Length == 28 && name.StartsWith("seg-", StringComparison.Ordinal) && name.EndsWith(".log", StringComparison.Ordinal)
            && long.TryParse(name.AsSpan(4, 20), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out segmentId);
    }

    /// <summary>Payload of a compaction marker: "records up to <paramref name="through"/> were rewritten into this segment".</summary>
    public static byte[] CompactionMarker(long through)
    {
        var payload = new byte[9];
        payload[0] = 1; // marker type: compacted-through
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(1), through);
        return payload;
    }

    public static bool TryReadCompactionMarker(ReadOnlySpan<byte> payload, out long through)
    {
        through = 0;
        if (payload.Length != 9 || payload[0] != 1)
        {
            return false;
        }

        through = BinaryPrimitives.ReadInt64LittleEndian(payload[1..]);
        return true;
    }
}
