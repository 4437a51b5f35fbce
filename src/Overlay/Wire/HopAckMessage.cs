namespace EPostEdge.Overlay.Wire;

/// <summary>The next hop took a routed message (per-hop acknowledgement, as Bamboo routes under churn).</summary>
public sealed record HopAckMessage(ulong MessageId) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.HopAck;

    public override void WriteBody(WireWriter writer) => writer.WriteUInt64(MessageId);
}
