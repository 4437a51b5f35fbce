using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Pastry;

/// <summary>A snapshot of one node's overlay state (what <c>epost-edge overlay status</c> prints).</summary>
public sealed record OverlayStatus(
    NodeHandle Node,
    bool Joined,
    IReadOnlyList<NeighborStatus> ClockwiseLeaves,
    IReadOnlyList<NeighborStatus> CounterClockwiseLeaves,
    IReadOnlyList<NeighborStatus> RoutingTable,
    IReadOnlyList<int> TableFillByRow,
    int RecentlyDead,
    OverlayCounters Counters,
    TimeSpan Uptime);
