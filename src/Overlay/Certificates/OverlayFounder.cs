using System.Net;
using System.Security.Cryptography;
using EPostEdge.Overlay.Seams;
using NSec.Cryptography;

namespace EPostEdge.Overlay.Certificates;

/// <summary>
/// The overlay's founding key (the certifying authority of Castro et al. §4.2, held by the node
/// that created the overlay rather than by a central server). Its public half is the
/// <see cref="OverlayTrust"/> every member holds; the overlay's id is the hash of it.
/// </summary>
public sealed class OverlayFounder : IDisposable
{
    /// <summary>The <see cref="Export"/> encoding version.</summary>
    public const byte ExportVersion = 1;

    private const int SeedSize = 32;

    private readonly Key _founding;

    private OverlayFounder(Key founding)
    {
        _founding = founding;
        Trust = new OverlayTrust(founding.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>What members of this overlay trust: the founding public key.</summary>
    public OverlayTrust Trust { get; }

    internal Key FoundingPrivateKey => _founding;

    /// <summary>A new overlay's founding key, its 32-byte Ed25519 seed drawn from <paramref name="random"/>.</summary>
    public static OverlayFounder Create(IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> seed = stackalloc byte[SeedSize];
        try
        {
            random.NextBytes(seed);
            return FromSeed(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>A founding-signed certificate for the node with these public keys at <paramref name="endPoint"/>.</summary>
    public NodeCertificate Issue(ReadOnlyMemory<byte> signingKey, ReadOnlyMemory<byte> agreementKey, IPEndPoint endPoint, bool mayInvite) =>
        NodeCertificate.Create(Trust.Overlay, signingKey.Span, agreementKey.Span, endPoint, mayInvite, issuer: null, _founding);

    /// <summary>version (1) || Ed25519 seed (32). Secret material: the caller stores it with care.</summary>
    public byte[] Export()
    {
        var exported = new byte[1 + SeedSize];
        exported[0] = ExportVersion;
        if (!_founding.TryExport(KeyBlobFormat.RawPrivateKey, exported.AsSpan(1), out var written) || written != SeedSize)
        {
            CryptographicOperations.ZeroMemory(exported);
            throw new CryptographicException("founding key export failed");
        }

        return exported;
    }

    /// <summary>Rebuilds the founder from <see cref="Export"/>'s bytes.</summary>
    /// <exception cref="FormatException">Not an export of a known version.</exception>
    public static OverlayFounder Import(ReadOnlySpan<byte> exported)
    {
        if (exported.Length != 1 + SeedSize || exported[0] != ExportVersion)
        {
            throw new FormatException("not an overlay founder export");
        }

        return FromSeed(exported[1..]);
    }

    /// <summary>Erases the founding key.</summary>
    public void Dispose() => _founding.Dispose();

    /// <summary>The overlay id only; never key material.</summary>
    public override string ToString() => $"OverlayFounder {Trust.Overlay}";

    private static OverlayFounder FromSeed(ReadOnlySpan<byte> seed)
    {
        var parameters = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, in parameters);
        return new OverlayFounder(key);
    }
}
