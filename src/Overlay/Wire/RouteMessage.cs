using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Wire;

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
