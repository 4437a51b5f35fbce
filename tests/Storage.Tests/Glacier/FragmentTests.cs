using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Glacier;
using EPostEdge.Storage.Glacier.Erasure;

namespace EPostEdge.Storage.Tests.Glacier;

public sealed class FragmentTests
{
    [Fact]
    public void A_fragment_opens_only_with_its_own_bytes_index_and_a_valid_signature()
    {
        using var signer = NodeIdentity.Create(new SeededRandomSource(1));
        var content = new byte[5000];
        new SeededRandomSource(2).NextBytes(content);
        var key = BlockKey.Of(content);
        var fragments = new FragmentSplitter(5, 48).Split(content);
        var (root, paths) = MerkleTree.Build(fragments.Select(f => MerkleTree.Leaf(f)).ToList());
        var manifest = FragmentManifest.Sign(signer, key, content.Length, 48, 5, root);

        for (var i = 0; i < 48; i++)
        {
            Assert.True(Fragment.TryOpen(fragments[i], Fragment.Extra(manifest, i, paths[i]), out var opened, out var index));
            Assert.Equal(i, index);
            Assert.Equal(key, opened.ObjectKey);
        }

        // A flipped bit in the fragment, in its path, in the manifest or its signature: refused.
        var flipped = (byte[])fragments[7].Clone();
        flipped[100] ^= 1;
        Assert.False(Fragment.TryOpen(flipped, Fragment.Extra(manifest, 7, paths[7]), out _, out _));
        var extra = Fragment.Extra(manifest, 7, paths[7]);
        for (var at = 0; at < extra.Length; at += 13)
        {
            var tampered = (byte[])extra.Clone();
            tampered[at] ^= 0x10;
            Assert.False(Fragment.TryOpen(fragments[7], tampered, out _, out _), $"a flip at byte {at} of the extra was accepted");
        }

        Assert.False(Fragment.TryOpen(fragments[8], Fragment.Extra(manifest, 7, paths[7]), out _, out _));
    }
}
