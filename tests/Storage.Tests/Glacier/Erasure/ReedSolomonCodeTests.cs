using CsCheck;
using EPostEdge.Storage.Glacier.Erasure;

namespace EPostEdge.Storage.Tests.Glacier.Erasure;

/// <summary>
/// Glacier §4.2's promise: any m of the n fragments give back the data, and a lost fragment is
/// rebuilt byte for byte. Checked with the processor's best kernel and with the scalar one.
/// </summary>
public sealed class ReedSolomonCodeTests
{
    public static TheoryData<string> Kernels()
    {
        var data = new TheoryData<string> { nameof(ErasureKernel.Scalar) };
        if (GfKernels.Best != ErasureKernel.Scalar)
        {
            data.Add(GfKernels.Best.ToString());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Any_m_of_n_fragments_decode_to_the_data(string kernelName) =>
        Gen.Select(Gen.Int[2, 60], Gen.Int[1, 60], Gen.OneOf(Gen.Int[0, 3], Gen.Int[0, 300], Gen.Int[300, 3000]), Gen.Int).Sample((n, mSeed, length, seed) =>
        {
            var m = 1 + (mSeed % n);
            var code = new ReedSolomonCode(m, n, Enum.Parse<ErasureKernel>(kernelName));
            var random = new Random(seed);
            var fragments = Encode(code, length, random);

            // m or more survivors in random order; the first m are used.
            var survivors = Shuffle(Enumerable.Range(0, n).ToArray(), random)[..random.Next(m, n + 1)];
            var data = Decode(code, fragments, survivors);
            for (var i = 0; i < m; i++)
            {
                Assert.Equal(fragments[i], data[i]);
            }
        }, iter: 300);

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Every_4_of_10_fragments_decode_and_rebuild_the_other_6(string kernelName)
    {
        var code = new ReedSolomonCode(4, 10, Enum.Parse<ErasureKernel>(kernelName));
        var random = new Random(10_4);
        foreach (var length in new[] { 1, 63, 4096 + 17 })
        {
            var fragments = Encode(code, length, random);
            foreach (var survivors in Subsets(10, 4))
            {
                var data = Decode(code, fragments, survivors);
                for (var i = 0; i < 4; i++)
                {
                    Assert.Equal(fragments[i], data[i]);
                }

                AssertRebuilds(code, fragments, survivors, [.. Enumerable.Range(0, 10).Except(survivors)]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Glacier_48_5_decodes_from_random_fives_and_from_parity_alone(string kernelName) =>
        Gen.Select(Gen.Int[0, 5000], Gen.Int, Gen.Bool).Sample((length, seed, parityOnly) =>
        {
            var code = new ReedSolomonCode(5, 48, Enum.Parse<ErasureKernel>(kernelName));
            var random = new Random(seed);
            var fragments = Encode(code, length, random);
            var pool = parityOnly ? Enumerable.Range(5, 43).ToArray() : Enumerable.Range(0, 48).ToArray();
            var survivors = Shuffle(pool, random)[..5];
            var data = Decode(code, fragments, survivors);
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(fragments[i], data[i]);
            }

            AssertRebuilds(code, fragments, survivors, [.. Enumerable.Range(0, 48).Except(survivors)]);
        }, iter: 100);

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Rebuilt_fragments_equal_the_encoded_ones(string kernelName) =>
        Gen.Select(Gen.Int[2, 60], Gen.Int[1, 60], Gen.Int[0, 1500], Gen.Int).Sample((n, mSeed, length, seed) =>
        {
            var m = 1 + (mSeed % n);
            var code = new ReedSolomonCode(m, n, Enum.Parse<ErasureKernel>(kernelName));
            var random = new Random(seed);
            var fragments = Encode(code, length, random);
            var order = Shuffle(Enumerable.Range(0, n).ToArray(), random);
            var survivors = order[..m];

            // Wanted: any fragments in any order, survivors included (those are copies).
            var wanted = Shuffle(Enumerable.Range(0, n).ToArray(), random)[..random.Next(0, n + 1)];
            AssertRebuilds(code, fragments, survivors, wanted);
        }, iter: 300);

    [Fact]
    public void Parity_is_the_Cauchy_combination_of_the_data_as_ISA_L_defines_it() =>
        Gen.Select(Gen.Int[1, 20], Gen.Int[0, 20], Gen.Int[0, 200], Gen.Int).Sample((m, parity, length, seed) =>
        {
            var code = new ReedSolomonCode(m, m + parity);
            var fragments = Encode(code, length, new Random(seed));
            for (var i = m; i < m + parity; i++)
            {
                for (var j = 0; j < m; j++)
                {
                    // gf_gen_cauchy1_matrix: a[i][j] = 1 / (i ^ j).
                    Assert.Equal(GaloisField.Inverse((byte)(i ^ j)), code.GeneratorCoefficient(i, j));
                }

                for (var b = 0; b < length; b++)
                {
                    byte expected = 0;
                    for (var j = 0; j < m; j++)
                    {
                        expected ^= GaloisField.Mul(code.GeneratorCoefficient(i, j), fragments[j][b]);
                    }

                    Assert.Equal(expected, fragments[i][b]);
                }
            }
        });

    [Fact]
    public void Fewer_than_m_fragments_is_an_ArgumentException_that_says_how_many_are_needed()
    {
        var code = new ReedSolomonCode(5, 48);
        var fragments = Encode(code, 100, new Random(1));
        var error = Assert.Throws<ArgumentException>(() => Decode(code, fragments, [0, 7, 9, 40]));
        Assert.Contains("at least 5", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Decode(code, fragments, []));
    }

    [Fact]
    public void Bad_arguments_are_ArgumentExceptions()
    {
        var code = new ReedSolomonCode(2, 4);
        var a = new byte[8];
        var b = new byte[8];
        var p = new byte[8];
        var q = new byte[8];
        var outs = new Memory<byte>[] { new byte[8], new byte[8] };

        // repeated, out of range, and ragged survivors
        Assert.Throws<ArgumentException>(() => code.Decode([1, 1], [a, b], outs));
        Assert.Throws<ArgumentException>(() => code.Decode([0, 4], [a, b], outs));
        Assert.Throws<ArgumentException>(() => code.Decode([0, -1], [a, b], outs));
        Assert.Throws<ArgumentException>(() => code.Decode([0, 1], [a, new byte[7]], outs));
        Assert.Throws<ArgumentException>(() => code.Decode([0, 1], [a], outs));

        // wrong shard counts or lengths when encoding
        Assert.Throws<ArgumentException>(() => code.Encode([a], new Memory<byte>[] { p, q }));
        Assert.Throws<ArgumentException>(() => code.Encode([a, b], new Memory<byte>[] { p }));
        Assert.Throws<ArgumentException>(() => code.Encode([a, b], new Memory<byte>[] { p, new byte[9] }));

        // outputs that overlap inputs or each other
        Assert.Throws<ArgumentException>(() => code.Encode([a, b], new Memory<byte>[] { p, a }));
        Assert.Throws<ArgumentException>(() => code.Encode([a, b], new Memory<byte>[] { p, p }));
        Assert.Throws<ArgumentException>(() => code.ReconstructFragments([2, 3], [p, q], [0, 1], new Memory<byte>[] { p, b }));

        // wanted twice or out of range
        Assert.Throws<ArgumentException>(() => code.ReconstructFragments([2, 3], [p, q], [0, 0], outs));
        Assert.Throws<ArgumentException>(() => code.ReconstructFragments([2, 3], [p, q], [0, 4], outs));

        Assert.Throws<ArgumentOutOfRangeException>(() => new ReedSolomonCode(0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReedSolomonCode(5, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReedSolomonCode(5, 256));
    }

    [Fact]
    public void The_largest_code_255_fragments_decodes_from_parity()
    {
        var code = new ReedSolomonCode(100, 255);
        var random = new Random(255);
        var fragments = Encode(code, 200, random);
        var survivors = Shuffle(Enumerable.Range(100, 155).ToArray(), random)[..100];
        var data = Decode(code, fragments, survivors);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(fragments[i], data[i]);
        }
    }

    [Fact]
    public void Decoding_the_same_survivors_twice_uses_the_cache_and_gives_the_same_data()
    {
        var code = new ReedSolomonCode(5, 48);
        var random = new Random(3);
        var survivorSets = Enumerable.Range(0, 40).Select(_ => Shuffle(Enumerable.Range(0, 48).ToArray(), random)[..5]).ToArray();
        var fragments = Encode(code, 333, random);

        // More sets than the cache holds, twice over, so entries are evicted and found again.
        for (var round = 0; round < 2; round++)
        {
            foreach (var survivors in survivorSets.Concat(survivorSets.Take(3)))
            {
                var data = Decode(code, fragments, survivors);
                for (var i = 0; i < 5; i++)
                {
                    Assert.Equal(fragments[i], data[i]);
                }
            }
        }
    }

    internal static byte[][] Encode(ReedSolomonCode code, int length, Random random)
    {
        var fragments = new byte[code.TotalFragments][];
        for (var i = 0; i < fragments.Length; i++)
        {
            fragments[i] = new byte[length];
            if (i < code.DataFragments)
            {
                random.NextBytes(fragments[i]);
            }
            else
            {
                // Garbage: Encode must overwrite parity.
                Array.Fill(fragments[i], (byte)0x5A);
            }
        }

        code.Encode(
            fragments.Take(code.DataFragments).Select(f => (ReadOnlyMemory<byte>)f).ToArray(),
            fragments.Skip(code.DataFragments).Select(f => (Memory<byte>)f).ToArray());
        return fragments;
    }

    internal static T[] Shuffle<T>(T[] items, Random random)
    {
        random.Shuffle(items);
        return items;
    }

    private static byte[][] Decode(ReedSolomonCode code, byte[][] fragments, int[] survivors)
    {
        var length = fragments[0].Length;
        var data = Enumerable.Range(0, code.DataFragments).Select(_ => Enumerable.Repeat((byte)0xEE, length).ToArray()).ToArray();
        code.Decode(
            survivors,
            survivors.Select(i => (ReadOnlyMemory<byte>)fragments[i]).ToArray(),
            data.Select(d => (Memory<byte>)d).ToArray());
        return data;
    }

    private static void AssertRebuilds(ReedSolomonCode code, byte[][] fragments, int[] survivors, int[] wanted)
    {
        var length = fragments[0].Length;
        var rebuilt = wanted.Select(_ => Enumerable.Repeat((byte)0xEE, length).ToArray()).ToArray();
        code.ReconstructFragments(
            survivors,
            survivors.Select(i => (ReadOnlyMemory<byte>)fragments[i]).ToArray(),
            wanted,
            rebuilt.Select(d => (Memory<byte>)d).ToArray());
        for (var i = 0; i < wanted.Length; i++)
        {
            Assert.Equal(fragments[wanted[i]], rebuilt[i]);
        }
    }

    private static IEnumerable<int[]> Subsets(int n, int k)
    {
        var current = Enumerable.Range(0, k).ToArray();
        while (true)
        {
            yield return (int[])current.Clone();
            var i = k - 1;
            while (i >= 0 && current[i] == n - k + i)
            {
                i--;
            }

            if (i < 0)
            {
                yield break;
            }

            current[i]++;
            for (var j = i + 1; j < k; j++)
            {
                current[j] = current[j - 1] + 1;
            }
        }
    }
}
