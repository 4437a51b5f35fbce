namespace EPostEdge.Overlay.Wire;

/// <summary>Asks for one row of the receiver's routing table (Pastry's lazy table repair, §2.4).</summary>
public sealed record RowRequestMessage(int Row) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.RowRequest;

    public override void WriteBody(WireWriter writer) => writer.WriteByte((byte)Row);
}
