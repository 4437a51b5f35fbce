using NSec.Cryptography;

namespace EPostEdge.Storage.Post;

/// <summary>
/// A user's public half: the Ed25519 key that signs the user's log heads and the X25519 key
/// that blocks are sealed to. Encoded as 32 + 32 raw bytes; the <see cref="Id"/> is derived
/// from the signing key.
/// </summary>
public sealed class UserPublicKeys : IEquatable<UserPublicKeys>
{
    /// <summary>Length of one raw public key.</summary>
    public const int KeySize = 32;

    /// <summary>Length of <see cref="Encode"/>'s output: signing key then agreement key.</summary>
    public const int EncodedSize = 2 * KeySize;

    /// <summary>Length of an Ed25519 signature.</summary>
    public const int SignatureSize = 64;

    private readonly byte[] _encoded;

    private UserPublicKeys(byte[] encoded, PublicKey signing, PublicKey agreement)
    {
        _encoded = encoded;
        SigningPublicKey = signing;
        AgreementPublicKey = agreement;
        Id = UserId.Of(encoded.AsSpan(0, KeySize));
    }

    /// <summary>The user's id: SHA-256 of <see cref="SigningKey"/>.</summary>
    public UserId Id { get; }

    /// <summary>The raw Ed25519 signing public key.</summary>
    public ReadOnlySpan<byte> SigningKey => _encoded.AsSpan(0, KeySize);

    /// <summary>The raw X25519 key-agreement public key.</summary>
    public ReadOnlySpan<byte> AgreementKey => _encoded.AsSpan(KeySize, KeySize);

    internal PublicKey SigningPublicKey { get; }

    internal PublicKey AgreementPublicKey { get; }

    /// <summary>The 64-byte encoding: signing key then agreement key.</summary>
    public byte[] Encode() => (byte[])_encoded.Clone();

    /// <summary>Writes the 64-byte encoding into <paramref name="destination"/>.</summary>
    public void Encode(Span<byte> destination) => _encoded.CopyTo(destination);

    /// <summary>Decodes the 64-byte encoding.</summary>
    /// <exception cref="PostFormatException">Not 64 bytes, or not valid public keys.</exception>
    public static UserPublicKeys Decode(ReadOnlySpan<byte> encoded) =>
        TryDecode(encoded, out var keys)
            ? keys
            : throw new PostFormatException($"user public keys are {EncodedSize} bytes of valid Ed25519 and X25519 keys (got {encoded.Length} bytes)");

    /// <summary>Decodes the 64-byte encoding; false when it is not one.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UserPublicKeys? keys)
    {
        keys = null;
        if (encoded.Length != EncodedSize
            || !PublicKey.TryImport(SignatureAlgorithm.Ed25519, encoded[..KeySize], KeyBlobFormat.RawPublicKey, out var signing)
            || !PublicKey.TryImport(KeyAgreementAlgorithm.X25519, encoded[KeySize..], KeyBlobFormat.RawPublicKey, out var agreement))
        {
            return false;
        }

        keys = new UserPublicKeys(encoded.ToArray(), signing!, agreement!);
        return true;
    }

    internal static UserPublicKeys FromKeys(PublicKey signing, PublicKey agreement)
    {
        var encoded = new byte[EncodedSize];
        signing.Export(KeyBlobFormat.RawPublicKey).CopyTo(encoded, 0);
        agreement.Export(KeyBlobFormat.RawPublicKey).CopyTo(encoded, KeySize);
        return new UserPublicKeys(encoded, signing, agreement);
    }

    /// <summary>Whether <paramref name="signature"/> is this user's Ed25519 signature of exactly <paramref name="message"/>.</summary>
    /// <remarks>Callers sign domain-separated messages (a fixed prefix per purpose) so a signature made for one purpose is never valid for another.</remarks>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureSize && SignatureAlgorithm.Ed25519.Verify(SigningPublicKey, message, signature);

    /// <inheritdoc />
    public bool Equals(UserPublicKeys? other) => other is not null && _encoded.AsSpan().SequenceEqual(other._encoded);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as UserPublicKeys);

    /// <inheritdoc />
    public override int GetHashCode() => Id.GetHashCode();

    /// <summary>The user id in hex.</summary>
    public override string ToString() => Id.ToString();
}
