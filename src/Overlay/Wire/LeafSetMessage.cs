using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Wire;

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
