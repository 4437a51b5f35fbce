namespace EPostEdge.Overlay.Scribe;

/// <summary>Timers of <see cref="Scribe"/>'s tree maintenance (Scribe §2.3, "reliability").</summary>
public sealed record ScribeOptions
{
    /// <summary>
    /// How often a parent tells each child it is alive and each child refreshes its parent. A
    /// multicast from the parent counts as a heartbeat too (Scribe §2.3: "a parent's multicast
    /// messages serve as an implicit heartbeat").
    /// </summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a child waits without hearing from its parent before it presumes the parent dead
    /// and re-joins by routing a new JOIN to the group key (three missed heartbeats by default).
    /// Also how long a JOIN may go unanswered before it is sent again.
    /// </summary>
    public TimeSpan ParentTimeout { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>How long a parent keeps a child whose refresh it has not seen.</summary>
    public TimeSpan ChildTimeout { get; init; } = TimeSpan.FromSeconds(8);
}
