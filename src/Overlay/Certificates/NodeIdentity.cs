using System.Security.Cryptography;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Seams;
using NSec.Cryptography;

namespace EPostEdge.Overlay.Certificates;

/// <summary>
/// This node's private keys: Ed25519 (its id is the hash of the public half; it signs) and
/// X25519 (link keys with peers), plus its certificate once enrolled. The signing key lives in
/// NSec's protected memory; the X25519 scalar in a pinned array that <see cref="Dispose"/> zeroes
/// (every NSec key is a few mmap'd pages, and the simulator's 10 000 nodes would exhaust the
/// kernel's map count); <see cref="ToString"/> never shows them.
/// </summary>
public sealed class NodeIdentity : IDisposable
{
    /// <summary>The <see cref="Export"/> encoding version.</summary>
    public const byte ExportVersion = 1;

    private const int PrivateKeySize = 32;
    private const int LinkKeySize = 32;

    // HKDF info prefix for link keys (RFC 5869 §3.2: info binds the derived key to its context).
    private static readonly byte[] LinkInfoLabel = "epostedge link v1"u8.ToArray();

    private readonly Key _signing;
    private readonly byte[] _signingPublic;
    private readonly byte[] _agreementPublic;

    // The X25519 private scalar for DeriveLinkKey, in a pinned array (the GC never copies it)
    // that Dispose zeroes.
    private readonly byte[] _agreementScalar = GC.AllocateArray<byte>(PrivateKeySize, pinned: true);
    private NodeCertificate? _certificate;

    private NodeIdentity(Key signing, Key agreement)
    {
        _signing = signing;
        _signingPublic = signing.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        _agreementPublic = agreement.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        if (!agreement.TryExport(KeyBlobFormat.RawPrivateKey, _agreementScalar, out var written) || written != PrivateKeySize)
        {
            throw new CryptographicException("the X25519 private key could not be read");
        }

        Id = NodeId.Hash(_signingPublic);
    }

    /// <summary>The node's id: <c>NodeId.Hash(SigningKey.Span)</c>.</summary>
    public NodeId Id { get; }

    /// <summary>The Ed25519 public key (32 bytes).</summary>
    public ReadOnlyMemory<byte> SigningKey => _signingPublic;

    /// <summary>The X25519 public key (32 bytes).</summary>
    public ReadOnlyMemory<byte> AgreementKey => _agreementPublic;

    /// <summary>The node's certificate, null until enrolled. Setting one for other keys throws.</summary>
    public NodeCertificate? Certificate
    {
        get => _certificate;
        set
        {
            if (value is not null
                && (value.Id != Id
                    || !value.SigningKey.Span.SequenceEqual(_signingPublic)
                    || !value.AgreementKey.Span.SequenceEqual(_agreementPublic)))
            {
                throw new ArgumentException($"certificate {value.Id.ToShortString()} is not for this node's keys ({Id.ToShortString()})", nameof(value));
            }

            _certificate = value;
        }
    }

    internal Key SigningPrivateKey => _signing;

    /// <summary>
    /// A new identity whose private keys are 64 bytes drawn from <paramref name="random"/>, so a
    /// seeded simulator run makes the same nodes every time.
    /// </summary>
    public static NodeIdentity Create(IRandomSource random)
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

    /// <summary>
    /// The Ed25519 signature (64 bytes) of exactly <paramref name="data"/>. Callers prefix a
    /// label of their own, so a signature made for one purpose is never valid for another.
    /// </summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => SignatureAlgorithm.Ed25519.Sign(_signing, data);

    /// <summary>
    /// The 32-byte symmetric key of the link between this node and <paramref name="peer"/>:
    /// HKDF-SHA256 (RFC 5869) over the X25519 shared secret (RFC 7748 §6.1), empty salt, info =
    /// "epostedge link v1" || lower id || higher id, so both ends derive the same key.
    /// </summary>
    /// <exception cref="CryptographicException">The agreement failed (a low-order peer key gives an all-zero secret).</exception>
    public byte[] DeriveLinkKey(NodeCertificate peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer.AgreementKey.Length != PrivateKeySize)
        {
            throw new CryptographicException($"peer {peer.Id.ToShortString()} has no valid X25519 key");
        }

        // libsodium's X25519 straight into a stack buffer: NSec's Agree would put the shared secret
        // in sodium_malloc'd pages (mmap, mprotect, mlock, munmap per call), which cost five times
        // the curve arithmetic — and a node agrees a key with every peer it meets.
        Span<byte> shared = stackalloc byte[PrivateKeySize];
        try
        {
            // RFC 7748 §6.1: libsodium returns -1 for an all-zero secret (a low-order peer key).
            if (Sodium.ScalarMultCurve25519(shared, _agreementScalar, peer.AgreementKey.Span) != 0)
            {
                throw new CryptographicException($"key agreement with {peer.Id.ToShortString()} failed");
            }

            var (low, high) = Id < peer.Id ? (Id, peer.Id) : (peer.Id, Id);
            Span<byte> info = stackalloc byte[LinkInfoLabel.Length + (2 * NodeId.Size)];
            LinkInfoLabel.CopyTo(info);
            low.WriteTo(info[LinkInfoLabel.Length..]);
            high.WriteTo(info[(LinkInfoLabel.Length + NodeId.Size)..]);
            var key = new byte[LinkKeySize];
            HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, key, ReadOnlySpan<byte>.Empty, info);
            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }

    /// <summary>
    /// The private keys and the certificate, if any, for the node's own disk:
    /// version (1) || Ed25519 seed (32) || X25519 private key (32) || has-certificate (0/1) || certificate.
    /// Secret material: the caller stores it with care and zeroes it after use.
    /// </summary>
    public byte[] Export()
    {
        var certificate = _certificate is null ? ReadOnlySpan<byte>.Empty : _certificate.Encoded.Span;
        var exported = new byte[1 + (2 * PrivateKeySize) + 1 + certificate.Length];
        exported[0] = ExportVersion;
        if (!_signing.TryExport(KeyBlobFormat.RawPrivateKey, exported.AsSpan(1, PrivateKeySize), out var written1) || written1 != PrivateKeySize
            || !_agreementScalar.AsSpan().TryCopyTo(exported.AsSpan(1 + PrivateKeySize, PrivateKeySize)))
        {
            CryptographicOperations.ZeroMemory(exported);
            throw new CryptographicException("private key export failed");
        }

        exported[1 + (2 * PrivateKeySize)] = _certificate is null ? (byte)0 : (byte)1;
        certificate.CopyTo(exported.AsSpan(2 + (2 * PrivateKeySize)));
        return exported;
    }

    /// <summary>Rebuilds an identity from <see cref="Export"/>'s bytes.</summary>
    /// <exception cref="FormatException">Not an export of a known version, or the certificate is not for these keys.</exception>
    public static NodeIdentity Import(ReadOnlySpan<byte> exported)
    {
        var reader = new WireReader(exported);
        if (!reader.TryReadByte(out var version) || version != ExportVersion
            || !reader.TryReadBytes(PrivateKeySize, out var signingSeed)
            || !reader.TryReadBytes(PrivateKeySize, out var agreementKey)
            || !reader.TryReadByte(out var hasCertificate) || hasCertificate > 1)
        {
            throw new FormatException("not a node identity export");
        }

        NodeCertificate? certificate = null;
        if (hasCertificate == 1)
        {
            if (!NodeCertificate.TryDecode(reader.Rest, out certificate, out var consumed))
            {
                throw new FormatException("the node identity export holds a malformed certificate");
            }

            reader.Skip(consumed);
        }

        if (!reader.AtEnd)
        {
            throw new FormatException("trailing bytes after a node identity export");
        }

        var identity = FromPrivateKeys(signingSeed, agreementKey);
        try
        {
            identity.Certificate = certificate;
            return identity;
        }
        catch (ArgumentException e)
        {
            identity.Dispose();
            throw new FormatException("the node identity export holds a certificate for other keys", e);
        }
    }

    /// <summary>Erases the private keys.</summary>
    public void Dispose()
    {
        _signing.Dispose();
        CryptographicOperations.ZeroMemory(_agreementScalar);
    }

    /// <summary>The id only; never key material.</summary>
    public override string ToString() => $"NodeIdentity {Id}";

    private static NodeIdentity FromPrivateKeys(ReadOnlySpan<byte> signingSeed, ReadOnlySpan<byte> agreementKey)
    {
        var parameters = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        var signing = Key.Import(SignatureAlgorithm.Ed25519, signingSeed, KeyBlobFormat.RawPrivateKey, in parameters);
        try
        {
            // The X25519 key is imported only to check it and derive its public half; the
            // identity keeps the scalar itself (see the class remarks).
            using var agreement = Key.Import(KeyAgreementAlgorithm.X25519, agreementKey, KeyBlobFormat.RawPrivateKey, in parameters);
            return new NodeIdentity(signing, agreement);
        }
        catch
        {
            signing.Dispose();
            throw;
        }
    }
}
