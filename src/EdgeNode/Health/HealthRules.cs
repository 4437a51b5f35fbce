using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Hosting;

namespace EPostEdge.EdgeNode.Health;

/// <summary>
/// Judges a status snapshot: which <see cref="NodeCondition"/>s hold and why. Pure apart from the
/// two moments it remembers between calls (since when redundancy is short, since when the node
/// is without neighbours), so a passing dip does not flash the LEDs; time comes in as an argument.
/// </summary>
public sealed class HealthRules(HealthOptions options)
{
    private DateTimeOffset? _shortSince;

    /// <summary>Evaluates <paramref name="status"/> at <paramref name="now"/>.</summary>
    /// <param name="status">The node's snapshot (StatusReporter.Snapshot()).</param>
    /// <param name="now">The node's clock.</param>
    /// <param name="updating">An update is being installed.</param>
    /// <param name="failures">Why the node cannot work, as reported by its services (empty when none).</param>
    public HealthReport Evaluate(NodeStatus status, DateTimeOffset now, bool updating, IReadOnlyList<string> failures)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(failures);
        var found = new List<(NodeCondition Condition, string Reason)>();
        foreach (var failure in failures)
        {
            found.Add((NodeCondition.Failed, failure));
        }

        if (updating)
        {
            found.Add((NodeCondition.Updating, "installing an update"));
        }

        if (status.Budget is { } budget)
        {
            if (budget.DiskNearFull)
            {
                found.Add((NodeCondition.NearBudget, QuotaText(status) is { } quota ? $"disk near full ({quota}): new mail and new replicas are refused" : "disk near full: new mail and new replicas are refused"));
            }

            if (budget.MemoryShedding)
            {
                found.Add((NodeCondition.NearBudget, $"memory near its budget ({Mebibytes(budget.RssBytes)} of {Mebibytes(budget.MemoryBudgetBytes ?? 0)} MiB): new sessions are refused"));
            }
        }

        var booting = status.StartedAt is not { } started || now - started < TimeSpan.FromSeconds(options.BootGraceSeconds);
        if (status.Blocks is null)
        {
            found.Add((NodeCondition.Booting, "opening the store"));
        }

        if (status.Overlay is { } overlay)
        {
            var live = overlay.Live;
            var neighbours = live is null ? 0 : live.ClockwiseLeaves.Count + live.CounterClockwiseLeaves.Count;
            if (live is null || !live.Joined || neighbours == 0)
            {
                var what = live is { Joined: true } ? "no overlay neighbour answers" : "not joined to the overlay yet";
                found.Add(booting ? (NodeCondition.Booting, what) : (NodeCondition.Alone, $"alone: {what} (partitioned, or the network is down)"));
            }
        }

        if (status.Durability is { BelowFullRedundancy: > 0 } durability)
        {
            _shortSince ??= now;
            if (now - _shortSince.Value >= TimeSpan.FromSeconds(options.DegradedGraceSeconds))
            {
                found.Add((NodeCondition.Degraded, $"{durability.BelowFullRedundancy} of {durability.Objects} objects below full redundancy for {(int)(now - _shortSince.Value).TotalMinutes} min"));
            }
        }
        else
        {
            _shortSince = null;
        }

        found.Sort((a, b) => b.Condition.CompareTo(a.Condition));
        var condition = found.Count == 0 ? NodeCondition.Healthy : found[0].Condition;
        return new HealthReport(condition, found.Select(f => f.Reason).ToList(), now, status);
    }

    private static string? QuotaText(NodeStatus status) =>
        status is { UsedBytes: { } used, QuotaBytes: { } quota } ? $"{Mebibytes(used)} of {Mebibytes(quota)} MiB" : null;

    private static long Mebibytes(long bytes) => bytes / (1024 * 1024);
}
