namespace EPostEdge.Overlay.Wire;

/// <summary>Keep-alive and RTT probe (Pastry §2.2 keep-alives; Bamboo's per-neighbour RTT samples).</summary>
public sealed record PingMessage(ulong Nonce) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.Ping;

    public override void WriteBody(WireWriter writer) => writer.WriteUInt64(Nonce);
}
