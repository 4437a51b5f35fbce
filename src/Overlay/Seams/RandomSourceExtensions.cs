namespace EPostEdge.Overlay.Seams;

/// <summary>Derived draws shared by every <see cref="IRandomSource"/>.</summary>
public static class RandomSourceExtensions
{
    /// <summary>A uniformly distributed integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    public static int NextInt32(this IRandomSource random, int minInclusive, int maxExclusive)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(minInclusive, maxExclusive);
        return minInclusive + random.NextInt32(maxExclusive - minInclusive);
    }

    /// <summary>A fresh array of <paramref name="count"/> random bytes.</summary>
    public static byte[] NextBytes(this IRandomSource random, int count)
    {
        ArgumentNullException.ThrowIfNull(random);
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
