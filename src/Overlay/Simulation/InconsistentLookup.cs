namespace EPostEdge.Overlay.Simulation;

/// <summary>
/// A lookup delivered at a node other than the live root of its key (Pastry §2.3), as the overlay
/// reports it to <see cref="SimulatedOverlay.LookupInconsistent"/>: its path, the true root
/// (-1 when none is alive) and a one-line account.
/// </summary>
public sealed record InconsistentLookup(LookupPath Path, int Root, string What)
{
    /// <summary>The nodes of the violation: the path's and the true root.</summary>
    public IReadOnlyCollection<int> Nodes => Root < 0 ? Path.Nodes : [.. Path.Nodes.Append(Root).Distinct().Order()];
}
