using EPostEdge.Overlay.Simulation.Scenarios;
using EPostEdge.Storage.Simulation;
using Xunit.Abstractions;

namespace EPostEdge.Storage.Tests.Simulation;

/// <summary>
/// Issue 6's simulator acceptance, run in CI: Glacier's correlated failure at 200 nodes on 20 seeds
/// (two classes, so the two halves run side by side), the churn scenario with writes and head reads,
/// and the clock-skew scenario's leases. Each failure names its seed; `epost-edge simulate
/// --scenario NAME --seed N --nodes N --duration D` replays it.
/// </summary>
public static class ReplicationScenarios
{
    /// <summary>
    /// correlated-60, shortened: the failure 1 minute into a 5-minute window, every object read
    /// 2 minutes after it, and all of them back at k replicas and n fragments at the end.
    /// </summary>
    public static readonly SimulationScenario Correlated = SimulationScenario.BuiltIns["correlated-60"] with
    {
        Duration = TimeSpan.FromMinutes(5),
        LookupsPerSecond = 0.5,
    };

    public static ScenarioResult Run(ITestOutputHelper output, SimulationScenario scenario, ulong seed)
    {
        var extension = new ReplicationScenarioExtension();
        var result = ScenarioRunner.Run(scenario, seed, stopAtViolation: true, extensions: [extension]);
        var m = result.ExtensionMetrics;
        output.WriteLine($"{scenario.Name} seed {seed}, {scenario.Nodes} nodes, {scenario.Duration}: {result.Metrics}");
        output.WriteLine(string.Join(", ", m.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value:0.##}")));
        Assert.True(result.Violations.Count == 0, $"seed {seed}: {string.Join(Environment.NewLine, result.Violations)}");
        Assert.True(m["objectsAcknowledged"] >= 0.95 * m["objectsInserted"], $"seed {seed}: {m["objectsAcknowledged"]} of {m["objectsInserted"]} inserts acknowledged");
        return result;
    }

    public static void Correlated60(ITestOutputHelper output, ulong seed)
    {
        var result = Run(output, Correlated, seed);
        var m = result.ExtensionMetrics;
        Assert.Equal(120, result.Kills); // 60 % of 200, for good
        Assert.Equal(m["objectsAcknowledged"], m["objectsFullyRedundant"]);
        Assert.True(m["objectReadsServed"] >= m["objectsAcknowledged"], "the read-all sweep did not run");
        Assert.True(m["overheadBeforeFailure"] > 1 && m["overheadAtEnd"] > 1);
    }
}

public sealed class Correlated60FirstSeedsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1UL), InlineData(2UL), InlineData(3UL), InlineData(4UL), InlineData(5UL), InlineData(6UL), InlineData(7UL), InlineData(8UL), InlineData(9UL), InlineData(10UL)]
    public void Every_object_survives_60_percent_of_nodes_failing_at_once(ulong seed) => ReplicationScenarios.Correlated60(output, seed);
}

public sealed class Correlated60LastSeedsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(11UL), InlineData(12UL), InlineData(13UL), InlineData(14UL), InlineData(15UL), InlineData(16UL), InlineData(17UL), InlineData(18UL), InlineData(19UL), InlineData(20UL)]
    public void Every_object_survives_60_percent_of_nodes_failing_at_once(ulong seed) => ReplicationScenarios.Correlated60(output, seed);
}

public sealed class ReplicationChurnAndLeaseTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1UL), InlineData(2UL), InlineData(3UL)]
    public void Under_churn_no_acknowledged_object_is_lost_and_no_stale_head_is_read(ulong seed)
    {
        var scenario = SimulationScenario.BuiltIns["churn-storage"] with { Nodes = 40, Duration = TimeSpan.FromMinutes(6), LookupsPerSecond = 0.5 };
        var result = ReplicationScenarios.Run(output, scenario, seed);
        var m = result.ExtensionMetrics;
        Assert.True(result.Kills >= 40, $"{result.Kills} kills");
        Assert.True(m["headWritesAcknowledged"] >= 50 && m["headReadsServed"] >= 50, "the head checker had too little to check");
    }

    [Theory]
    [InlineData(1UL), InlineData(2UL), InlineData(3UL)]
    public void Clocks_two_years_off_keep_every_live_object_and_collect_the_garbage(ulong seed)
    {
        var scenario = SimulationScenario.BuiltIns["clock-skew"] with { Nodes = 40, Duration = TimeSpan.FromMinutes(8), LookupsPerSecond = 0.5 };
        var result = ReplicationScenarios.Run(output, scenario, seed);
        var m = result.ExtensionMetrics;
        Assert.Equal(0, m["liveItemsCollected"]);
        Assert.Equal(0, m["releasedItemsLeft"]);
        Assert.True(m["objectsFullyRedundant"] > 0);
    }
}
