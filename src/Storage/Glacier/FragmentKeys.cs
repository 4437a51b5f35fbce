using System.Buffers.Binary;
using System.Security.Cryptography;
using EPostEdge.Overlay.Ids;
using EPostEdge.Storage.Blocks;

namespace EPostEdge.Storage.Glacier;

/// <summary>
/// Where things live in the id space. Glacier §4.1: fragment i of object O is kept at the node
/// closest to a key derived from (O, i), so the n fragments land on n pseudo-random, independent
/// nodes and anyone who knows O can find them without a directory.
/// </summary>
public static class FragmentKeys
{
    private static readonly byte[] FragmentDomain = "epost-edge/glacier-fragment/v1"u8.ToArray();

    /// <summary>The overlay key (placement) of any 32-byte storage key: its first 160 bits.</summary>
    public static NodeId Placement(BlockKey key) => NodeId.Read(key.Span[..NodeId.Size]);

    /// <summary>The storage key of fragment <paramref name="index"/> of <paramref name="objectKey"/>: SHA-256(domain || O || i).</summary>
    public static BlockKey Of(BlockKey objectKey, int index)
    {
        Span<byte> input = stackalloc byte[FragmentDomain.Length + BlockKey.Size + 2];
        FragmentDomain.CopyTo(input);
        objectKey.Span.CopyTo(input[FragmentDomain.Length..]);
        BinaryPrimitives.WriteUInt16BigEndian(input[(FragmentDomain.Length + BlockKey.Size)..], checked((ushort)index));
        Span<byte> hash = stackalloc byte[BlockKey.Size];
        SHA256.HashData(input, hash);
        return new BlockKey(hash);
    }
}
