using System.Buffers.Binary;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Blocks;

namespace EPostEdge.Storage.Post;

/// <summary>
/// One entry of a <see cref="SignedLog"/>: an immutable block that names its predecessor by
/// hash (POST, Mislove et al.: a log is a hash-chained list of immutable blocks whose newest
/// entry is named by the signed <see cref="LogHead"/>).
/// </summary>
/// <remarks>
/// Block format v1 (big-endian):
/// <code>
/// version u8 = 1 | flags u8 (bit 0: has previous) | previous BlockKey [32] if flagged | index u64
/// sealed payload: a <see cref="SecureBlock"/> readable by the owner (rest of the block)
/// </code>
/// The link (previous, index) is in the clear so any node holding the owner's public keys can
/// verify the chain under a signed head without being a reader; it is also bound into the
/// payload's AEAD associated data, so a payload cannot be moved to another position. The
/// entry's key is SHA-256 of the whole block, which covers link and ciphertext alike.
/// </remarks>
public sealed class LogEntry
{
    /// <summary>The block format version this build writes and reads.</summary>
    public const byte FormatVersion = 1;

    private const byte HasPreviousFlag = 0x01;

    private readonly byte[] _block;
    private readonly int _linkSize;

    private LogEntry(byte[] block, int linkSize, BlockKey? previous, ulong index)
    {
        _block = block;
        _linkSize = linkSize;
        Previous = previous;
        Index = index;
        Key = BlockKey.Of(block);
    }

    /// <summary>The entry's block key: SHA-256 of <see cref="Encoded"/>.</summary>
    public BlockKey Key { get; }

    /// <summary>The entry before this one; null for the first entry (index 0).</summary>
    public BlockKey? Previous { get; }

    /// <summary>Position in the log, counting from 0.</summary>
    public ulong Index { get; }

    /// <summary>The block bytes to store.</summary>
    public ReadOnlyMemory<byte> Encoded => _block;

    /// <summary>Makes the entry at <paramref name="index"/> after <paramref name="previous"/>, its payload sealed to <paramref name="owner"/>.</summary>
    /// <exception cref="ArgumentException">The first entry (no previous) is not index 0, or a later one is.</exception>
    public static LogEntry Seal(BlockKey? previous, ulong index, ReadOnlySpan<byte> payload, UserPublicKeys owner, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if (previous is null != (index == 0))
        {
            throw new ArgumentException("exactly the first entry (index 0) has no previous entry", nameof(index));
        }

        var link = EncodeLink(previous, index);
        var sealedPayload = SecureBlock.Seal(payload, [owner], random, link);
        var block = new byte[link.Length + sealedPayload.Length];
        link.CopyTo(block, 0);
        sealedPayload.CopyTo(block, link.Length);
        return new LogEntry(block, link.Length, previous, index);
    }

    /// <summary>Decodes an entry block (its key is recomputed from the bytes).</summary>
    /// <exception cref="PostFormatException">The bytes are not an entry block.</exception>
    public static LogEntry Decode(ReadOnlySpan<byte> block)
    {
        var reader = new PostReader(block);
        if (!reader.TryReadByte(out var version) || version != FormatVersion)
        {
            throw new PostFormatException("log entry: missing or unsupported format version");
        }

        if (!reader.TryReadByte(out var flags) || (flags & ~HasPreviousFlag) != 0)
        {
            throw new PostFormatException("log entry: missing or unknown flags");
        }

        BlockKey? previous = null;
        if ((flags & HasPreviousFlag) != 0)
        {
            if (!reader.TryReadBytes(BlockKey.Size, out var previousBytes))
            {
                throw new PostFormatException("log entry: truncated previous key");
            }

            previous = new BlockKey(previousBytes);
        }

        if (!reader.TryReadUInt64(out var index))
        {
            throw new PostFormatException("log entry: truncated index");
        }

        if (previous is null != (index == 0))
        {
            throw new PostFormatException("log entry: exactly the first entry (index 0) has no previous entry");
        }

        var linkSize = reader.Consumed(block);
        if (reader.Remaining == 0)
        {
            throw new PostFormatException("log entry: missing sealed payload");
        }

        return new LogEntry(block.ToArray(), linkSize, previous, index);
    }

    /// <summary>Opens the payload as <paramref name="reader"/> (the log's owner).</summary>
    /// <exception cref="SecureBlockOpenException">Not a reader, or the entry was altered.</exception>
    public byte[] OpenPayload(UserIdentity reader) =>
        SecureBlock.Open(_block.AsSpan(_linkSize), reader, _block.AsSpan(0, _linkSize));

    private static byte[] EncodeLink(BlockKey? previous, ulong index)
    {
        var link = new byte[2 + (previous is null ? 0 : BlockKey.Size) + sizeof(ulong)];
        link[0] = FormatVersion;
        var offset = 2;
        if (previous is { } p)
        {
            link[1] = HasPreviousFlag;
            p.Span.CopyTo(link.AsSpan(offset));
            offset += BlockKey.Size;
        }

        BinaryPrimitives.WriteUInt64BigEndian(link.AsSpan(offset), index);
        return link;
    }
}
