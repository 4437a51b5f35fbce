using CsCheck;
using EPostEdge.Storage.Glacier.Erasure;

namespace EPostEdge.Storage.Tests.Glacier.Erasure;

/// <summary>An object split into n fragments comes back byte for byte from any m of them.</summary>
public sealed class FragmentSplitterTests
{
    [Fact]
    public void Any_m_fragments_join_to_the_original_bytes() =>
        Gen.Select(Gen.Int[2, 60], Gen.Int[1, 60], Gen.OneOf(Gen.Int[0, 2], Gen.Int[0, 500], Gen.Int[500, 20_000]), Gen.Int).Sample((n, mSeed, length, seed) =>
        {
            var m = 1 + (mSeed % n);
            var splitter = new FragmentSplitter(m, n);
            var random = new Random(seed);
            var obj = new byte[length];
            random.NextBytes(obj);

            var fragments = splitter.Split(obj);
            Assert.Equal(n, fragments.Length);
            Assert.All(fragments, f => Assert.Equal(splitter.FragmentLength(length), f.Length));

            var chosen = ReedSolomonCodeTests.Shuffle(Enumerable.Range(0, n).ToArray(), random)[..random.Next(m, n + 1)];
            var joined = splitter.Join(chosen.Select(i => (i, (ReadOnlyMemory<byte>)fragments[i])).ToList(), length);
            Assert.Equal(obj, joined);
        }, iter: 300);

    [Theory]
    [InlineData(5, 48)]
    [InlineData(4, 10)]
    public void Glacier_codes_join_from_parity_only_and_from_mixed_fragments(int m, int n) =>
        Gen.Select(Gen.Int[0, 70_000], Gen.Int, Gen.Bool).Sample((length, seed, parityOnly) =>
        {
            var splitter = new FragmentSplitter(m, n);
            var random = new Random(seed);
            var obj = new byte[length];
            random.NextBytes(obj);
            var fragments = splitter.Split(obj);
            var pool = parityOnly ? Enumerable.Range(m, n - m).ToArray() : Enumerable.Range(0, n).ToArray();
            var chosen = ReedSolomonCodeTests.Shuffle(pool, random)[..m];
            Assert.Equal(obj, splitter.Join(chosen.Select(i => (i, (ReadOnlyMemory<byte>)fragments[i])).ToList(), length));
        }, iter: 50);

    [Fact]
    public void Data_fragments_are_the_object_cut_in_m_pieces_and_zero_padded()
    {
        var splitter = new FragmentSplitter(3, 5);
        var fragments = splitter.Split("abcdefg"u8);
        Assert.Equal("abc"u8.ToArray(), fragments[0]);
        Assert.Equal("def"u8.ToArray(), fragments[1]);
        Assert.Equal(new byte[] { (byte)'g', 0, 0 }, fragments[2]);
    }

    [Fact]
    public void Fewer_than_m_fragments_or_the_wrong_length_is_an_ArgumentException()
    {
        var splitter = new FragmentSplitter(5, 48);
        var obj = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var fragments = splitter.Split(obj);
        var four = Enumerable.Range(10, 4).Select(i => (i, (ReadOnlyMemory<byte>)fragments[i])).ToList();
        var error = Assert.Throws<ArgumentException>(() => splitter.Join(four, obj.Length));
        Assert.Contains("at least 5", error.Message, StringComparison.Ordinal);

        var five = Enumerable.Range(10, 5).Select(i => (i, (ReadOnlyMemory<byte>)fragments[i])).ToList();
        Assert.Throws<ArgumentException>(() => splitter.Join(five, obj.Length + 5));
        Assert.Throws<ArgumentException>(() => splitter.Join([.. five.Take(4), (10, fragments[10])], obj.Length));
        Assert.Equal(obj, splitter.Join(five, obj.Length));
    }
}
