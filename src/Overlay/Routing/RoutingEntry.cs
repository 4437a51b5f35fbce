using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Routing;

/// <summary>A routing-table slot's node and the round-trip time it was chosen by.</summary>
public sealed record RoutingEntry(NodeHandle Node, TimeSpan RoundTrip);
