using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace EPostEdge.Storage.Post;

/// <summary>
/// The few libsodium primitives the seal path calls directly, on caller-owned (stack) buffers.
/// </summary>
/// <remarks>
/// Why not NSec here: every NSec <c>Key</c> and <c>SharedSecret</c> lives in sodium_malloc
/// memory (mmap, guard pages through mprotect, mlock; munmap on dispose), and sealing one block
/// makes four of them. Under SMTP load those syscalls and the TLB shootdowns of each munmap
/// took a large share of the node's CPU. The keys here are one-time values on the stack, zeroed
/// after use. The bytes are the same as NSec's (same library, same functions), so blocks sealed
/// here open through NSec and the other way round. Same native library NSec loads ("libsodium").
/// </remarks>
internal static partial class LibSodium
{
    public const int X25519Size = 32;
    public const int XChaChaKeySize = 32;
    public const int XChaChaNonceSize = 24;
    public const int XChaChaTagSize = 16;

    private const string Library = "libsodium";

    static LibSodium()
    {
        // sodium_init picks the CPU-specific implementations; it is idempotent and thread-safe.
        if (NativeMethods.SodiumInit() < 0)
        {
            throw new CryptographicException("libsodium failed to initialise");
        }
    }

    /// <summary>The X25519 public key of <paramref name="privateKey"/> (RFC 7748 §6.1).</summary>
    public static void X25519PublicKey(Span<byte> publicKey, ReadOnlySpan<byte> privateKey)
    {
        Check(publicKey.Length == X25519Size && privateKey.Length == X25519Size);
        if (NativeMethods.ScalarMultBase(publicKey, privateKey) != 0)
        {
            throw new CryptographicException("X25519 public key derivation failed");
        }
    }

    /// <summary>X25519 shared secret; false when it is all zero (a low-order public key, RFC 7748 §6.1).</summary>
    public static bool X25519(Span<byte> shared, ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey)
    {
        Check(shared.Length == X25519Size && privateKey.Length == X25519Size && publicKey.Length == X25519Size);
        return NativeMethods.ScalarMult(shared, privateKey, publicKey) == 0;
    }

    /// <summary>XChaCha20-Poly1305 (IETF construction) of <paramref name="plaintext"/> into <paramref name="ciphertext"/> (its length + 16).</summary>
    public static void XChaCha20Poly1305Encrypt(Span<byte> ciphertext, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> key)
    {
        Check(ciphertext.Length == plaintext.Length + XChaChaTagSize && nonce.Length == XChaChaNonceSize && key.Length == XChaChaKeySize);
        if (NativeMethods.XChaChaEncrypt(ciphertext, out _, plaintext, (ulong)plaintext.Length, associatedData, (ulong)associatedData.Length, IntPtr.Zero, nonce, key) != 0)
        {
            throw new CryptographicException("XChaCha20-Poly1305 encryption failed");
        }
    }

    private static void Check(bool sizesRight)
    {
        if (!sizesRight)
        {
            throw new ArgumentException("wrong buffer size for a libsodium primitive");
        }
    }

    private static partial class NativeMethods
    {
        [LibraryImport(Library, EntryPoint = "sodium_init")]
        public static partial int SodiumInit();

        [LibraryImport(Library, EntryPoint = "crypto_scalarmult_curve25519_base")]
        public static partial int ScalarMultBase(Span<byte> q, ReadOnlySpan<byte> n);

        [LibraryImport(Library, EntryPoint = "crypto_scalarmult_curve25519")]
        public static partial int ScalarMult(Span<byte> q, ReadOnlySpan<byte> n, ReadOnlySpan<byte> p);

        [LibraryImport(Library, EntryPoint = "crypto_aead_xchacha20poly1305_ietf_encrypt")]
        public static partial int XChaChaEncrypt(Span<byte> c, out ulong clen, ReadOnlySpan<byte> m, ulong mlen, ReadOnlySpan<byte> ad, ulong adlen, IntPtr nsec, ReadOnlySpan<byte> npub, ReadOnlySpan<byte> k);
    }
}
