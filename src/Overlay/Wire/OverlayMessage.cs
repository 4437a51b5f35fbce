using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Wire;

/// <summary>
/// The body of one authenticated overlay frame (see <see cref="Frame"/>). Each message type
/// writes its fields with <see cref="WireWriter"/>; <see cref="TryReadBody"/> is the inverse and
/// rejects anything truncated, overlong or unknown.
/// </summary>
public abstract record OverlayMessage
{
    /// <summary>What kind of frame carries it.</summary>
    public abstract MessageKind Kind { get; }

    /// <summary>Writes the fields after the frame header.</summary>
    public abstract void WriteBody(WireWriter writer);

    /// <summary>Reads the body of a frame of <paramref name="kind"/>; false for anything malformed.</summary>
    public static bool TryReadBody(MessageKind kind, ref WireReader reader, out OverlayMessage? message)
    {
        message = kind switch
        {
            MessageKind.Ping => reader.TryReadUInt64(out var n) ? new PingMessage(n) : null,
            MessageKind.Pong => reader.TryReadUInt64(out var n) ? new PongMessage(n) : null,
            MessageKind.LeafSet => LeafSetMessage.TryRead(ref reader),
            MessageKind.RowRequest => reader.TryReadByte(out var row) && row < NodeId.Digits ? new RowRequestMessage(row) : null,
            MessageKind.Row => RowMessage.TryRead(ref reader),
            MessageKind.Route => RouteMessage.TryRead(ref reader),
            MessageKind.HopAck => reader.TryReadUInt64(out var n) ? new HopAckMessage(n) : null,
            MessageKind.RouteAck => reader.TryReadUInt64(out var n) ? new RouteAckMessage(n) : null,
            MessageKind.Direct => DirectMessage.TryRead(ref reader),
            MessageKind.JoinReply => JoinReplyMessage.TryRead(ref reader),
            MessageKind.Leave => new LeaveMessage(),
            MessageKind.Relay => RelayMessage.TryRead(ref reader),
            MessageKind.Relayed => RelayedMessage.TryRead(ref reader),
            _ => null,
        };
        return message is not null;
    }
}

/// <summary>Keep-alive and RTT probe (Pastry §2.2 keep-alives; Bamboo's per-neighbour RTT samples).</summary>
public sealed record PingMessage(ulong Nonce) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.Ping;

    public override void WriteBody(WireWriter writer) => writer.WriteUInt64(Nonce);
}

/// <summary>The answer to a ping; the nonce makes a replayed pong useless.</summary>
public sealed record PongMessage(ulong Nonce) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.Pong;

    public override void WriteBody(WireWriter writer) => writer.WriteUInt64(Nonce);
}

/// <summary>
/// The sender's leaf set, pushed to a neighbour, which answers with its own (Bamboo's push-pull
/// leaf-set maintenance, §4.1): neighbours' views converge and a missing node is learned.
/// </summary>
public sealed record LeafSetMessage(bool IsReply, IReadOnlyList<NodeHandle> Members) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.LeafSet;

    public override void WriteBody(WireWriter writer)
    {
        writer.WriteBool(IsReply);
        writer.WriteHandles(Members.ToArray());
    }

    internal static LeafSetMessage? TryRead(ref WireReader reader) =>
        reader.TryReadBool(out var isReply) && reader.TryReadHandles(out var members) ? new LeafSetMessage(isReply, members!) : null;
}

/// <summary>Asks for one row of the receiver's routing table (Pastry's lazy table repair, §2.4).</summary>
public sealed record RowRequestMessage(int Row) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.RowRequest;

    public override void WriteBody(WireWriter writer) => writer.WriteByte((byte)Row);
}

/// <summary>One row of the sender's routing table.</summary>
public sealed record RowMessage(int Row, IReadOnlyList<NodeHandle> Entries) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.Row;

    public override void WriteBody(WireWriter writer)
    {
        writer.WriteByte((byte)Row);
        writer.WriteHandles(Entries.ToArray());
    }

    internal static RowMessage? TryRead(ref WireReader reader) =>
        reader.TryReadByte(out var row) && row < NodeId.Digits && reader.TryReadHandles(out var entries) ? new RowMessage(row, entries!) : null;
}

/// <summary>
/// An application message on its way to the root of <see cref="Key"/> (KBR route). Each hop
/// acknowledges it to the previous hop (<see cref="HopAckMessage"/>) so a lost hop is retried
/// another way; with <see cref="WantsRootAck"/> the root also acknowledges to the source, which is
/// how a node that answers pings but drops routed messages is found (ePOST's lesson).
/// </summary>
public sealed record RouteMessage(ulong MessageId, NodeId Key, ushort ApplicationId, int Hops, bool WantsRootAck, NodeHandle Source, ReadOnlyMemory<byte> Payload) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.Route;

    public override void WriteBody(WireWriter writer)
    {
        writer.WriteUInt64(MessageId);
        writer.WriteId(Key);
        writer.WriteUInt16(ApplicationId);
        writer.WriteByte((byte)Math.Min(Hops, byte.MaxValue));
        writer.WriteBool(WantsRootAck);
        writer.WriteHandle(Source);
        writer.WriteBlob(Payload.Span);
    }

    internal static RouteMessage? TryRead(ref WireReader reader)
    {
        if (!reader.TryReadUInt64(out var id) || !reader.TryReadId(out var key) || !reader.TryReadUInt16(out var app)
            || !reader.TryReadByte(out var hops) || !reader.TryReadBool(out var wantsAck) || !reader.TryReadHandle(out var source)
            || !reader.TryReadBlob(out var payload))
        {
            return null;
        }

        return new RouteMessage(id, key, app, hops, wantsAck, source!, payload.ToArray());
    }
}

/// <summary>The next hop took a routed message (per-hop acknowledgement, as Bamboo routes under churn).</summary>
public sealed record HopAckMessage(ulong MessageId) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.HopAck;

    public override void WriteBody(WireWriter writer) => writer.WriteUInt64(MessageId);
}

/// <summary>The root delivered a routed message (end-to-end acknowledgement to its source).</summary>
public sealed record RouteAckMessage(ulong MessageId) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.RouteAck;

    public override void WriteBody(WireWriter writer) => writer.WriteUInt64(MessageId);
}

/// <summary>An application message sent straight to one node (KBR route with a hint).</summary>
public sealed record DirectMessage(ushort ApplicationId, ReadOnlyMemory<byte> Payload) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.Direct;

    public override void WriteBody(WireWriter writer)
    {
        writer.WriteUInt16(ApplicationId);
        writer.WriteBlob(Payload.Span);
    }

    internal static DirectMessage? TryRead(ref WireReader reader) =>
        reader.TryReadUInt16(out var app) && reader.TryReadBlob(out var payload) ? new DirectMessage(app, payload.ToArray()) : null;
}

/// <summary>
/// The join's answer from the root of the joiner's id (Pastry §2.4): the root's leaf set, and the
/// routing-table rows gathered from every node the join passed.
/// </summary>
public sealed record JoinReplyMessage(IReadOnlyList<NodeHandle> LeafSet, IReadOnlyList<NodeHandle> RowEntries) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.JoinReply;

    public override void WriteBody(WireWriter writer)
    {
        writer.WriteHandles(LeafSet.ToArray());
        writer.WriteHandles(RowEntries.Take(byte.MaxValue).ToArray());
    }

    internal static JoinReplyMessage? TryRead(ref WireReader reader) =>
        reader.TryReadHandles(out var leafSet) && reader.TryReadHandles(out var rows) ? new JoinReplyMessage(leafSet!, rows!) : null;
}

/// <summary>A graceful leave: the receiver drops the sender at once instead of waiting for timeouts.</summary>
public sealed record LeaveMessage : OverlayMessage
{
    public override MessageKind Kind => MessageKind.Leave;

    public override void WriteBody(WireWriter writer)
    {
    }
}

/// <summary>
/// "Please pass this frame on to <see cref="Target"/>": source routing through a third node when
/// the direct path fails (ePOST's non-transitive connectivity fix). The inner frame is
/// authenticated end to end; the relay cannot read or change it unnoticed.
/// </summary>
public sealed record RelayMessage(NodeHandle Target, ReadOnlyMemory<byte> Inner) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.Relay;

    public override void WriteBody(WireWriter writer)
    {
        writer.WriteHandle(Target);
        writer.WriteBlob(Inner.Span);
    }

    internal static RelayMessage? TryRead(ref WireReader reader) =>
        reader.TryReadHandle(out var target) && reader.TryReadBlob(out var inner) ? new RelayMessage(target!, inner.ToArray()) : null;
}

/// <summary>A frame relayed on behalf of <see cref="Origin"/> by the sender of this one.</summary>
public sealed record RelayedMessage(NodeHandle Origin, ReadOnlyMemory<byte> Inner) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.Relayed;

    public override void WriteBody(WireWriter writer)
    {
        writer.WriteHandle(Origin);
        writer.WriteBlob(Inner.Span);
    }

    internal static RelayedMessage? TryRead(ref WireReader reader) =>
        reader.TryReadHandle(out var origin) && reader.TryReadBlob(out var inner) ? new RelayedMessage(origin!, inner.ToArray()) : null;
}
