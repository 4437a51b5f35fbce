using System.Buffers.Binary;
using System.Security.Cryptography;
using EPostEdge.Overlay.Seams;
using NSec.Cryptography;

namespace EPostEdge.Storage.Post;

/// <summary>
/// A user's private keys sealed under a passphrase, so lost key material is recoverable
/// (ePOST's lesson: users lost keys with their disks). Argon2id (RFC 9106) turns the passphrase
/// and a random salt into a key for XChaCha20-Poly1305 over the two private keys.
/// </summary>
/// <remarks>
/// Format v1 (big-endian):
/// <code>
/// magic "EPKB" | version u8 = 1 | memory KiB u32 | passes u32 | parallelism u8 = 1 | salt [16]
/// | nonce [24] | public keys [64] | ciphertext of (Ed25519 seed [32] || X25519 key [32]) [64 + 16]
/// </code>
/// Everything before the ciphertext is the AEAD's associated data, so altered parameters or
/// public keys fail like a wrong passphrase. The public keys are readable without the passphrase
/// (<see cref="ReadPublicKeys"/>) so a user can see whose backup a file is.
/// </remarks>
public static class KeyBackup
{
    /// <summary>The format version this build writes and reads.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Salt length (RFC 9106 §3.1 recommends 16 bytes).</summary>
    public const int SaltSize = 16;

    private const int NonceSize = 24;
    private const int SecretSize = 2 * UserIdentity.PrivateKeySize;
    private const int TagSize = 16;
    private const int HeaderSize = 4 + 1 + 4 + 4 + 1 + SaltSize + NonceSize + UserPublicKeys.EncodedSize;

    /// <summary>Length of every v1 backup.</summary>
    public const int EncodedSize = HeaderSize + SecretSize + TagSize;

    private static readonly AeadAlgorithm Aead = AeadAlgorithm.XChaCha20Poly1305;
    private static ReadOnlySpan<byte> Magic => "EPKB"u8;

    /// <summary>Seals <paramref name="identity"/>'s private keys under <paramref name="passphrase"/> with the default cost.</summary>
    public static byte[] Seal(UserIdentity identity, string passphrase, IRandomSource random) =>
        Seal(identity, passphrase, KeyBackupParameters.Default, random);

    /// <summary>Seals <paramref name="identity"/>'s private keys under <paramref name="passphrase"/> with the given Argon2id cost.</summary>
    /// <exception cref="ArgumentException">Empty passphrase or parameters out of range.</exception>
    public static byte[] Seal(UserIdentity identity, string passphrase, KeyBackupParameters parameters, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        ArgumentNullException.ThrowIfNull(random);
        if (!parameters.IsValid)
        {
            throw new ArgumentException($"Argon2id cost out of range: {parameters}", nameof(parameters));
        }

        var backup = new byte[EncodedSize];
        var header = backup.AsSpan(0, HeaderSize);
        Magic.CopyTo(header);
        header[4] = FormatVersion;
        BinaryPrimitives.WriteUInt32BigEndian(header[5..], (uint)parameters.MemorySizeKiB);
        BinaryPrimitives.WriteUInt32BigEndian(header[9..], (uint)parameters.NumberOfPasses);
        header[13] = 1;
        var salt = header.Slice(14, SaltSize);
        var nonce = header.Slice(14 + SaltSize, NonceSize);
        random.NextBytes(salt);
        random.NextBytes(nonce);
        identity.PublicKeys.Encode(header.Slice(14 + SaltSize + NonceSize, UserPublicKeys.EncodedSize));

        Span<byte> secret = stackalloc byte[SecretSize];
        try
        {
            identity.ExportPrivateKeys(secret);
            using var key = DeriveKey(passphrase, salt, parameters);
            Aead.Encrypt(key, nonce, header, secret, backup.AsSpan(HeaderSize));
            return backup;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>The public keys of the identity a backup holds (no passphrase needed; not authenticated until <see cref="Restore"/>).</summary>
    /// <exception cref="PostFormatException">Not a v1 key backup.</exception>
    public static UserPublicKeys ReadPublicKeys(ReadOnlySpan<byte> backup)
    {
        ParseHeader(backup, out _);
        return UserPublicKeys.Decode(backup.Slice(14 + SaltSize + NonceSize, UserPublicKeys.EncodedSize));
    }

    /// <summary>Restores the identity sealed in <paramref name="backup"/>.</summary>
    /// <exception cref="PostFormatException">Not a v1 key backup, or its cost parameters are out of range.</exception>
    /// <exception cref="WrongPassphraseException">Wrong passphrase, or the file was altered.</exception>
    public static UserIdentity Restore(ReadOnlySpan<byte> backup, string passphrase)
    {
        ArgumentNullException.ThrowIfNull(passphrase);
        ParseHeader(backup, out var parameters);
        var header = backup[..HeaderSize];
        var expectedKeys = UserPublicKeys.Decode(header.Slice(14 + SaltSize + NonceSize, UserPublicKeys.EncodedSize));

        Span<byte> secret = stackalloc byte[SecretSize];
        try
        {
            using (var key = DeriveKey(passphrase, header.Slice(14, SaltSize), parameters))
            {
                if (!Aead.Decrypt(key, header.Slice(14 + SaltSize, NonceSize), header, backup[HeaderSize..], secret))
                {
                    throw new WrongPassphraseException();
                }
            }

            var identity = UserIdentity.FromPrivateKeys(secret[..UserIdentity.PrivateKeySize], secret[UserIdentity.PrivateKeySize..]);
            if (!identity.PublicKeys.Equals(expectedKeys))
            {
                // Authenticated yet inconsistent: only a faulty sealer could write this.
                identity.Dispose();
                throw new PostFormatException("key backup: the private keys do not match the public keys it names");
            }

            return identity;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private static void ParseHeader(ReadOnlySpan<byte> backup, out KeyBackupParameters parameters)
    {
        var reader = new PostReader(backup);
        if (!reader.TryReadBytes(4, out var magic) || !magic.SequenceEqual(Magic))
        {
            throw new PostFormatException("not a key backup (no EPKB magic)");
        }

        if (!reader.TryReadByte(out var version) || version != FormatVersion)
        {
            throw new PostFormatException("key backup: unsupported format version");
        }

        if (!reader.TryReadUInt32(out var memory) || !reader.TryReadUInt32(out var passes) || !reader.TryReadByte(out var parallelism))
        {
            throw new PostFormatException("key backup: truncated parameters");
        }

        parameters = new KeyBackupParameters(memory, passes > int.MaxValue ? 0 : (int)passes);
        if (!parameters.IsValid || parallelism != 1)
        {
            throw new PostFormatException($"key backup: Argon2id parameters out of range ({parameters}, parallelism {parallelism})");
        }

        if (backup.Length != EncodedSize)
        {
            throw new PostFormatException($"key backup: {backup.Length} bytes, a v1 backup is {EncodedSize}");
        }
    }

    private static Key DeriveKey(string passphrase, ReadOnlySpan<byte> salt, KeyBackupParameters parameters)
    {
        // RFC 9106 §3.1: Argon2id(passphrase, salt, p, T = 32, m, t). NSec passes the string as UTF-8.
        var argon = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = 1,
            MemorySize = parameters.MemorySizeKiB,
            NumberOfPasses = parameters.NumberOfPasses,
        });
        return argon.DeriveKey(passphrase, salt, Aead);
    }
}
