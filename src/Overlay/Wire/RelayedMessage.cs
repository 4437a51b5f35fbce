using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Wire;

/// <summary>A frame relayed on behalf of <see cref="Origin"/> by the sender of this one.</summary>
public sealed record RelayedMessage(NodeHandle Origin, ReadOnlyMemory<byte> Inner) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.Relayed;

    public override void WriteBody(WireWriter writer)
    {
        writer.WriteHandle(Origin);
        writer.WriteBlob(Inner.Span);
    }

    internal static RelayedMessage? TryRead(ref WireReader reader) =>
        reader.TryReadHandle(out var origin) && reader.TryReadBlob(out var inner) ? new RelayedMessage(origin!, inner.ToArray()) : null;
}
