using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Kbr;

/// <summary>A node entered (<paramref name="Joined"/>) or left this node's leaf set.</summary>
public readonly record struct LeafSetChange(NodeHandle Node, bool Joined);
