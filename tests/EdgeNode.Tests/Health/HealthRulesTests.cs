using System.Net;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Health;
using EPostEdge.EdgeNode.Hosting;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Pastry;
using EPostEdge.Overlay.Seams;
using EPostEdge.Storage.Past;

namespace EPostEdge.EdgeNode.Tests.Health;

/// <summary>Which condition a status snapshot is judged to be in, and the graces that keep a passing dip from showing.</summary>
public sealed class HealthRulesTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly HealthOptions Options = new() { BootGraceSeconds = 120, DegradedGraceSeconds = 300 };
    private static readonly SeededRandomSource Random = new(7);

    [Fact]
    public void A_joined_node_with_neighbours_and_full_redundancy_is_healthy()
    {
        var report = new HealthRules(Options).Evaluate(Status(joined: true, leaves: 4), Start.AddMinutes(10), updating: false, []);
        Assert.Equal(NodeCondition.Healthy, report.Condition);
        Assert.Empty(report.Reasons);
        Assert.True(report.Serving);
    }

    [Fact]
    public void Not_joined_is_booting_within_the_grace_and_alone_after_it()
    {
        var rules = new HealthRules(Options);
        Assert.Equal(NodeCondition.Booting, rules.Evaluate(Status(joined: false, leaves: 0), Start.AddSeconds(30), false, []).Condition);
        var later = rules.Evaluate(Status(joined: false, leaves: 0), Start.AddSeconds(121), false, []);
        Assert.Equal(NodeCondition.Alone, later.Condition);
        Assert.Contains("alone", later.Reasons[0], StringComparison.Ordinal);
        Assert.Equal(NodeCondition.Alone, rules.Evaluate(Status(joined: true, leaves: 0), Start.AddSeconds(200), false, []).Condition);
    }

    [Fact]
    public void A_node_without_an_overlay_is_judged_on_its_store_alone()
    {
        var status = Status(joined: true, leaves: 1) with { Overlay = null, Durability = null };
        Assert.Equal(NodeCondition.Healthy, new HealthRules(Options).Evaluate(status, Start.AddSeconds(5), false, []).Condition);
        Assert.Equal(NodeCondition.Booting, new HealthRules(Options).Evaluate(status with { Blocks = null }, Start.AddSeconds(5), false, []).Condition);
    }

    [Fact]
    public void Objects_below_full_redundancy_degrade_the_node_only_after_the_grace_and_the_clock_restarts_when_they_recover()
    {
        var rules = new HealthRules(Options);
        var shortOf = Status(joined: true, leaves: 4, belowFull: 3);
        Assert.Equal(NodeCondition.Healthy, rules.Evaluate(shortOf, Start.AddMinutes(10), false, []).Condition);
        Assert.Equal(NodeCondition.Healthy, rules.Evaluate(shortOf, Start.AddMinutes(14), false, []).Condition);
        var degraded = rules.Evaluate(shortOf, Start.AddMinutes(15), false, []);
        Assert.Equal(NodeCondition.Degraded, degraded.Condition);
        Assert.Contains("3 of 10 objects below full redundancy", degraded.Reasons[0], StringComparison.Ordinal);

        Assert.Equal(NodeCondition.Healthy, rules.Evaluate(Status(joined: true, leaves: 4), Start.AddMinutes(16), false, []).Condition);
        Assert.Equal(NodeCondition.Healthy, rules.Evaluate(shortOf, Start.AddMinutes(17), false, []).Condition);
    }

    [Fact]
    public void The_most_severe_condition_wins_and_every_reason_is_listed_most_severe_first()
    {
        var rules = new HealthRules(Options);
        var status = Status(joined: false, leaves: 0, belowFull: 1) with
        {
            Budget = new BudgetStatus("pi-zero-2w", 200L << 20, 190L << 20, 195L << 20, MemoryShedding: true, DiskNearFull: true),
        };
        rules.Evaluate(status, Start.AddMinutes(3), false, []);
        var report = rules.Evaluate(status, Start.AddMinutes(9), updating: true, ["the store refuses writes: fsync failed"]);
        Assert.Equal(NodeCondition.Failed, report.Condition);
        Assert.False(report.Serving);
        Assert.Equal(6, report.Reasons.Count);
        Assert.Equal("the store refuses writes: fsync failed", report.Reasons[0]);
        Assert.Equal("installing an update", report.Reasons[1]);
        Assert.Contains("disk near full (1 of 64 MiB)", report.Reasons[2], StringComparison.Ordinal);
        Assert.Contains("memory near its budget (190 of 200 MiB)", report.Reasons[3], StringComparison.Ordinal);
        Assert.StartsWith("alone", report.Reasons[4], StringComparison.Ordinal);
        Assert.Contains("below full redundancy", report.Reasons[5], StringComparison.Ordinal);

        Assert.Equal(NodeCondition.NearBudget, rules.Evaluate(status, Start.AddMinutes(10), false, []).Condition);
    }

    private static NodeStatus Status(bool joined, int leaves, int belowFull = 0)
    {
        NodeHandle Handle() => new(NodeId.Random(Random), new IPEndPoint(IPAddress.Loopback, 4000));
        var neighbours = Enumerable.Range(0, leaves).Select(_ => new NeighborStatus(Handle(), TimeSpan.FromMilliseconds(1), null, 0, false)).ToList();
        var live = new OverlayStatus(Handle(), joined, neighbours, [], [], [], 0, new OverlayCounters(), TimeSpan.FromMinutes(1));
        return new NodeStatus
        {
            Running = true,
            DataDirectory = "/var/lib/epost-edge",
            StartedAt = Start,
            Blocks = 12,
            UsedBytes = 1L << 20,
            QuotaBytes = 64L << 20,
            Overlay = new OverlayNodeStatus(live.Node.Id, NodeId.Random(Random), live.Node.EndPoint, Founder: false, MayInvite: false, live),
            Durability = new DurabilityReport(10, belowFull, 0, 0, 1L << 30, 1),
        };
    }
}
