using System.Security.Cryptography;

namespace EPostEdge.Storage.Post;

/// <summary>
/// A user's name in POST: SHA-256 of the Ed25519 signing public key. Self-certifying (POST,
/// Mislove et al.): whoever holds the public keys can check they belong to the id, so heads
/// and blocks never need a directory to be trusted.
/// </summary>
public readonly record struct UserId : IComparable<UserId>
{
    /// <summary>Id length in bytes.</summary>
    public const int Size = 32;

    private readonly ReadOnlyMemory<byte> _bytes;

    /// <summary>Wraps 32 id bytes (copied).</summary>
    public UserId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"a user id is {Size} bytes, got {bytes.Length}", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>The 32 id bytes.</summary>
    public ReadOnlySpan<byte> Span => _bytes.Span;

    /// <summary>The id of the user whose Ed25519 signing public key is <paramref name="signingPublicKey"/>.</summary>
    public static UserId Of(ReadOnlySpan<byte> signingPublicKey)
    {
        Span<byte> hash = stackalloc byte[Size];
        SHA256.HashData(signingPublicKey, hash);
        return new UserId(hash);
    }

    /// <summary>Parses 64 hex digits.</summary>
    public static UserId Parse(string hex) => new(Convert.FromHexString(hex));

    /// <inheritdoc />
    public bool Equals(UserId other) => Span.SequenceEqual(other.Span);

    /// <inheritdoc />
    public override int GetHashCode() => _bytes.Length < 4 ? 0 : BitConverter.ToInt32(Span[..4]);

    /// <inheritdoc />
    public int CompareTo(UserId other) => Span.SequenceCompareTo(other.Span);

    /// <summary>Lower-case hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(Span);

    /// <summary>Ordering operator.</summary>
    public static bool operator <(UserId left, UserId right) => left.CompareTo(right) < 0;

    /// <summary>Ordering operator.</summary>
    public static bool operator >(UserId left, UserId right) => left.CompareTo(right) > 0;

    /// <summary>Ordering operator.</summary>
    public static bool operator <=(UserId left, UserId right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering operator.</summary>
    public static bool operator >=(UserId left, UserId right) => left.CompareTo(right) >= 0;
}
