using System.Buffers.Binary;
using System.Numerics;

namespace EPostEdge.Overlay.Seams;

/// <summary>
/// A deterministic source for the simulator and for tests: xoshiro256** seeded through
/// SplitMix64 (Blackman &amp; Vigna). Its output depends only on the seed, never on the .NET
/// version, so a printed seed replays a run byte for byte on any machine.
/// Not thread-safe: the simulator is single-threaded by design.
/// </summary>
public sealed class SeededRandomSource : IRandomSource
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a source whose whole output is fixed by <paramref name="seed"/>.</summary>
    public SeededRandomSource(ulong seed)
    {
        Seed = seed;
        var x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>The seed this source was created with (print it so a failure can be replayed).</summary>
    public ulong Seed { get; }

    /// <summary>An independent child source, e.g. one per simulated node, derived from this one.</summary>
    public SeededRandomSource Fork() => new(NextUInt64());

    /// <inheritdoc />
    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <inheritdoc />
    public void NextBytes(Span<byte> destination)
    {
        Span<byte> word = stackalloc byte[8];
        while (destination.Length >= 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination, NextUInt64());
            destination = destination[8..];
        }

        if (!destination.IsEmpty)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, NextUInt64());
            word[..destination.Length].CopyTo(destination);
        }
    }

    /// <inheritdoc />
    public int NextInt32(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        // Lemire's multiply-shift with rejection: unbiased and cheap.
        var bound = (ulong)maxExclusive;
        var threshold = (0UL - bound) % bound;
        while (true)
        {
            var r = NextUInt64() >> 32;
            var m = r * bound;
            if ((m & 0xFFFF_FFFF) >= threshold || threshold == 0)
            {
                return (int)(m >> 32);
            }
        }
    }

    /// <inheritdoc />
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    private static ulong SplitMix64(ref ulong x)
    {
        var z = x += 0x9E37_79B9_7F4A_7C15;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB;
        return z ^ (z >> 31);
    }
}
