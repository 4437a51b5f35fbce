using CsCheck;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Past;

namespace EPostEdge.Storage.Tests.Past;

public sealed class BloomFilterTests
{
    [Fact]
    public void Every_added_key_is_found_after_a_round_trip_and_few_others_are()
    {
        Gen.Select(Gen.ULong, Gen.Int[1, 400]).Sample((salt, count) =>
        {
            var filter = new BloomFilter(count, salt);
            var keys = Enumerable.Range(0, count).Select(i => BlockKey.Of(BitConverter.GetBytes(salt + (ulong)i))).ToList();
            keys.ForEach(k => filter.Add(k.Span));
            var decoded = BloomFilter.TryDecode(filter.Encode())!;
            Assert.All(keys, k => Assert.True(decoded.MayContain(k.Span)));
        });

        // 10 bits and 7 probes per key: about 1 % false positives.
        var big = new BloomFilter(1000, 42);
        for (var i = 0; i < 1000; i++)
        {
            big.Add(BlockKey.Of(BitConverter.GetBytes(i)).Span);
        }

        var falsePositives = Enumerable.Range(1000, 10_000).Count(i => big.MayContain(BlockKey.Of(BitConverter.GetBytes(i)).Span));
        Assert.InRange(falsePositives, 1, 300);
    }
}
