namespace EPostEdge.Overlay.Simulation;

/// <summary>How a partition between two groups of simulated nodes cuts the network (issue 5 item 2).</summary>
public enum PartitionKind
{
    /// <summary>Neither group reaches the other.</summary>
    Full,

    /// <summary>Frames from the first group to the second are lost; the other way works (A→B only).</summary>
    Asymmetric,
}
