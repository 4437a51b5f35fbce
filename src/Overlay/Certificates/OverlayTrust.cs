using System.Buffers.Binary;
using System.Security.Cryptography;
using EPostEdge.Overlay.Ids;
using NSec.Cryptography;

namespace EPostEdge.Overlay.Certificates;

/// <summary>
/// What every member of an overlay knows: its founding public key. Decides whether a
/// certificate was issued for this overlay, by the founding key or by a member holding the
/// invite right, so that routing state only ever holds certified ids (Castro et al. §4.2).
/// Thread-safe.
/// </summary>
public sealed class OverlayTrust
{
    /// <summary>Verified certificates remembered; past this the oldest are forgotten.</summary>
    public const int CacheCapacity = 4096;

    private readonly byte[] _foundingKey;
    private readonly PublicKey _foundingPublicKey;

    // Keys are the SHA-256 of a certificate's encoding, so a remembered verdict can only be
    // reused for exactly the bytes that were verified. Only successes are remembered: a failure
    // costs an attacker as much to vary as us to recheck, and must never hide a later success.
    private readonly HashSet<(UInt128, UInt128)> _verified = [];
    private readonly Queue<(UInt128, UInt128)> _verifiedOrder = new();
    private readonly Lock _lock = new();

    /// <summary>Trusts the overlay founded with <paramref name="foundingPublicKey"/> (raw Ed25519, 32 bytes).</summary>
    public OverlayTrust(ReadOnlyMemory<byte> foundingPublicKey)
    {
        if (foundingPublicKey.Length != NodeCertificate.KeySize
            || !PublicKey.TryImport(SignatureAlgorithm.Ed25519, foundingPublicKey.Span, KeyBlobFormat.RawPublicKey, out var key))
        {
            throw new ArgumentException($"a founding key is a {NodeCertificate.KeySize}-byte Ed25519 public key", nameof(foundingPublicKey));
        }

        _foundingKey = foundingPublicKey.ToArray();
        _foundingPublicKey = key!;
        Overlay = NodeId.Hash(_foundingKey);
    }

    /// <summary>The overlay's id: <c>NodeId.Hash(FoundingKey.Span)</c>.</summary>
    public NodeId Overlay { get; }

    /// <summary>The raw founding public key.</summary>
    public ReadOnlyMemory<byte> FoundingKey => _foundingKey;

    /// <summary>Certificates currently remembered as verified (for tests and metrics).</summary>
    public int CachedCount
    {
        get
        {
            lock (_lock)
            {
                return _verified.Count;
            }
        }
    }

    /// <summary>
    /// True only if the certificate is of a known version, for this overlay, its id is the hash
    /// of its signing key, and its signature verifies by the founding key, or by its issuer
    /// whose own certificate is founding-signed and carries the invite right (at most one member
    /// between a certificate and the founding key; a member-issued certificate never carries the
    /// invite right itself). Otherwise false, with <paramref name="reason"/> saying why.
    /// </summary>
    public bool Verify(NodeCertificate certificate, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var key = CacheKey(certificate.Encoded.Span);
        lock (_lock)
        {
            if (_verified.Contains(key))
            {
                reason = null;
                return true;
            }
        }

        reason = Check(certificate);
        if (reason is not null)
        {
            return false;
        }

        Remember(key);
        return true;
    }

    private string? Check(NodeCertificate certificate)
    {
        if (certificate.Version != NodeCertificate.CurrentVersion)
        {
            return $"unknown certificate version {certificate.Version}";
        }

        if (certificate.Overlay != Overlay)
        {
            return $"certificate is for overlay {certificate.Overlay.ToShortString()}, not {Overlay.ToShortString()}";
        }

        if (certificate.Id != NodeId.Hash(certificate.SigningKey.Span))
        {
            return $"id {certificate.Id.ToShortString()} is not the hash of the signing key";
        }

        var issuer = certificate.Issuer;
        if (issuer is null)
        {
            return certificate.SignatureVerifies(_foundingPublicKey) ? null : "signature does not verify by the founding key";
        }

        if (issuer.Issuer is not null)
        {
            return $"issuer chain is {certificate.IssuerDepth} members deep; at most 1 is allowed";
        }

        if (!issuer.MayInvite)
        {
            return $"issuer {issuer.Id.ToShortString()} has no invite right";
        }

        if (certificate.MayInvite)
        {
            return "a member-issued certificate cannot carry the invite right";
        }

        if (!Verify(issuer, out var issuerReason))
        {
            return $"issuer {issuer.Id.ToShortString()} does not verify: {issuerReason}";
        }

        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, issuer.SigningKey.Span, KeyBlobFormat.RawPublicKey, out var issuerKey))
        {
            return "issuer signing key is not an Ed25519 key";
        }

        return certificate.SignatureVerifies(issuerKey!) ? null : $"signature does not verify by issuer {issuer.Id.ToShortString()}";
    }

    private void Remember((UInt128, UInt128) key)
    {
        lock (_lock)
        {
            if (!_verified.Add(key))
            {
                return;
            }

            _verifiedOrder.Enqueue(key);
            while (_verifiedOrder.Count > CacheCapacity)
            {
                _verified.Remove(_verifiedOrder.Dequeue());
            }
        }
    }

    private static (UInt128, UInt128) CacheKey(ReadOnlySpan<byte> encoded)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(encoded, hash);
        return (
            BinaryPrimitives.ReadUInt128LittleEndian(hash),
            BinaryPrimitives.ReadUInt128LittleEndian(hash[16..]));
    }
}
