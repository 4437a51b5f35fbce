using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Wire;

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
