using System.Buffers.Binary;
using System.Security.Cryptography;
using EPostEdge.Overlay.Seams;

namespace EPostEdge.Overlay.Certificates;

/// <summary>
/// The inviting node's pending invitations. Holds the SHA-256 of each one-time secret, never
/// the secret, so a copy of the node's disk does not let anyone join. Thread-safe.
/// </summary>
public sealed class InviteLedger
{
    /// <summary>The <see cref="Export"/> encoding version.</summary>
    public const byte ExportVersion = 1;

    private const int HashSize = SHA256.HashSizeInBytes;

    private readonly HashSet<(UInt128, UInt128)> _pending = [];
    private readonly Lock _lock = new();

    /// <summary>Invitations created and not yet redeemed.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// A new one-time invitation to join at <paramref name="inviter"/>'s endpoint, its secret
    /// drawn from <paramref name="random"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="inviter"/> does not verify under <paramref name="trust"/>.</exception>
    public InviteToken Create(NodeCertificate inviter, OverlayTrust trust, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(inviter);
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(random);
        if (!trust.Verify(inviter, out var reason))
        {
            throw new ArgumentException($"the inviter's certificate does not verify: {reason}", nameof(inviter));
        }

        var secret = new byte[InviteToken.SecretSize];
        random.NextBytes(secret);
        lock (_lock)
        {
            _pending.Add(HashOf(secret));
        }

        return new InviteToken(trust.Overlay, trust.FoundingKey.ToArray(), inviter.EndPoint, secret);
    }

    /// <summary>True the first time a pending secret is presented (it is then forgotten); false otherwise.</summary>
    public bool TryRedeem(ReadOnlySpan<byte> secret)
    {
        if (secret.Length != InviteToken.SecretSize)
        {
            return false;
        }

        var hash = HashOf(secret);
        lock (_lock)
        {
            return _pending.Remove(hash);
        }
    }

    /// <summary>version (1) || count (u32) || the pending secrets' SHA-256 hashes (32 each), for the node's disk.</summary>
    public byte[] Export()
    {
        lock (_lock)
        {
            var writer = new WireWriter(5 + (_pending.Count * HashSize));
            writer.WriteByte(ExportVersion);
            writer.WriteUInt32((uint)_pending.Count);
            Span<byte> hash = stackalloc byte[HashSize];
            foreach (var (first, second) in _pending)
            {
                BinaryPrimitives.WriteUInt128LittleEndian(hash, first);
                BinaryPrimitives.WriteUInt128LittleEndian(hash[16..], second);
                writer.WriteBytes(hash);
            }

            return writer.ToArray();
        }
    }

    /// <summary>Rebuilds a ledger from <see cref="Export"/>'s bytes.</summary>
    /// <exception cref="FormatException">Not an export of a known version.</exception>
    public static InviteLedger Import(ReadOnlySpan<byte> exported)
    {
        var reader = new WireReader(exported);
        if (!reader.TryReadByte(out var version) || version != ExportVersion
            || !reader.TryReadUInt32(out var count)
            || (ulong)count * HashSize != (ulong)reader.Rest.Length)
        {
            throw new FormatException("not an invite ledger export");
        }

        var ledger = new InviteLedger();
        for (var i = 0; i < count; i++)
        {
            reader.TryReadBytes(HashSize, out var hash);
            ledger._pending.Add(Key(hash));
        }

        return ledger;
    }

    private static (UInt128, UInt128) HashOf(ReadOnlySpan<byte> secret)
    {
        Span<byte> hash = stackalloc byte[HashSize];
        SHA256.HashData(secret, hash);
        return Key(hash);
    }

    private static (UInt128, UInt128) Key(ReadOnlySpan<byte> hash) => (
        BinaryPrimitives.ReadUInt128LittleEndian(hash),
        BinaryPrimitives.ReadUInt128LittleEndian(hash[16..]));
}
