using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Wire;

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
