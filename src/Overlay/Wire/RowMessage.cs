using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Wire;

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
