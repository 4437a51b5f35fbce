using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Wire;

/// <summary>
/// The body of one authenticated overlay frame (see <see cref="Frame"/>). Each message type
/// writes its fields with <see cref="WireWriter"/>; <see cref="TryReadBody"/> is the inverse and
/// rejects anything truncated, overlong or unknown.
/// </summary>
public abstract record OverlayMessage
{
    /// <summary>What kind of frame carries it.</summary>
    public abstract MessageKind Kind { get; }

    /// <summary>Writes the fields after the frame header.</summary>
    public abstract void WriteBody(WireWriter writer);

    /// <summary>Reads the body of a frame of <paramref name="kind"/>; false for anything malformed.</summary>
    public static bool TryReadBody(MessageKind kind, ref WireReader reader, out OverlayMessage? message)
    {
        message = kind switch
        {
            MessageKind.Ping => reader.TryReadUInt64(out var n) ? new PingMessage(n) : null,
            MessageKind.Pong => reader.TryReadUInt64(out var n) ? new PongMessage(n) : null,
            MessageKind.LeafSet => LeafSetMessage.TryRead(ref reader),
            MessageKind.RowRequest => reader.TryReadByte(out var row) && row < NodeId.Digits ? new RowRequestMessage(row) : null,
            MessageKind.Row => RowMessage.TryRead(ref reader),
            MessageKind.Route => RouteMessage.TryRead(ref reader),
            MessageKind.HopAck => reader.TryReadUInt64(out var n) ? new HopAckMessage(n) : null,
            MessageKind.RouteAck => reader.TryReadUInt64(out var n) ? new RouteAckMessage(n) : null,
            MessageKind.Direct => DirectMessage.TryRead(ref reader),
            MessageKind.JoinReply => JoinReplyMessage.TryRead(ref reader),
            MessageKind.Leave => new LeaveMessage(),
            MessageKind.Relay => RelayMessage.TryRead(ref reader),
            MessageKind.Relayed => RelayedMessage.TryRead(ref reader),
            _ => null,
        };
        return message is not null;
    }
}
