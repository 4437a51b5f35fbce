namespace EPostEdge.Overlay.Scribe;

/// <summary>What a <see cref="ScribeMessage"/> is. The numbers are on the wire: never reuse one.</summary>
public enum ScribeMessageKind : byte
{
    /// <summary>Routed to the group key; makes its root the tree's root.</summary>
    Create = 1,

    /// <summary>Routed to the group key; every node on the way becomes a forwarder (reverse-path tree).</summary>
    Join = 2,

    /// <summary>Sent to the previous tree hop of a JOIN: "I am your parent".</summary>
    JoinAck = 3,

    /// <summary>Sent by a parent to each child: "I am alive".</summary>
    Heartbeat = 4,

    /// <summary>Sent by a child to its parent: "keep me".</summary>
    Refresh = 5,

    /// <summary>Sent either way: "drop the parent/child link between us".</summary>
    Leave = 6,

    /// <summary>Routed to the group key: the root spreads the payload down the tree.</summary>
    Multicast = 7,

    /// <summary>Sent by a parent to each child: a multicast's payload going down the tree.</summary>
    Data = 8,

    /// <summary>Routed to the group key until it meets the tree.</summary>
    Anycast = 9,

    /// <summary>Sent between tree nodes: the depth-first search of an anycast through the tree.</summary>
    AnycastSearch = 10,
}
