using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using EPostEdge.Storage.Blocks;

namespace EPostEdge.Storage.Past;

/// <summary>
/// One message of the storage protocol and its versioned binary form. <see cref="TryDecode"/> never
/// throws: a malformed message from the network is dropped and counted.
/// </summary>
/// <remarks>
/// Layout (big-endian): format (1) = 1 | kind (1) | request id (8) | key (32) | held kind (1) |
/// status (1) | version (8) | lease epochs (4) | index (2) | count (2) | payload (u32 length, bytes) |
/// extra (u32 length, bytes). One fixed header for every kind keeps the codec small; unused fields
/// are zero. The whole input must be consumed.
/// </remarks>
public sealed record PastMessage
{
    /// <summary>The wire format's version.</summary>
    public const byte Format = 1;

    /// <summary>Largest payload or extra accepted (a Glacier aggregate's fragment or a replica is far smaller).</summary>
    public const int MaxPart = 16 * 1024 * 1024;

    private const int HeaderSize = 1 + 1 + 8 + BlockKey.Size + 1 + 1 + 8 + 4 + 2 + 2;

    /// <summary>What the message is.</summary>
    public required PastMessageKind Kind { get; init; }

    /// <summary>Correlates an answer with its request; 0 when none is expected.</summary>
    public ulong Request { get; init; }

    /// <summary>The key the message is about.</summary>
    public BlockKey Key { get; init; } = new(new byte[BlockKey.Size]);

    /// <summary>Which kind of held item (Store, StoreAck, Fetch, FetchReply, Sync, Renew).</summary>
    public HeldKind Held { get; init; }

    /// <summary>An outcome: <see cref="HeldPutResult"/> in StoreAck, found (1) or not (0) in FetchReply.</summary>
    public byte Status { get; init; }

    /// <summary>A head's version; the highest version seen in HeadWriteAck.</summary>
    public ulong Version { get; init; }

    /// <summary>Lease length in the holder's renewal epochs (Store, Insert, Renew).</summary>
    public uint LeaseEpochs { get; init; }

    /// <summary>A fragment's index.</summary>
    public ushort Index { get; init; }

    /// <summary>Replicas that acknowledged (InsertAck, HeadWriteAck).</summary>
    public ushort Count { get; init; }

    /// <summary>The item's bytes, or a Bloom filter (Sync).</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>A fragment's manifest.</summary>
    public ReadOnlyMemory<byte> Extra { get; init; }

    /// <summary>The binary form.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[HeaderSize + 8 + Payload.Length + Extra.Length];
        var span = bytes.AsSpan();
        span[0] = Format;
        span[1] = (byte)Kind;
        BinaryPrimitives.WriteUInt64BigEndian(span[2..], Request);
        Key.Span.CopyTo(span[10..]);
        var at = 10 + BlockKey.Size;
        span[at] = (byte)Held;
        span[at + 1] = Status;
        BinaryPrimitives.WriteUInt64BigEndian(span[(at + 2)..], Version);
        BinaryPrimitives.WriteUInt32BigEndian(span[(at + 10)..], LeaseEpochs);
        BinaryPrimitives.WriteUInt16BigEndian(span[(at + 14)..], Index);
        BinaryPrimitives.WriteUInt16BigEndian(span[(at + 16)..], Count);
        at = HeaderSize;
        BinaryPrimitives.WriteUInt32BigEndian(span[at..], (uint)Payload.Length);
        Payload.Span.CopyTo(span[(at + 4)..]);
        at += 4 + Payload.Length;
        BinaryPrimitives.WriteUInt32BigEndian(span[at..], (uint)Extra.Length);
        Extra.Span.CopyTo(span[(at + 4)..]);
        return bytes;
    }

    /// <summary>Decodes a message; false (never an exception) when the bytes are not one.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> bytes, [NotNullWhen(true)] out PastMessage? message)
    {
        message = null;
        var span = bytes.Span;
        if (span.Length < HeaderSize + 8 || span[0] != Format || !Enum.IsDefined((PastMessageKind)span[1]))
        {
            return false;
        }

        var at = 10 + BlockKey.Size;
        var held = span[at];
        if (held > (byte)HeldKind.Pointer)
        {
            return false;
        }

        var payloadLength = BinaryPrimitives.ReadUInt32BigEndian(span[HeaderSize..]);
        if (payloadLength > MaxPart || HeaderSize + 8 + payloadLength > span.Length)
        {
            return false;
        }

        var extraAt = HeaderSize + 4 + (int)payloadLength;
        var extraLength = BinaryPrimitives.ReadUInt32BigEndian(span[extraAt..]);
        if (extraLength > MaxPart || extraAt + 4 + extraLength != span.Length)
        {
            return false;
        }

        message = new PastMessage
        {
            Kind = (PastMessageKind)span[1],
            Request = BinaryPrimitives.ReadUInt64BigEndian(span[2..]),
            Key = new BlockKey(span.Slice(10, BlockKey.Size)),
            Held = (HeldKind)held,
            Status = span[at + 1],
            Version = BinaryPrimitives.ReadUInt64BigEndian(span[(at + 2)..]),
            LeaseEpochs = BinaryPrimitives.ReadUInt32BigEndian(span[(at + 10)..]),
            Index = BinaryPrimitives.ReadUInt16BigEndian(span[(at + 14)..]),
            Count = BinaryPrimitives.ReadUInt16BigEndian(span[(at + 16)..]),
            Payload = bytes.Slice(HeaderSize + 4, (int)payloadLength),
            Extra = bytes.Slice(extraAt + 4, (int)extraLength),
        };
        return true;
    }
}
