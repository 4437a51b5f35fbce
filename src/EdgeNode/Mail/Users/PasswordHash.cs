using System.Security.Cryptography;
using EPostEdge.Overlay.Seams;
using NSec.Cryptography;

namespace EPostEdge.EdgeNode.Mail.Users;

/// <summary>
/// An Argon2id password hash (RFC 9106) with the parameters that made it, so a later change of
/// the default cost still verifies old hashes.
/// </summary>
/// <param name="MemorySizeKiB">RFC 9106 m.</param>
/// <param name="NumberOfPasses">RFC 9106 t (parallelism is always 1: libsodium's Argon2id).</param>
/// <param name="Salt">16 random bytes.</param>
/// <param name="Hash">32-byte tag.</param>
internal sealed record PasswordHash(long MemorySizeKiB, int NumberOfPasses, byte[] Salt, byte[] Hash)
{
    public const int SaltSize = 16;
    public const int HashSize = 32;

    /// <summary>
    /// OWASP's password-storage minimum for Argon2id: 19 MiB, 2 passes, 1 lane. On a Pi Zero 2W
    /// that is a fraction of a second and a brief 19 MiB allocation (one at a time: see
    /// <see cref="UserDirectory"/>), which the credential cache keeps off the hot path.
    /// </summary>
    public static (long MemorySizeKiB, int NumberOfPasses) Default { get; } = (19 * 1024, 2);

    public static PasswordHash Create(string password, long memorySizeKiB, int numberOfPasses, IRandomSource random)
    {
        var salt = new byte[SaltSize];
        random.NextBytes(salt);
        return new PasswordHash(memorySizeKiB, numberOfPasses, salt, Derive(password, salt, memorySizeKiB, numberOfPasses));
    }

    public bool Verify(string password)
    {
        var candidate = Derive(password, Salt, MemorySizeKiB, NumberOfPasses);
        return CryptographicOperations.FixedTimeEquals(candidate, Hash);
    }

    /// <summary>Whether stored parameters are within what this build computes (a forged file cannot make the node allocate without bound).</summary>
    public bool IsValid =>
        MemorySizeKiB is >= 8 and <= 1L << 20 && NumberOfPasses is >= 1 and <= 64 && Salt.Length == SaltSize && Hash.Length == HashSize;

    private static byte[] Derive(string password, ReadOnlySpan<byte> salt, long memorySizeKiB, int numberOfPasses)
    {
        var argon = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = 1,
            MemorySize = memorySizeKiB,
            NumberOfPasses = numberOfPasses,
        });
        return argon.DeriveBytes(password, salt, HashSize);
    }
}
