using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Scribe;

/// <summary>
/// One Scribe protocol message and its versioned binary form. The codec is pure:
/// <see cref="TryDecode"/> never throws, whatever the bytes.
/// </summary>
/// <remarks>
/// Layout (big-endian): version (1 byte), kind (1), group key (20), then by kind:
/// <list type="bullet">
/// <item>Join: the last tree hop as a node handle;</item>
/// <item>Multicast, Data, Anycast: payload (u32 length, bytes);</item>
/// <item>AnycastSearch: steps (u16), a returning-from flag (1) and id (20) when set, the search
/// path (u8 count, node handles), payload (u32 length, bytes);</item>
/// <item>Create, JoinAck, Heartbeat, Refresh, Leave: nothing.</item>
/// </list>
/// A node handle is id (20), address family (1: 4 or 6), address (4 or 16), port (u16). The whole
/// input must be consumed, so no strict prefix of a message decodes.
/// </remarks>
public sealed class ScribeMessage
{
    /// <summary>The wire format's version; a message of another version is rejected.</summary>
    public const byte Version = 1;

    /// <summary>Longest anycast search path carried: deeper than any real tree, short enough for one datagram.</summary>
    public const int MaxPathLength = 32;

    private const int HeaderSize = 2 + NodeId.Size;

    private ScribeMessage(ScribeMessageKind kind, NodeId group)
    {
        Kind = kind;
        Group = group;
    }

    /// <summary>What the message is.</summary>
    public ScribeMessageKind Kind { get; }

    /// <summary>The group's key.</summary>
    public NodeId Group { get; }

    /// <summary>Join: the node that last handled the JOIN as a tree node, to be the next node's child.</summary>
    public NodeHandle? Hop { get; private init; }

    /// <summary>Multicast, Data, Anycast, AnycastSearch: the application's bytes.</summary>
    public ReadOnlyMemory<byte> Payload { get; private init; }

    /// <summary>AnycastSearch: the search path from where the search began to the sender, oldest first.</summary>
    public IReadOnlyList<NodeHandle> Path { get; private init; } = [];

    /// <summary>AnycastSearch: when set, the search is backing out of the subtree of this child.</summary>
    public NodeId? ReturningFrom { get; private init; }

    /// <summary>AnycastSearch: messages the search has taken so far (bounds a search in a broken tree).</summary>
    public int Steps { get; private init; }

    /// <summary>A message that carries nothing but its kind and group (Create, JoinAck, Heartbeat, Refresh, Leave).</summary>
    public static ScribeMessage Control(ScribeMessageKind kind, NodeId group)
    {
        if (kind is not (ScribeMessageKind.Create or ScribeMessageKind.JoinAck or ScribeMessageKind.Heartbeat
            or ScribeMessageKind.Refresh or ScribeMessageKind.Leave))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a control message");
        }

        return new ScribeMessage(kind, group);
    }

    /// <summary>A JOIN whose last tree hop is <paramref name="hop"/>.</summary>
    public static ScribeMessage Join(NodeId group, NodeHandle hop)
    {
        ArgumentNullException.ThrowIfNull(hop);
        return new ScribeMessage(ScribeMessageKind.Join, group) { Hop = hop };
    }

    /// <summary>A message carrying <paramref name="payload"/> (Multicast, Data, Anycast).</summary>
    public static ScribeMessage WithPayload(ScribeMessageKind kind, NodeId group, ReadOnlyMemory<byte> payload)
    {
        if (kind is not (ScribeMessageKind.Multicast or ScribeMessageKind.Data or ScribeMessageKind.Anycast))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a payload message");
        }

        return new ScribeMessage(kind, group) { Payload = payload };
    }

    /// <summary>One step of an anycast's depth-first search through the tree.</summary>
    public static ScribeMessage AnycastSearch(
        NodeId group, IReadOnlyList<NodeHandle> path, NodeId? returningFrom, int steps, ReadOnlyMemory<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(path.Count, MaxPathLength);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(steps, ushort.MaxValue);
        return new ScribeMessage(ScribeMessageKind.AnycastSearch, group)
        {
            Path = path,
            ReturningFrom = returningFrom,
            Steps = steps,
            Payload = payload,
        };
    }

    /// <summary>The message's bytes.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[EncodedSize()];
        var offset = 0;
        bytes[offset++] = Version;
        bytes[offset++] = (byte)Kind;
        Group.WriteTo(bytes.AsSpan(offset));
        offset += NodeId.Size;
        switch (Kind)
        {
            case ScribeMessageKind.Join:
                offset = WriteHandle(bytes, offset, Hop!);
                break;
            case ScribeMessageKind.Multicast or ScribeMessageKind.Data or ScribeMessageKind.Anycast:
                offset = WritePayload(bytes, offset, Payload.Span);
                break;
            case ScribeMessageKind.AnycastSearch:
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(offset), (ushort)Steps);
                offset += 2;
                bytes[offset++] = ReturningFrom.HasValue ? (byte)1 : (byte)0;
                if (ReturningFrom is { } returning)
                {
                    returning.WriteTo(bytes.AsSpan(offset));
                    offset += NodeId.Size;
                }

                bytes[offset++] = (byte)Path.Count;
                foreach (var node in Path)
                {
                    offset = WriteHandle(bytes, offset, node);
                }

                offset = WritePayload(bytes, offset, Payload.Span);
                break;
            default:
                break;
        }

        return offset == bytes.Length ? bytes : throw new InvalidOperationException("size mismatch");
    }

    /// <summary>
    /// Decodes one whole message; false (never an exception) for anything that is not exactly one
    /// well-formed message of this version: truncated, trailing bytes, unknown kind or address family.
    /// The payload is copied, so the input buffer may be reused.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out ScribeMessage? message)
    {
        message = null;
        if (bytes.Length < HeaderSize || bytes[0] != Version)
        {
            return false;
        }

        var kind = (ScribeMessageKind)bytes[1];
        var group = NodeId.Read(bytes[2..]);
        var rest = bytes[HeaderSize..];
        ScribeMessage? decoded;
        switch (kind)
        {
            case ScribeMessageKind.Create or ScribeMessageKind.JoinAck or ScribeMessageKind.Heartbeat
                or ScribeMessageKind.Refresh or ScribeMessageKind.Leave:
                decoded = new ScribeMessage(kind, group);
                break;
            case ScribeMessageKind.Join:
                decoded = TryReadHandle(ref rest, out var hop) ? new ScribeMessage(kind, group) { Hop = hop } : null;
                break;
            case ScribeMessageKind.Multicast or ScribeMessageKind.Data or ScribeMessageKind.Anycast:
                decoded = TryReadPayload(ref rest, out var payload) ? new ScribeMessage(kind, group) { Payload = payload } : null;
                break;
            case ScribeMessageKind.AnycastSearch:
                decoded = TryReadSearch(ref rest, group, out var search) ? search : null;
                break;
            default:
                return false;
        }

        if (decoded is null || !rest.IsEmpty)
        {
            return false;
        }

        message = decoded;
        return true;
    }

    private static bool TryReadSearch(ref ReadOnlySpan<byte> rest, NodeId group, out ScribeMessage? message)
    {
        message = null;
        if (rest.Length < 3)
        {
            return false;
        }

        var steps = BinaryPrimitives.ReadUInt16BigEndian(rest);
        var hasReturning = rest[2];
        rest = rest[3..];
        NodeId? returning = null;
        if (hasReturning == 1)
        {
            if (rest.Length < NodeId.Size)
            {
                return false;
            }

            returning = NodeId.Read(rest);
            rest = rest[NodeId.Size..];
        }
        else if (hasReturning != 0)
        {
            return false;
        }

        if (rest.IsEmpty || rest[0] > MaxPathLength)
        {
            return false;
        }

        var count = rest[0];
        rest = rest[1..];
        var path = new NodeHandle[count];
        for (var i = 0; i < count; i++)
        {
            if (!TryReadHandle(ref rest, out var node))
            {
                return false;
            }

            path[i] = node;
        }

        if (!TryReadPayload(ref rest, out var payload))
        {
            return false;
        }

        message = new ScribeMessage(ScribeMessageKind.AnycastSearch, group)
        {
            Steps = steps,
            ReturningFrom = returning,
            Path = path,
            Payload = payload,
        };
        return true;
    }

    private int EncodedSize()
    {
        var size = HeaderSize;
        switch (Kind)
        {
            case ScribeMessageKind.Join:
                size += HandleSize(Hop!);
                break;
            case ScribeMessageKind.Multicast or ScribeMessageKind.Data or ScribeMessageKind.Anycast:
                size += 4 + Payload.Length;
                break;
            case ScribeMessageKind.AnycastSearch:
                size += 2 + 1 + (ReturningFrom.HasValue ? NodeId.Size : 0) + 1 + 4 + Payload.Length;
                foreach (var node in Path)
                {
                    size += HandleSize(node);
                }

                break;
            default:
                break;
        }

        return size;
    }

    private static int HandleSize(NodeHandle node) =>
        NodeId.Size + 1 + (node.EndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? 16 : 4) + 2;

    private static int WriteHandle(byte[] bytes, int offset, NodeHandle node)
    {
        node.Id.WriteTo(bytes.AsSpan(offset));
        offset += NodeId.Size;
        var v6 = node.EndPoint.AddressFamily == AddressFamily.InterNetworkV6;
        if (!v6 && node.EndPoint.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{node.EndPoint} is not an IP endpoint", nameof(node));
        }

        bytes[offset++] = v6 ? (byte)6 : (byte)4;
        node.EndPoint.Address.TryWriteBytes(bytes.AsSpan(offset), out var written);
        offset += written;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(offset), (ushort)node.EndPoint.Port);
        return offset + 2;
    }

    private static int WritePayload(byte[] bytes, int offset, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(offset), (uint)payload.Length);
        payload.CopyTo(bytes.AsSpan(offset + 4));
        return offset + 4 + payload.Length;
    }

    private static bool TryReadHandle(ref ReadOnlySpan<byte> rest, [NotNullWhen(true)] out NodeHandle? node)
    {
        node = null;
        if (rest.Length < NodeId.Size + 1)
        {
            return false;
        }

        var addressSize = rest[NodeId.Size] switch
        {
            4 => 4,
            6 => 16,
            _ => -1,
        };
        if (addressSize < 0 || rest.Length < NodeId.Size + 1 + addressSize + 2)
        {
            return false;
        }

        var id = NodeId.Read(rest);
        var address = new IPAddress(rest.Slice(NodeId.Size + 1, addressSize));
        var port = BinaryPrimitives.ReadUInt16BigEndian(rest[(NodeId.Size + 1 + addressSize)..]);
        rest = rest[(NodeId.Size + 1 + addressSize + 2)..];
        node = new NodeHandle(id, new IPEndPoint(address, port));
        return true;
    }

    private static bool TryReadPayload(ref ReadOnlySpan<byte> rest, out ReadOnlyMemory<byte> payload)
    {
        payload = default;
        if (rest.Length < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(rest);
        if (length > (uint)(rest.Length - 4))
        {
            return false;
        }

        payload = rest.Slice(4, (int)length).ToArray();
        rest = rest[(4 + (int)length)..];
        return true;
    }
}
