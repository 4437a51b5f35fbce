using System.Buffers.Binary;
using EPostEdge.Storage.Blocks;

namespace EPostEdge.Storage.Glacier;

/// <summary>
/// Glacier §4.3's aggregation: small objects are packed into one larger object before erasure
/// coding, so a 1 KiB log entry does not cost 48 fragments, manifests and tree paths of its own.
/// </summary>
/// <remarks>
/// Layout (big-endian): format (1) = 1 | member count (u16) | per member: key (32), length (u32) |
/// the members' bytes in that order. A member is found by its key and checked against it.
/// </remarks>
public static class Aggregate
{
    private const byte Format = 1;
    private const int EntrySize = BlockKey.Size + 4;

    /// <summary>Packs <paramref name="members"/> (each keyed by its content hash).</summary>
    public static byte[] Pack(IReadOnlyList<byte[]> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var bytes = new byte[3 + (members.Count * EntrySize) + members.Sum(m => m.Length)];
        bytes[0] = Format;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(1), checked((ushort)members.Count));
        var data = 3 + (members.Count * EntrySize);
        for (var i = 0; i < members.Count; i++)
        {
            var entry = bytes.AsSpan(3 + (i * EntrySize));
            BlockKey.Of(members[i]).Span.CopyTo(entry);
            BinaryPrimitives.WriteUInt32BigEndian(entry[BlockKey.Size..], (uint)members[i].Length);
            members[i].CopyTo(bytes, data);
            data += members[i].Length;
        }

        return bytes;
    }

    /// <summary>The member with <paramref name="key"/>, verified against it; null when it is not in the aggregate or the bytes are malformed.</summary>
    public static byte[]? Extract(ReadOnlySpan<byte> aggregate, BlockKey key)
    {
        if (aggregate.Length < 3 || aggregate[0] != Format)
        {
            return null;
        }

        var count = BinaryPrimitives.ReadUInt16BigEndian(aggregate[1..]);
        long data = 3 + (count * EntrySize);
        if (data > aggregate.Length)
        {
            return null;
        }

        for (var i = 0; i < count; i++)
        {
            var entry = aggregate.Slice(3 + (i * EntrySize), EntrySize);
            var length = BinaryPrimitives.ReadUInt32BigEndian(entry[BlockKey.Size..]);
            if (data + length > aggregate.Length)
            {
                return null;
            }

            if (entry[..BlockKey.Size].SequenceEqual(key.Span))
            {
                var member = aggregate.Slice((int)data, (int)length);
                return key.Matches(member) ? member.ToArray() : null;
            }

            data += length;
        }

        return null;
    }
}
