using System.Globalization;
using EPostEdge.Overlay.Simulation.Scenarios;
using Xunit.Abstractions;

namespace EPostEdge.Overlay.Tests.Simulation.Scenarios;

/// <summary>
/// Issue 5 item 6: a violation stops the run where it happened, with a minimal trace, and the same
/// seed and scenario stop at the same violation and virtual time. The violations are injected
/// through the checkers' own settings: a lookup delivered on purpose at a node that is not its root
/// (<see cref="SimulationScenario.MisdeliverLookup"/>), under churn with no tolerance, and a heal
/// limit shorter than any heal.
/// </summary>
public sealed class ScenarioStopTests(ITestOutputHelper output)
{
    private static readonly SimulationScenario StrictChurn = SimulationScenario.BuiltIns["churn-1m"] with { Name = "churn-strict", MinimumConsistency = 1, MisdeliverLookup = 60 };

    [Fact]
    public void An_inconsistent_lookup_stops_the_run_at_its_virtual_time_and_the_seed_replays_it()
    {
        var first = ScenarioRunner.Run(StrictChurn, 7, 24, TimeSpan.FromMinutes(1), stopAtViolation: true);
        var replay = ScenarioRunner.Run(StrictChurn, 7, 24, TimeSpan.FromMinutes(1), stopAtViolation: true);
        output.WriteLine(first.Violations.FirstOrDefault() ?? "no violation");

        var stopped = Assert.IsType<TimeSpan>(first.StoppedAt);
        var violation = Assert.Single(first.Violations);
        Assert.Equal(stopped, first.Metrics.SimulatedTime); // the clock stopped inside the delivering event
        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"seed 7, scenario churn-strict, at {stopped.TotalSeconds:F3} s: 1 of at most 120 lookups"), violation, StringComparison.Ordinal);
        Assert.Contains("the lookup's path:", violation, StringComparison.Ordinal);
        Assert.Contains("routed from", violation, StringComparison.Ordinal);
        Assert.Contains("the events among nodes", violation, StringComparison.Ordinal);
        Assert.Null(first.SettleTime);

        Assert.Equal(first.StoppedAt, replay.StoppedAt);
        Assert.Equal(first.Violations, replay.Violations);
        Assert.Equal(first.Metrics.Replayable, replay.Metrics.Replayable);
    }

    [Fact]
    public void Keep_going_runs_to_the_end_and_its_first_violation_is_the_one_a_stopping_run_stops_at()
    {
        var stopping = ScenarioRunner.Run(StrictChurn, 7, 24, TimeSpan.FromMinutes(1), stopAtViolation: true);
        var going = ScenarioRunner.Run(StrictChurn, 7, 24, TimeSpan.FromMinutes(1));
        output.WriteLine($"{going.Metrics} consistency {going.LookupConsistencyPercent:F2} %");

        Assert.Null(going.StoppedAt);
        Assert.NotNull(going.SettleTime);
        Assert.True(going.Metrics.SimulatedTime > stopping.Metrics.SimulatedTime + TimeSpan.FromSeconds(10));
        Assert.Equal(stopping.Violations[0], going.Violations[0]);
        Assert.True(going.Metrics.LookupsDelivered > stopping.Metrics.LookupsDelivered);
    }

    [Fact]
    public void A_leaf_set_violation_names_the_node_and_its_wrong_leaves_in_a_minimal_trace()
    {
        var scenario = SimulationScenario.BuiltIns["partition-heal"] with
        {
            Partition = new ScenarioPartition { Fraction = 0.3, Start = TimeSpan.FromSeconds(30), Length = TimeSpan.FromMinutes(1), HealLimit = TimeSpan.FromMilliseconds(1) },
        };
        var result = ScenarioRunner.Run(scenario, 1, 30, TimeSpan.FromMinutes(3), stopAtViolation: true);
        output.WriteLine(result.Violations.FirstOrDefault() ?? "no violation");

        var violation = Assert.Single(result.Violations);
        Assert.Contains("partition not repaired within 00:00:00.0010000: node ", violation, StringComparison.Ordinal);
        Assert.Contains("minimal trace:" + Environment.NewLine + "the events among nodes", violation, StringComparison.Ordinal);
        Assert.Contains("note   heal", violation, StringComparison.Ordinal);
        Assert.DoesNotContain("last trace", violation, StringComparison.Ordinal);
        Assert.Equal(result.StoppedAt, result.Metrics.SimulatedTime);
    }
}
