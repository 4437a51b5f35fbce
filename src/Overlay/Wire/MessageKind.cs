namespace EPostEdge.Overlay.Wire;

/// <summary>The second byte of every overlay frame: what the frame carries.</summary>
public enum MessageKind : byte
{
    // Unauthenticated frames: certificates travel in them (public and self-verifying), nothing else.
    Hello = 1,
    EnrollRequest = 2,
    EnrollReply = 3,

    // Authenticated frames: a per-link MAC covers the whole frame.
    Ping = 16,
    Pong = 17,
    LeafSet = 18,
    RowRequest = 19,
    Row = 20,
    Route = 21,
    HopAck = 22,
    RouteAck = 23,
    Direct = 24,
    JoinReply = 25,
    Leave = 26,
    Relay = 27,
    Relayed = 28,
}
