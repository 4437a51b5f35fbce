using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using EPostEdge.Storage.Blocks;

namespace EPostEdge.Storage.Glacier;

/// <summary>
/// Where an aggregated small object went: copy i of its pointer lives at the root of
/// <see cref="FragmentKeys.Of"/>(object, i), so anyone who knows the object's key finds the
/// aggregate with no directory, and a correlated failure leaves some copies alive. A pointer is a
/// hint: the aggregate it names is decoded and the member checked against the object's key, so a
/// wrong pointer costs a decode, never wrong bytes.
/// </summary>
/// <remarks>Layout (big-endian), 83 bytes: format (1) = 1 | object key (32) | copy index (u16) |
/// aggregate key (32) | checksum (8: the first bytes of SHA-256 of the rest, catches bit flips at rest).</remarks>
public sealed record GlacierPointer(BlockKey ObjectKey, int Index, BlockKey AggregateKey)
{
    /// <summary>Encoded size.</summary>
    public const int Size = 1 + BlockKey.Size + 2 + BlockKey.Size + 8;

    private const byte Format = 1;

    /// <summary>The storage key this copy lives under.</summary>
    public BlockKey Key => FragmentKeys.Of(ObjectKey, Index);

    /// <summary>The wire and storage form.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[Size];
        bytes[0] = Format;
        ObjectKey.Span.CopyTo(bytes.AsSpan(1));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(33), checked((ushort)Index));
        AggregateKey.Span.CopyTo(bytes.AsSpan(35));
        SHA256.HashData(bytes.AsSpan(0, Size - 8)).AsSpan(0, 8).CopyTo(bytes.AsSpan(Size - 8));
        return bytes;
    }

    /// <summary>Decodes a pointer stored under <paramref name="key"/>; false when it is malformed, damaged or belongs under another key.</summary>
    public static bool TryOpen(ReadOnlySpan<byte> bytes, BlockKey key, [NotNullWhen(true)] out GlacierPointer? pointer)
    {
        pointer = null;
        if (bytes.Length != Size || bytes[0] != Format
            || !SHA256.HashData(bytes[..(Size - 8)]).AsSpan(0, 8).SequenceEqual(bytes[(Size - 8)..]))
        {
            return false;
        }

        var decoded = new GlacierPointer(new BlockKey(bytes.Slice(1, BlockKey.Size)), BinaryPrimitives.ReadUInt16BigEndian(bytes[33..]), new BlockKey(bytes.Slice(35, BlockKey.Size)));
        if (decoded.Key != key)
        {
            return false;
        }

        pointer = decoded;
        return true;
    }
}
