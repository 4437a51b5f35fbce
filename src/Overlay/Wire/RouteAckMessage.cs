namespace EPostEdge.Overlay.Wire;

/// <summary>The root delivered a routed message (end-to-end acknowledgement to its source).</summary>
public sealed record RouteAckMessage(ulong MessageId) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.RouteAck;

    public override void WriteBody(WireWriter writer) => writer.WriteUInt64(MessageId);
}
