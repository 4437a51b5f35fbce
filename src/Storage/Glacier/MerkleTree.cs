using System.Security.Cryptography;

namespace EPostEdge.Storage.Glacier;

/// <summary>
/// A binary SHA-256 hash tree over a fragment set. The manifest signs only the root, and each
/// fragment carries its path (⌈log2 n⌉ sibling hashes, 6 for n = 48): a holder checks its one
/// fragment against the signed root without the other 47 hashes, which keeps per-fragment
/// overhead at ~0.3 KB instead of n × 32 bytes.
/// </summary>
/// <remarks>
/// Leaves are SHA-256(0x00 || fragment), inner nodes SHA-256(0x01 || left || right) (the prefixes
/// keep a leaf from passing for an inner node, RFC 6962 §2.1); an odd node at the end of a level is
/// carried up unchanged.
/// </remarks>
public static class MerkleTree
{
    /// <summary>Hash size in bytes.</summary>
    public const int HashSize = 32;

    /// <summary>The leaf hash of one fragment.</summary>
    public static byte[] Leaf(ReadOnlySpan<byte> fragment)
    {
        var hash = new byte[HashSize];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData([0]);
        sha.AppendData(fragment);
        sha.GetHashAndReset(hash);
        return hash;
    }

    /// <summary>The root over all leaves and, for each leaf, its path (sibling hashes bottom-up, concatenated).</summary>
    public static (byte[] Root, byte[][] Paths) Build(IReadOnlyList<byte[]> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        ArgumentOutOfRangeException.ThrowIfZero(leaves.Count);
        var paths = new List<byte>[leaves.Count];
        var positions = new int[leaves.Count];
        for (var i = 0; i < leaves.Count; i++)
        {
            paths[i] = [];
            positions[i] = i;
        }

        var level = leaves.ToList();
        while (level.Count > 1)
        {
            for (var i = 0; i < leaves.Count; i++)
            {
                var sibling = positions[i] ^ 1;
                if (sibling < level.Count)
                {
                    paths[i].AddRange(level[sibling]);
                }

                positions[i] >>= 1;
            }

            var next = new List<byte[]>((level.Count + 1) / 2);
            for (var j = 0; j < level.Count; j += 2)
            {
                next.Add(j + 1 < level.Count ? Node(level[j], level[j + 1]) : level[j]);
            }

            level = next;
        }

        return (level[0], paths.Select(p => p.ToArray()).ToArray());
    }

    /// <summary>Whether <paramref name="leaf"/> at <paramref name="index"/> of <paramref name="count"/> leaves hashes up to <paramref name="root"/> along <paramref name="path"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> leaf, int index, int count, ReadOnlySpan<byte> path, ReadOnlySpan<byte> root)
    {
        if (index < 0 || index >= count || path.Length % HashSize != 0 || leaf.Length != HashSize || root.Length != HashSize)
        {
            return false;
        }

        var current = leaf.ToArray();
        var position = index;
        var width = count;
        var used = 0;
        while (width > 1)
        {
            var sibling = position ^ 1;
            if (sibling < width)
            {
                if (used + HashSize > path.Length)
                {
                    return false;
                }

                var other = path.Slice(used, HashSize).ToArray();
                used += HashSize;
                current = (position & 1) == 0 ? Node(current, other) : Node(other, current);
            }

            position >>= 1;
            width = (width + 1) / 2;
        }

        return used == path.Length && CryptographicOperations.FixedTimeEquals(current, root);
    }

    private static byte[] Node(byte[] left, byte[] right)
    {
        Span<byte> input = stackalloc byte[1 + (2 * HashSize)];
        input[0] = 1;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + HashSize)..]);
        return SHA256.HashData(input);
    }
}
