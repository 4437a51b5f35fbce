namespace EPostEdge.Overlay.Wire;

/// <summary>An application message sent straight to one node (KBR route with a hint).</summary>
public sealed record DirectMessage(ushort ApplicationId, ReadOnlyMemory<byte> Payload) : OverlayMessage
{
    public override MessageKind Kind => MessageKind.Direct;

    public override void WriteBody(WireWriter writer)
    {
        writer.WriteUInt16(ApplicationId);
        writer.WriteBlob(Payload.Span);
    }

    internal static DirectMessage? TryRead(ref WireReader reader) =>
        reader.TryReadUInt16(out var app) && reader.TryReadBlob(out var payload) ? new DirectMessage(app, payload.ToArray()) : null;
}
