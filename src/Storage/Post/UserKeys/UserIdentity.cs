using System.Security.Cryptography;
using EPostEdge.Overlay.Seams;
using NSec.Cryptography;

namespace EPostEdge.Storage.Post;

/// <summary>
/// A user's private keys (POST, Mislove et al.: every user holds a signing key pair and an
/// encryption key pair): Ed25519 to sign log heads, X25519 to open blocks sealed to the user.
/// The private bytes live in NSec's protected memory and are exported only to
/// <see cref="KeyBackup"/>; <see cref="ToString"/> shows the public id only.
/// </summary>
public sealed class UserIdentity : IDisposable
{
    /// <summary>Length of each private key (Ed25519 seed, X25519 scalar).</summary>
    public const int PrivateKeySize = 32;

    private readonly Key _signing;
    private readonly Key _agreement;

    private UserIdentity(Key signing, Key agreement)
    {
        _signing = signing;
        _agreement = agreement;
        PublicKeys = UserPublicKeys.FromKeys(signing.PublicKey, agreement.PublicKey);
    }

    /// <summary>The public half, to publish and to seal blocks to.</summary>
    public UserPublicKeys PublicKeys { get; }

    /// <summary>The user's id.</summary>
    public UserId Id => PublicKeys.Id;

    internal Key AgreementKey => _agreement;

    /// <summary>A new identity whose key material is drawn from <paramref name="random"/> (the only source of randomness, so a seeded run is reproducible).</summary>
    public static UserIdentity Create(IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> seeds = stackalloc byte[2 * PrivateKeySize];
        try
        {
            random.NextBytes(seeds);
            return FromPrivateKeys(seeds[..PrivateKeySize], seeds[PrivateKeySize..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seeds);
        }
    }

    /// <summary>Rebuilds an identity from its raw private keys (used by <see cref="KeyBackup"/>).</summary>
    internal static UserIdentity FromPrivateKeys(ReadOnlySpan<byte> signingSeed, ReadOnlySpan<byte> agreementKey)
    {
        var parameters = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        var signing = Key.Import(SignatureAlgorithm.Ed25519, signingSeed, KeyBlobFormat.RawPrivateKey, in parameters);
        try
        {
            var agreement = Key.Import(KeyAgreementAlgorithm.X25519, agreementKey, KeyBlobFormat.RawPrivateKey, in parameters);
            return new UserIdentity(signing, agreement);
        }
        catch
        {
            signing.Dispose();
            throw;
        }
    }

    /// <summary>Writes Ed25519 seed || X25519 private key (64 bytes) into <paramref name="destination"/>; the caller zeroes it after use.</summary>
    internal void ExportPrivateKeys(Span<byte> destination)
    {
        if (!_signing.TryExport(KeyBlobFormat.RawPrivateKey, destination[..PrivateKeySize], out var written1) || written1 != PrivateKeySize
            || !_agreement.TryExport(KeyBlobFormat.RawPrivateKey, destination.Slice(PrivateKeySize, PrivateKeySize), out var written2) || written2 != PrivateKeySize)
        {
            throw new CryptographicException("private key export failed");
        }
    }

    /// <summary>The Ed25519 signature (64 bytes) of exactly <paramref name="message"/>; verify with <see cref="UserPublicKeys.Verify"/>.</summary>
    /// <remarks>Sign domain-separated messages (a fixed prefix per purpose), as <see cref="LogHead"/> does.</remarks>
    public byte[] Sign(ReadOnlySpan<byte> message) => SignatureAlgorithm.Ed25519.Sign(_signing, message);

    /// <summary>Erases the private keys.</summary>
    public void Dispose()
    {
        _signing.Dispose();
        _agreement.Dispose();
    }

    /// <summary>The public id only; never key material.</summary>
    public override string ToString() => $"UserIdentity {Id}";
}
