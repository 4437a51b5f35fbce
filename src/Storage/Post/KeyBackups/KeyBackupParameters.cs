namespace EPostEdge.Storage.Post;

/// <summary>
/// Argon2id cost of a <see cref="KeyBackup"/> (RFC 9106). Stored in the backup, so a restore
/// always uses what sealed it. Parallelism is fixed at 1 (libsodium's Argon2id, which NSec
/// wraps, supports only p = 1).
/// </summary>
/// <param name="MemorySizeKiB">Memory in KiB (RFC 9106 m).</param>
/// <param name="NumberOfPasses">Passes over memory (RFC 9106 t).</param>
public readonly record struct KeyBackupParameters(long MemorySizeKiB, int NumberOfPasses)
{
    /// <summary>Smallest memory cost accepted (libsodium's floor; for tests only).</summary>
    public const long MinMemorySizeKiB = 8;

    /// <summary>Largest memory cost accepted on restore, so a forged file cannot make the node allocate without bound.</summary>
    public const long MaxMemorySizeKiB = 1L << 20;

    /// <summary>Most passes accepted on restore, for the same reason.</summary>
    public const int MaxNumberOfPasses = 64;

    /// <summary>
    /// The node's default: 64 MiB, 3 passes. RFC 9106 §4's second recommended option (for
    /// memory-constrained settings) is t = 3, m = 64 MiB; we keep those with p = 1. On a Pi Zero
    /// 2W (512 MB RAM, four Cortex-A53 cores) 64 MiB is a brief, rare allocation that fits beside
    /// the node's own budget, and a derivation takes about a second (estimated from ~0.11 s on an
    /// x86 core; not measured on the board). Each guess costs an attacker the same.
    /// </summary>
    public static KeyBackupParameters Default { get; } = new(64 * 1024, 3);

    /// <summary>Whether the values are within what this build will seal or restore.</summary>
    public bool IsValid =>
        MemorySizeKiB is >= MinMemorySizeKiB and <= MaxMemorySizeKiB && NumberOfPasses is >= 1 and <= MaxNumberOfPasses;
}
