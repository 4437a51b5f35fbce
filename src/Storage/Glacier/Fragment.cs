using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace EPostEdge.Storage.Glacier;

/// <summary>
/// One Glacier fragment as held and sent: its bytes, and as "extra" the signed manifest, its index
/// and its hash-tree path. <see cref="TryOpen"/> is the one check every holder and reader runs.
/// </summary>
/// <remarks>Extra layout: manifest (164) | index (u16) | path length (u8, in hashes) | path.</remarks>
public static class Fragment
{
    /// <summary>The extra bytes that travel and are stored with fragment <paramref name="index"/>.</summary>
    public static byte[] Extra(FragmentManifest manifest, int index, ReadOnlySpan<byte> path)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var extra = new byte[FragmentManifest.Size + 3 + path.Length];
        manifest.Encoded.CopyTo(extra);
        BinaryPrimitives.WriteUInt16BigEndian(extra.AsSpan(FragmentManifest.Size), checked((ushort)index));
        extra[FragmentManifest.Size + 2] = checked((byte)(path.Length / MerkleTree.HashSize));
        path.CopyTo(extra.AsSpan(FragmentManifest.Size + 3));
        return extra;
    }

    /// <summary>
    /// Checks a fragment: the manifest's signature, the index in range, and the bytes against the
    /// signed root along the path. False for a corrupt, forged or malformed fragment.
    /// </summary>
    public static bool TryOpen(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> extra, [NotNullWhen(true)] out FragmentManifest? manifest, out int index)
    {
        manifest = null;
        index = -1;
        if (extra.Length < FragmentManifest.Size + 3
            || !FragmentManifest.TryDecodeVerified(extra[..FragmentManifest.Size], out var decoded))
        {
            return false;
        }

        var at = BinaryPrimitives.ReadUInt16BigEndian(extra[FragmentManifest.Size..]);
        var pathLength = extra[FragmentManifest.Size + 2] * MerkleTree.HashSize;
        var path = extra[(FragmentManifest.Size + 3)..];
        if (path.Length != pathLength || at >= decoded.Total
            || !MerkleTree.Verify(MerkleTree.Leaf(bytes), at, decoded.Total, path, decoded.Root))
        {
            return false;
        }

        manifest = decoded;
        index = at;
        return true;
    }
}
