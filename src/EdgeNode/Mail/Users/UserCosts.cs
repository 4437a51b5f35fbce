using EPostEdge.Storage.Post;

namespace EPostEdge.EdgeNode.Mail.Users;

/// <summary>Argon2id costs of the directory: the login hash and the passphrase-sealed key backup. Tests lower them.</summary>
/// <param name="PasswordMemoryKiB">Login hash memory (RFC 9106 m).</param>
/// <param name="PasswordPasses">Login hash passes (RFC 9106 t).</param>
/// <param name="Backup">Cost of DATA/keys/NAME.epkb (the portable backup, as <c>identity create</c> writes it).</param>
public sealed record UserCosts(long PasswordMemoryKiB, int PasswordPasses, KeyBackupParameters Backup)
{
    /// <summary>OWASP's Argon2id minimum for logins, the key backup's own default for the backup.</summary>
    public static UserCosts Default { get; } = new(PasswordHash.Default.MemorySizeKiB, PasswordHash.Default.NumberOfPasses, KeyBackupParameters.Default);

    /// <summary>The cheapest costs libsodium allows: for tests only.</summary>
    public static UserCosts Minimal { get; } = new(KeyBackupParameters.MinMemorySizeKiB, 1, new KeyBackupParameters(KeyBackupParameters.MinMemorySizeKiB, 1));
}
