using CsCheck;
using EPostEdge.Storage.Glacier;

namespace EPostEdge.Storage.Tests.Glacier;

public sealed class MerkleTreeTests
{
    [Fact]
    public void Every_leaf_verifies_against_the_root_and_a_changed_leaf_or_index_does_not()
    {
        Gen.Select(Gen.Int[1, 70], Gen.Int[0, 69], Gen.ULong).Sample((count, pick, seed) =>
        {
            var leaves = Enumerable.Range(0, count).Select(i => MerkleTree.Leaf(BitConverter.GetBytes(seed + (ulong)i))).ToList();
            var (root, paths) = MerkleTree.Build(leaves);
            for (var i = 0; i < count; i++)
            {
                Assert.True(MerkleTree.Verify(leaves[i], i, count, paths[i], root));
            }

            var index = pick % count;
            // Nine bytes: never one of the leaves (~seed was leaf 1 when seed + 1 wrapped to 0).
            var other = MerkleTree.Leaf([.. BitConverter.GetBytes(~seed), 1]);
            Assert.False(MerkleTree.Verify(other, index, count, paths[index], root));
            if (count > 1)
            {
                Assert.False(MerkleTree.Verify(leaves[index], (index + 1) % count, count, paths[index], root));
            }
        });
    }
}
