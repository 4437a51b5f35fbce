using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Storage.Blocks;
using NSec.Cryptography;

namespace EPostEdge.Storage.Glacier;

/// <summary>
/// Glacier §4.2's manifest: what an erasure-coded object is (its key, length and code) and the root
/// of the hash tree over its n fragments, signed by the node that encoded it. A holder checks its
/// fragment against the root (via the fragment's tree path) and the root against the signature, so
/// a corrupt or forged fragment is refused at store time and skipped at read time.
/// </summary>
/// <remarks>
/// Encoding (big-endian), 164 bytes: format (1) = 1 for an object that also has PAST replicas,
/// 2 for an aggregate of small objects (which has none) | object key (32) | object length (u32) |
/// n (1) | m (1) | tree root (32) | signer's Ed25519 public key (32) | signature (64) over
/// ("epost-edge/glacier-manifest/v1" || the bytes before the signature).
/// </remarks>
public sealed class FragmentManifest
{
    /// <summary>Encoded size in bytes.</summary>
    public const int Size = 1 + BlockKey.Size + 4 + 1 + 1 + MerkleTree.HashSize + 32 + 64;

    private const byte Format = 1;
    private const byte AggregateFormat = 2;
    private const int SignedSize = Size - 64;
    private static readonly byte[] Domain = "epost-edge/glacier-manifest/v1"u8.ToArray();

    private readonly byte[] _encoded;

    private FragmentManifest(byte[] encoded)
    {
        _encoded = encoded;
        ObjectKey = new BlockKey(encoded.AsSpan(1, BlockKey.Size));
        ObjectLength = (int)BinaryPrimitives.ReadUInt32BigEndian(encoded.AsSpan(33));
        Total = encoded[37];
        Needed = encoded[38];
        IsAggregate = encoded[0] == AggregateFormat;
    }

    /// <summary>The object is an aggregate of small objects (Glacier §4.3): it has no primary replicas of its own.</summary>
    public bool IsAggregate { get; }

    /// <summary>The erasure-coded object's content key.</summary>
    public BlockKey ObjectKey { get; }

    /// <summary>The object's length in bytes (fragments are padded).</summary>
    public int ObjectLength { get; }

    /// <summary>n: fragments made.</summary>
    public int Total { get; }

    /// <summary>m: fragments any of which restore the object.</summary>
    public int Needed { get; }

    /// <summary>The hash tree's root over the n fragments.</summary>
    public ReadOnlySpan<byte> Root => _encoded.AsSpan(39, MerkleTree.HashSize);

    /// <summary>The canonical bytes.</summary>
    public ReadOnlySpan<byte> Encoded => _encoded;

    /// <summary>Makes and signs the manifest of a fragment set.</summary>
    public static FragmentManifest Sign(NodeIdentity signer, BlockKey objectKey, int objectLength, int total, int needed, ReadOnlySpan<byte> root, bool aggregate = false)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var encoded = new byte[Size];
        encoded[0] = aggregate ? AggregateFormat : Format;
        objectKey.Span.CopyTo(encoded.AsSpan(1));
        BinaryPrimitives.WriteUInt32BigEndian(encoded.AsSpan(33), checked((uint)objectLength));
        encoded[37] = checked((byte)total);
        encoded[38] = checked((byte)needed);
        root.CopyTo(encoded.AsSpan(39));
        signer.SigningKey.Span.CopyTo(encoded.AsSpan(39 + MerkleTree.HashSize));
        signer.Sign(SignedMessage(encoded)).CopyTo(encoded.AsSpan(SignedSize));
        return new FragmentManifest(encoded);
    }

    /// <summary>Decodes and checks the signature; false for anything malformed or unsigned.</summary>
    public static bool TryDecodeVerified(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out FragmentManifest? manifest)
    {
        manifest = null;
        if (bytes.Length != Size || bytes[0] is not (Format or AggregateFormat) || bytes[37] == 0 || bytes[38] == 0 || bytes[38] > bytes[37])
        {
            return false;
        }

        var encoded = bytes.ToArray();
        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, encoded.AsSpan(39 + MerkleTree.HashSize, 32), KeyBlobFormat.RawPublicKey, out var key) || key is null
            || !SignatureAlgorithm.Ed25519.Verify(key, SignedMessage(encoded), encoded.AsSpan(SignedSize)))
        {
            return false;
        }

        manifest = new FragmentManifest(encoded);
        return true;
    }

    private static byte[] SignedMessage(byte[] encoded)
    {
        var message = new byte[Domain.Length + SignedSize];
        Domain.CopyTo(message, 0);
        encoded.AsSpan(0, SignedSize).CopyTo(message.AsSpan(Domain.Length));
        return message;
    }
}
