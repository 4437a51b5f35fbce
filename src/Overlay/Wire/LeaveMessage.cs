namespace EPostEdge.Overlay.Wire;

/// <summary>A graceful leave: the receiver drops the sender at once instead of waiting for timeouts.</summary>
public sealed record LeaveMessage : OverlayMessage
{
    public override MessageKind Kind => MessageKind.Leave;

    public override void WriteBody(WireWriter writer)
    {
    }
}
