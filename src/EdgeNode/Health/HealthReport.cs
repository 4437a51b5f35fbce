using EPostEdge.EdgeNode.Hosting;

namespace EPostEdge.EdgeNode.Health;

/// <summary>One evaluation of the node's health: the condition, why, and the status it was judged on.</summary>
/// <param name="Condition">The most severe condition that holds.</param>
/// <param name="Reasons">One short sentence per condition that holds (most severe first); empty when healthy.</param>
/// <param name="At">When it was evaluated (the node's TimeProvider).</param>
/// <param name="Status">The snapshot it was judged on (what status.json says at that moment).</param>
public sealed record HealthReport(NodeCondition Condition, IReadOnlyList<string> Reasons, DateTimeOffset At, NodeStatus Status)
{
    /// <summary>Healthy or degraded or alone: the node still stores and serves mail (for the watchdog and <c>/health</c>'s HTTP code).</summary>
    public bool Serving => Condition is not (NodeCondition.Failed or NodeCondition.Booting);
}
