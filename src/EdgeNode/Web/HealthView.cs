using EPostEdge.EdgeNode.Health;
using EPostEdge.Overlay.Pastry;

namespace EPostEdge.EdgeNode.Web;

/// <summary>
/// Everything the page, <c>/health</c> and <c>/metrics</c> render, taken at one moment: the
/// renderers are pure functions of it, so tests build one by hand.
/// </summary>
/// <param name="Report">The health loop's latest evaluation and the status snapshot it judged.</param>
/// <param name="Now">When the request is answered (the node's TimeProvider).</param>
/// <param name="Version">The node's version (assembly informational version).</param>
/// <param name="ResidentBytes">The process's resident set: the budget's figure when the node has one, else the runtime's working set.</param>
/// <param name="RecentLog">The last warnings and errors, newest first.</param>
/// <param name="Warnings">Warnings logged since start.</param>
/// <param name="Errors">Errors logged since start.</param>
/// <param name="RefreshSeconds">How often the page reloads itself (the health loop's period).</param>
/// <param name="WebEndPoint">Where this page is bound (address:port), for the page's list of ports; null when unknown.</param>
public sealed record HealthView(
    HealthReport Report,
    DateTimeOffset Now,
    string Version,
    long? ResidentBytes,
    IReadOnlyList<LogLine> RecentLog,
    long Warnings,
    long Errors,
    int RefreshSeconds,
    string? WebEndPoint = null)
{
    /// <summary>How long the node has run, when it says when it started.</summary>
    public TimeSpan? Uptime => Report.Status.StartedAt is { } started ? Now - started : null;

    /// <summary>
    /// The leaf set's distinct members, counter-clockwise side first; empty when the overlay does
    /// not run. While few nodes are known the two sides overlap (each covers the whole ring), so
    /// a node can be on both: it is listed once.
    /// </summary>
    public IReadOnlyList<NeighborStatus> Leaves =>
        Report.Status.Overlay?.Live is { } live ? [.. live.CounterClockwiseLeaves.Concat(live.ClockwiseLeaves).DistinctBy(n => n.Node.Id)] : [];
}
