namespace EPostEdge.Overlay.Wire;

/// <summary>The answer to a ping; the nonce makes a replayed pong useless.</summary>
public sealed record PongMessage(ulong Nonce) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.Pong;

    public override void WriteBody(WireWriter writer) => writer.WriteUInt64(Nonce);
}
