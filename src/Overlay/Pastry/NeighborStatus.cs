using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Pastry;

/// <summary>One neighbour in an <see cref="OverlayStatus"/>.</summary>
/// <param name="Node">Its id and endpoint.</param>
/// <param name="RoundTrip">Smoothed RTT, or null before the first direct answer.</param>
/// <param name="Relay">The node through which it is reached when the direct path fails (source route).</param>
/// <param name="FailedRounds">Probe rounds missed in a row.</param>
/// <param name="RoutedAround">True while routing avoids it for dropping routed messages.</param>
public sealed record NeighborStatus(NodeHandle Node, TimeSpan? RoundTrip, NodeHandle? Relay, int FailedRounds, bool RoutedAround);
