using System.Security.Cryptography;

namespace EPostEdge.Storage.Blocks;

/// <summary>
/// The key of an immutable block: SHA-256 of its stored bytes (POST: blocks are
/// self-certifying, so any holder can check a block against its key).
/// </summary>
public readonly record struct BlockKey : IComparable<BlockKey>
{
    /// <summary>Key length in bytes.</summary>
    public const int Size = 32;

    private readonly ReadOnlyMemory<byte> _bytes;

    /// <summary>Wraps 32 key bytes (copied).</summary>
    public BlockKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"a block key is {Size} bytes, got {bytes.Length}", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>The 32 key bytes.</summary>
    public ReadOnlySpan<byte> Span => _bytes.Span;

    /// <summary>The key of <paramref name="content"/>: SHA-256 of exactly these bytes.</summary>
    public static BlockKey Of(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[Size];
        SHA256.HashData(content, hash);
        return new BlockKey(hash);
    }

    /// <summary>Parses 64 hex digits.</summary>
    public static BlockKey Parse(string hex) => new(Convert.FromHexString(hex));

    /// <summary>Whether <paramref name="content"/> hashes to this key.</summary>
    public bool Matches(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[Size];
        SHA256.HashData(content, hash);
        return CryptographicOperations.FixedTimeEquals(hash, Span);
    }

    /// <inheritdoc />
    public bool Equals(BlockKey other) => Span.SequenceEqual(other.Span);

    /// <inheritdoc />
    public override int GetHashCode() => BitConverter.ToInt32(Span[..4]);

    /// <inheritdoc />
    public int CompareTo(BlockKey other) => Span.SequenceCompareTo(other.Span);

    /// <summary>Lower-case hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(Span);

    /// <summary>Ordering operator.</summary>
    public static bool operator <(BlockKey left, BlockKey right) => left.CompareTo(right) < 0;

    /// <summary>Ordering operator.</summary>
    public static bool operator >(BlockKey left, BlockKey right) => left.CompareTo(right) > 0;

    /// <summary>Ordering operator.</summary>
    public static bool operator <=(BlockKey left, BlockKey right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering operator.</summary>
    public static bool operator >=(BlockKey left, BlockKey right) => left.CompareTo(right) >= 0;
}
