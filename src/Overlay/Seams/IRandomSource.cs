namespace EPostEdge.Overlay.Seams;

/// <summary>
/// The one way any code in the node draws randomness (ARCHITECTURE.md "The seams").
/// The real node passes an OS-seeded source; the simulator passes one seeded source per run,
/// so a run is a pure function of (code, seed, scenario).
/// </summary>
/// <remarks>
/// Secrets (keys, nonces) also come from here: in the real node the source is backed by the
/// OS's cryptographic generator, so they are as strong as <c>RandomNumberGenerator</c>;
/// under the simulator they are reproducible, which is what a replay needs.
/// </remarks>
public interface IRandomSource
{
    /// <summary>Fills <paramref name="destination"/> with random bytes.</summary>
    void NextBytes(Span<byte> destination);

    /// <summary>A uniformly distributed 64-bit value.</summary>
    ulong NextUInt64();

    /// <summary>A uniformly distributed integer in [0, <paramref name="maxExclusive"/>).</summary>
    int NextInt32(int maxExclusive);

    /// <summary>A uniformly distributed double in [0, 1).</summary>
    double NextDouble();
}
