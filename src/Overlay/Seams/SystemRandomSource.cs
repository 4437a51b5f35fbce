using System.Buffers.Binary;
using System.Security.Cryptography;

namespace EPostEdge.Overlay.Seams;

/// <summary>
/// The real node's source: the operating system's cryptographic generator. Safe for keys and
/// nonces, and thread-safe.
/// </summary>
public sealed class SystemRandomSource : IRandomSource
{
    /// <summary>The one instance the real node passes around.</summary>
    public static SystemRandomSource Instance { get; } = new();

    private SystemRandomSource()
    {
    }

    /// <inheritdoc />
    public void NextBytes(Span<byte> destination) => RandomNumberGenerator.Fill(destination);

    /// <inheritdoc />
    public ulong NextUInt64()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    /// <inheritdoc />
    public int NextInt32(int maxExclusive) => RandomNumberGenerator.GetInt32(maxExclusive);

    /// <inheritdoc />
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));
}
