using System.Runtime.InteropServices;

namespace EPostEdge.Overlay.Certificates;

/// <summary>
/// The one libsodium call NSec does not expose without secure-memory allocation: raw X25519.
/// The library is the one NSec ships and has initialised (sodium_init) before any key exists.
/// </summary>
internal static partial class Sodium
{
    /// <summary>q = n · p on Curve25519 (RFC 7748 §5); returns -1 when q is all zeros.</summary>
    [LibraryImport("libsodium", EntryPoint = "crypto_scalarmult_curve25519")]
    internal static partial int ScalarMultCurve25519(Span<byte> q, ReadOnlySpan<byte> n, ReadOnlySpan<byte> p);
}
