using System.Security.Cryptography;

namespace EPostEdge.Overlay.Certificates;

/// <summary>
/// Per-link message authentication: HMAC-SHA256 (RFC 2104) under the link key that
/// <see cref="NodeIdentity.DeriveLinkKey"/> gives both ends, truncated to 128 bits (RFC 2104 §5
/// allows truncation to no less than half the hash; 128 bits is what TLS and IPsec use).
/// </summary>
public static class LinkMac
{
    /// <summary>Bytes in a MAC.</summary>
    public const int Size = 16;

    /// <summary>Writes the MAC of <paramref name="message"/> into the first <see cref="Size"/> bytes of <paramref name="mac16"/>.</summary>
    public static void Compute(ReadOnlySpan<byte> linkKey, ReadOnlySpan<byte> message, Span<byte> mac16)
    {
        if (mac16.Length < Size)
        {
            throw new ArgumentException($"a MAC needs {Size} bytes, got {mac16.Length}", nameof(mac16));
        }

        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(linkKey, message, full);
        full[..Size].CopyTo(mac16);
    }

    /// <summary>Whether <paramref name="mac16"/> is the MAC of <paramref name="message"/>; compares in constant time.</summary>
    public static bool Verify(ReadOnlySpan<byte> linkKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> mac16)
    {
        if (mac16.Length != Size)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[Size];
        Compute(linkKey, message, expected);
        return CryptographicOperations.FixedTimeEquals(expected, mac16);
    }
}
