using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Health;
using EPostEdge.EdgeNode.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.EdgeNode.Tests.Health;

/// <summary>The health loop: judges on its timer, tells its listeners, and calls a node that cannot read its own state failed.</summary>
public sealed class HealthMonitorTests
{
    [Fact]
    public async Task A_snapshot_that_throws_makes_the_node_failed_and_it_recovers_when_the_state_reads_again()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        var broken = false;
        NodeStatus Snapshot() => broken
            ? throw new IOException("No space left on device")
            : new NodeStatus { Running = true, DataDirectory = "/data", Pid = 1, StartedAt = time.GetUtcNow(), Blocks = 3 };
        var monitor = new HealthMonitor(Snapshot, time, new HealthOptions { PeriodSeconds = 5 }, NullLogger<HealthMonitor>.Instance);
        var seen = new List<NodeCondition>();
        monitor.Evaluated += r => seen.Add(r.Condition);
        await monitor.StartAsync(CancellationToken.None);
        Assert.Equal(NodeCondition.Healthy, monitor.Current.Condition);

        broken = true;
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(NodeCondition.Failed, monitor.Current.Condition);
        Assert.Equal("the node cannot read its own state: No space left on device", monitor.Current.Reasons[0]);
        Assert.False(monitor.Current.Serving);

        broken = false;
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(NodeCondition.Healthy, monitor.Current.Condition);
        Assert.Equal([NodeCondition.Healthy, NodeCondition.Failed, NodeCondition.Healthy], seen);
        await monitor.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_reported_failure_holds_until_it_is_cleared()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        var monitor = new HealthMonitor(() => new NodeStatus { Running = true, DataDirectory = "/data", StartedAt = time.GetUtcNow(), Blocks = 0 }, time, new HealthOptions(), NullLogger<HealthMonitor>.Instance);
        await monitor.StartAsync(CancellationToken.None);
        monitor.ReportFailure("status file: disk full");
        Assert.Equal(NodeCondition.Failed, monitor.Evaluate().Condition);
        monitor.ClearFailure("status file: disk full");
        monitor.SetUpdating(true);
        Assert.Equal(NodeCondition.Updating, monitor.Evaluate().Condition);
        monitor.SetUpdating(false);
        Assert.Equal(NodeCondition.Healthy, monitor.Evaluate().Condition);
        await monitor.DisposeAsync();
    }
}
