using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;
using NSec.Cryptography;

namespace EPostEdge.Storage.Post;

/// <summary>
/// POST's secure immutable block (Mislove et al.): the content is encrypted under a fresh
/// random content key, the content key is wrapped for each reader, and the block's key is
/// SHA-256 of the sealed bytes, so storage nodes hold only ciphertext and any holder can check
/// a copy against its key.
/// </summary>
/// <remarks>
/// Format v1 (big-endian):
/// <code>
/// version u8 = 1 | content nonce [24] | wrap count u16 (1..MaxReaders)
/// wrap × count: key id [8] | ephemeral X25519 public key [32] | wrapped content key [32 + 16]
/// ciphertext: XChaCha20-Poly1305(content key, nonce, content, ad = everything before it) [len + 16]
/// </code>
/// Each wrap: ephemeral X25519 with the reader's agreement key (RFC 7748), the shared secret
/// through HKDF-SHA256 (RFC 5869) with both public keys in the info, giving a one-time
/// key-encryption key that AEAD-encrypts the content key. The header is the content AEAD's
/// associated data, so a changed wrap, count or nonce fails every reader (RFC 8439 §2.8).
/// XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha) is used for its 192-bit nonce: random nonces
/// from <see cref="IRandomSource"/> are then safe without a counter.
/// </remarks>
public static class SecureBlock
{
    /// <summary>The format version this build writes and reads.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Most readers one block may be sealed to.</summary>
    public const int MaxReaders = 1024;

    internal const int KeyIdSize = 8;
    private const int ContentKeySize = 32;
    private const int PublicKeySize = 32;
    private const int TagSize = 16;
    private const int NonceSize = 24;
    private const int WrappedKeySize = ContentKeySize + TagSize;
    private const int WrapSize = KeyIdSize + PublicKeySize + WrappedKeySize;
    private const int FixedHeaderSize = 1 + NonceSize + 2;

    private static readonly AeadAlgorithm Aead = AeadAlgorithm.XChaCha20Poly1305;
    private static readonly byte[] WrapInfoLabel = Encoding.ASCII.GetBytes("epost-edge/secure-block/wrap/v1");
    // Every key-encryption key is used exactly once (fresh ephemeral key per wrap), so a fixed
    // nonce is safe (RFC 8439 §2.8 requires only that a (key, nonce) pair never repeats).
    private static readonly byte[] WrapNonce = new byte[NonceSize];
    private static readonly byte[] KeyIdLabel = Encoding.ASCII.GetBytes("epost-edge/secure-block/key-id/v1");

    /// <summary>Bytes a sealed block adds to its content for <paramref name="readerCount"/> readers.</summary>
    public static int Overhead(int readerCount) => FixedHeaderSize + (readerCount * WrapSize) + TagSize;

    /// <summary>The block's storage key: SHA-256 of the sealed bytes (POST: content-hash of the ciphertext).</summary>
    public static BlockKey KeyOf(ReadOnlySpan<byte> sealedBlock) => BlockKey.Of(sealedBlock);

    /// <summary>Seals <paramref name="content"/> so the owner and every one of <paramref name="otherReaders"/> can open it.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> content, UserPublicKeys owner, IEnumerable<UserPublicKeys> otherReaders, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(otherReaders);
        return Seal(content, otherReaders.Prepend(owner), random);
    }

    /// <summary>Seals <paramref name="content"/> so each of <paramref name="readers"/> (at least one; duplicates are dropped) can open it.</summary>
    /// <remarks>POST: the owner is always a reader; pass the owner among <paramref name="readers"/>, or use the overload that takes it.</remarks>
    public static byte[] Seal(ReadOnlySpan<byte> content, IEnumerable<UserPublicKeys> readers, IRandomSource random) =>
        Seal(content, readers, random, default);

    /// <summary>Opens a sealed block as <paramref name="reader"/>.</summary>
    /// <exception cref="SecureBlockOpenException">Malformed, not a reader, or altered.</exception>
    public static byte[] Open(ReadOnlySpan<byte> sealedBlock, UserIdentity reader) => Open(sealedBlock, reader, default);

    /// <summary>Opens a sealed block as <paramref name="reader"/>; false with the reason when it does not open.</summary>
    public static bool TryOpen(ReadOnlySpan<byte> sealedBlock, UserIdentity reader, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? content, out SecureBlockOpenFailure failure) =>
        TryOpen(sealedBlock, reader, default, out content, out failure);

    /// <summary>Seals with extra <paramref name="context"/> bound into the content's associated data (not stored).</summary>
    internal static byte[] Seal(ReadOnlySpan<byte> content, IEnumerable<UserPublicKeys> readers, IRandomSource random, ReadOnlySpan<byte> context)
    {
        ArgumentNullException.ThrowIfNull(readers);
        ArgumentNullException.ThrowIfNull(random);
        var distinct = readers.DistinctBy(r => r.Id).ToList();
        if (distinct.Count is 0 or > MaxReaders)
        {
            throw new ArgumentException($"a block needs 1..{MaxReaders} readers, got {distinct.Count}", nameof(readers));
        }

        var headerSize = FixedHeaderSize + (distinct.Count * WrapSize);
        var output = new byte[headerSize + content.Length + TagSize];
        output[0] = FormatVersion;
        var nonce = output.AsSpan(1, NonceSize);
        random.NextBytes(nonce);
        BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(1 + NonceSize, 2), (ushort)distinct.Count);

        Span<byte> contentKeyBytes = stackalloc byte[ContentKeySize];
        try
        {
            random.NextBytes(contentKeyBytes);
            for (var i = 0; i < distinct.Count; i++)
            {
                WriteWrap(output.AsSpan(FixedHeaderSize + (i * WrapSize), WrapSize), nonce, contentKeyBytes, distinct[i], random);
            }

            var associatedData = Concat(output.AsSpan(0, headerSize), context);
            LibSodium.XChaCha20Poly1305Encrypt(output.AsSpan(headerSize), content, associatedData, nonce, contentKeyBytes);
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contentKeyBytes);
        }
    }

    internal static byte[] Open(ReadOnlySpan<byte> sealedBlock, UserIdentity reader, ReadOnlySpan<byte> context) =>
        TryOpen(sealedBlock, reader, context, out var content, out var failure)
            ? content
            : throw new SecureBlockOpenException(failure);

    internal static bool TryOpen(ReadOnlySpan<byte> sealedBlock, UserIdentity reader, ReadOnlySpan<byte> context, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? content, out SecureBlockOpenFailure failure)
    {
        ArgumentNullException.ThrowIfNull(reader);
        content = null;
        failure = ParseHeader(sealedBlock, out var headerSize, out var wrapCount);
        if (failure != SecureBlockOpenFailure.None)
        {
            return false;
        }

        var nonce = sealedBlock.Slice(1, NonceSize);
        var myAgreementKey = reader.PublicKeys.AgreementKey;
        Span<byte> keyId = stackalloc byte[KeyIdSize];
        Span<byte> contentKeyBytes = stackalloc byte[ContentKeySize];
        failure = SecureBlockOpenFailure.NotAReader;
        try
        {
            for (var i = 0; i < wrapCount; i++)
            {
                var wrap = sealedBlock.Slice(FixedHeaderSize + (i * WrapSize), WrapSize);
                var ephemeral = wrap.Slice(KeyIdSize, PublicKeySize);
                ComputeKeyId(ephemeral, myAgreementKey, keyId);
                if (!CryptographicOperations.FixedTimeEquals(keyId, wrap[..KeyIdSize]))
                {
                    continue;
                }

                // An id match that then fails to unwrap is an altered block, unless a later
                // wrap (an 8-byte id collision) opens.
                failure = SecureBlockOpenFailure.AuthenticationFailed;
                if (!TryUnwrap(wrap, nonce, reader, contentKeyBytes))
                {
                    continue;
                }

                using var contentKey = Key.Import(Aead, contentKeyBytes, KeyBlobFormat.RawSymmetricKey);
                var associatedData = Concat(sealedBlock[..headerSize], context);
                var plaintext = new byte[sealedBlock.Length - headerSize - TagSize];
                if (Aead.Decrypt(contentKey, nonce, associatedData, sealedBlock[headerSize..], plaintext))
                {
                    content = plaintext;
                    failure = SecureBlockOpenFailure.None;
                    return true;
                }

                return false;
            }

            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contentKeyBytes);
        }
    }

    private static SecureBlockOpenFailure ParseHeader(ReadOnlySpan<byte> sealedBlock, out int headerSize, out int wrapCount)
    {
        headerSize = 0;
        wrapCount = 0;
        var reader = new PostReader(sealedBlock);
        if (!reader.TryReadByte(out var version))
        {
            return SecureBlockOpenFailure.Malformed;
        }

        if (version != FormatVersion)
        {
            return SecureBlockOpenFailure.UnsupportedVersion;
        }

        if (!reader.TryReadBytes(NonceSize, out _) || !reader.TryReadUInt16(out var count) || count is 0 or > MaxReaders)
        {
            return SecureBlockOpenFailure.Malformed;
        }

        if (!reader.TryReadBytes(count * WrapSize, out _) || reader.Remaining < TagSize)
        {
            return SecureBlockOpenFailure.Malformed;
        }

        wrapCount = count;
        headerSize = reader.Consumed(sealedBlock);
        return SecureBlockOpenFailure.None;
    }

    // libsodium on stack buffers rather than NSec keys: see LibSodium for why. The bytes are
    // those NSec would produce (TryUnwrap opens them through NSec).
    private static void WriteWrap(Span<byte> wrap, ReadOnlySpan<byte> contentNonce, ReadOnlySpan<byte> contentKey, UserPublicKeys readerKeys, IRandomSource random)
    {
        Span<byte> ephemeralSeed = stackalloc byte[LibSodium.X25519Size];
        Span<byte> shared = stackalloc byte[LibSodium.X25519Size];
        Span<byte> kek = stackalloc byte[LibSodium.XChaChaKeySize];
        try
        {
            random.NextBytes(ephemeralSeed);
            var ephemeralPublic = wrap.Slice(KeyIdSize, PublicKeySize);
            LibSodium.X25519PublicKey(ephemeralPublic, ephemeralSeed);
            ComputeKeyId(ephemeralPublic, readerKeys.AgreementKey, wrap[..KeyIdSize]);
            if (!LibSodium.X25519(shared, ephemeralSeed, readerKeys.AgreementKey))
            {
                throw new CryptographicException("X25519 agreement failed");
            }

            // RFC 5869 §2.2: an empty salt is HashLen zero bytes, as in DeriveWrapKey.
            HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, kek, ReadOnlySpan<byte>.Empty, WrapInfo(ephemeralPublic, readerKeys.AgreementKey));
            LibSodium.XChaCha20Poly1305Encrypt(wrap.Slice(KeyIdSize + PublicKeySize, WrappedKeySize), contentKey, WrapAssociatedData(contentNonce, wrap[..(KeyIdSize + PublicKeySize)]), WrapNonce, kek);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ephemeralSeed);
            CryptographicOperations.ZeroMemory(shared);
            CryptographicOperations.ZeroMemory(kek);
        }
    }

    private static bool TryUnwrap(ReadOnlySpan<byte> wrap, ReadOnlySpan<byte> contentNonce, UserIdentity reader, Span<byte> contentKey)
    {
        var ephemeralBytes = wrap.Slice(KeyIdSize, PublicKeySize);
        if (!PublicKey.TryImport(KeyAgreementAlgorithm.X25519, ephemeralBytes, KeyBlobFormat.RawPublicKey, out var ephemeral))
        {
            return false;
        }

        SharedSecret? shared;
        try
        {
            // RFC 7748 §6.1: a low-order ephemeral point gives an all-zero secret; NSec refuses it.
            shared = KeyAgreementAlgorithm.X25519.Agree(reader.AgreementKey, ephemeral!);
        }
        catch (CryptographicException)
        {
            return false;
        }

        if (shared is null)
        {
            return false;
        }

        using (shared)
        {
            using var kek = DeriveWrapKey(shared, ephemeralBytes, reader.PublicKeys.AgreementKey);
            return Aead.Decrypt(kek, WrapNonce, WrapAssociatedData(contentNonce, wrap[..(KeyIdSize + PublicKeySize)]), wrap.Slice(KeyIdSize + PublicKeySize, WrappedKeySize), contentKey);
        }
    }

    private static Key DeriveWrapKey(SharedSecret shared, ReadOnlySpan<byte> ephemeralPublic, ReadOnlySpan<byte> readerPublic)
    {
        // RFC 5869 §3.2: bind the context (both public keys) in "info" so the derived key is
        // specific to this ephemeral and this reader.
        return KeyDerivationAlgorithm.HkdfSha256.DeriveKey(shared, ReadOnlySpan<byte>.Empty, WrapInfo(ephemeralPublic, readerPublic), Aead);
    }

    private static byte[] WrapInfo(ReadOnlySpan<byte> ephemeralPublic, ReadOnlySpan<byte> readerPublic) =>
        Concat(WrapInfoLabel, ephemeralPublic, readerPublic);

    private static byte[] WrapAssociatedData(ReadOnlySpan<byte> contentNonce, ReadOnlySpan<byte> keyIdAndEphemeral) =>
        Concat([FormatVersion], contentNonce, keyIdAndEphemeral);

    // The key id lets a reader find its wrap without an X25519 per wrap, yet does not name the
    // reader: it is a hash over the wrap's fresh ephemeral key, so only someone testing a
    // candidate public key can link it (weaker than trial decryption, stronger than a bare id).
    private static void ComputeKeyId(ReadOnlySpan<byte> ephemeralPublic, ReadOnlySpan<byte> readerAgreementPublic, Span<byte> destination)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Concat(KeyIdLabel, ephemeralPublic, readerAgreementPublic), hash);
        hash[..KeyIdSize].CopyTo(destination);
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c = default)
    {
        var result = new byte[a.Length + b.Length + c.Length];
        a.CopyTo(result);
        b.CopyTo(result.AsSpan(a.Length));
        c.CopyTo(result.AsSpan(a.Length + b.Length));
        return result;
    }
}
