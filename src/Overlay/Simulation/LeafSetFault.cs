namespace EPostEdge.Overlay.Simulation;

/// <summary>
/// The first node whose leaf set is not exactly its L/2 nearest live nodes on each side (Pastry
/// §2.1): who is <see cref="Missing"/>, who is there but should not be (<see cref="Extra"/>, often
/// a dead node), and <see cref="Why"/> as <see cref="SimulatedOverlay.LeafSetsCorrect"/> says it.
/// </summary>
public sealed record LeafSetFault(int Node, IReadOnlyList<int> Missing, IReadOnlyList<int> Extra, string Why)
{
    /// <summary>The nodes of the violation: the node and the differences.</summary>
    public IReadOnlyCollection<int> Nodes => [.. Missing.Concat(Extra).Append(Node).Where(n => n >= 0).Distinct().Order()];
}
