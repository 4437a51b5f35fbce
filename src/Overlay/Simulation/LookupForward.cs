namespace EPostEdge.Overlay.Simulation;

/// <summary>One hop of a simulated lookup: at <see cref="Time"/> node <see cref="From"/> forwarded it to node <see cref="To"/> (-1: not a node of the run).</summary>
public readonly record struct LookupForward(TimeSpan Time, int From, int To);
