using EPostEdge.Overlay.Simulation.Scenarios;
using Xunit.Abstractions;

namespace EPostEdge.Overlay.Tests.Simulation.Scenarios;

/// <summary>Scenarios with timed faults: faults-mix passes its checkers, an asymmetric cut heals, and faults replay from the seed.</summary>
public sealed class ScenarioFaultsTests(ITestOutputHelper output)
{
    /// <summary>Every fault kind early in a short run, so a small replay test covers them all.</summary>
    private static readonly SimulationScenario EveryFault = new()
    {
        Name = "every-fault",
        Network = new ScenarioNetwork { LossRate = 0.01, ReorderRate = 0.05, UplinkBytesPerSecond = 50_000 },
        Faults =
        [
            new ScenarioFault { Kind = FaultKind.Hang, At = TimeSpan.FromSeconds(10), Length = TimeSpan.FromSeconds(20), Count = 2 },
            new ScenarioFault { Kind = FaultKind.Slow, At = TimeSpan.FromSeconds(20), Length = TimeSpan.FromSeconds(30), Count = 1 },
            new ScenarioFault { Kind = FaultKind.ClockJump, At = TimeSpan.Zero, Length = TimeSpan.FromMinutes(1), Fraction = 0.2 },
            new ScenarioFault { Kind = FaultKind.SwizzleClog, At = TimeSpan.FromSeconds(40), Length = TimeSpan.FromSeconds(40), Count = 3 },
            new ScenarioFault { Kind = FaultKind.AsymmetricPartition, At = TimeSpan.FromSeconds(30), Length = TimeSpan.FromSeconds(30), Fraction = 0.2 },
        ],
    };

    [Fact]
    public void Faults_mix_keeps_lookups_consistent_and_the_leaf_sets_exact_after_the_faults_stop()
    {
        // The faults end 6 minutes in; the seventh lets the last hang's node be re-absorbed while lookups run.
        var result = ScenarioRunner.Run(SimulationScenario.BuiltIns["faults-mix"], 1, nodes: 40, duration: TimeSpan.FromMinutes(7));
        output.WriteLine($"{result.Metrics} consistency {result.LookupConsistencyPercent:F2} % success {result.LookupSuccessPercent:F2} % excused {result.LookupsExcused} settle {result.SettleTime}");
        Assert.True(result.Passed, string.Join(Environment.NewLine, result.Violations));
        Assert.NotNull(result.SettleTime);
        Assert.Equal(result.Metrics.Nodes, result.Metrics.LiveNodes);
        Assert.True(result.Metrics.LookupsIssued > 500);
        Assert.True(result.Metrics.FramesDropped > 0); // 1 % loss and full buffers
        Assert.True(result.LookupSuccessPercent >= 99, $"{result.LookupSuccessPercent:F2} % delivered");
    }

    [Fact]
    public void The_same_seed_replays_the_same_trace_with_every_fault_on_and_another_seed_does_not()
    {
        var first = ScenarioRunner.Run(EveryFault, 5, nodes: 30, duration: TimeSpan.FromMinutes(2));
        var second = ScenarioRunner.Run(EveryFault, 5, nodes: 30, duration: TimeSpan.FromMinutes(2));
        var other = ScenarioRunner.Run(EveryFault, 6, nodes: 30, duration: TimeSpan.FromMinutes(2));
        output.WriteLine($"{first.Metrics} heal {first.HealTime} excused {first.LookupsExcused}");
        Assert.Equal(first.Metrics.Replayable, second.Metrics.Replayable);
        Assert.Equal(first.Violations, second.Violations);
        Assert.Equal(first.LookupsExcused, second.LookupsExcused);
        Assert.NotEqual(first.Metrics.TraceHash, other.Metrics.TraceHash);
    }

    [Fact]
    public void An_asymmetric_partition_heals_within_its_limit_and_reports_the_heal_time()
    {
        var scenario = new SimulationScenario
        {
            Name = "asymmetric",
            Faults = [new ScenarioFault { Kind = FaultKind.AsymmetricPartition, At = TimeSpan.FromSeconds(30), Length = TimeSpan.FromMinutes(1), Fraction = 0.3 }],
        };
        var result = ScenarioRunner.Run(scenario, 1, nodes: 40, duration: TimeSpan.FromMinutes(4));
        output.WriteLine($"{result.Metrics} heal {result.HealTime}");
        Assert.True(result.Passed, string.Join(Environment.NewLine, result.Violations));
        Assert.NotNull(result.HealTime);
        Assert.InRange(result.HealTime.Value, TimeSpan.Zero, scenario.Faults[0].HealLimit);
    }

    [Fact]
    public void A_fault_past_a_shortened_window_is_skipped_and_one_running_at_its_end_is_lifted()
    {
        var scenario = new SimulationScenario
        {
            Name = "late",
            Faults =
            [
                new ScenarioFault { Kind = FaultKind.Hang, At = TimeSpan.FromSeconds(30), Length = TimeSpan.FromHours(1), Count = 3 },
                new ScenarioFault { Kind = FaultKind.SwizzleClog, At = TimeSpan.FromHours(2), Length = TimeSpan.FromMinutes(1), Count = 3 },
            ],
        };
        var result = ScenarioRunner.Run(scenario, 2, nodes: 30, duration: TimeSpan.FromMinutes(2));
        output.WriteLine($"{result.Metrics} excused {result.LookupsExcused}");
        Assert.True(result.Passed, string.Join(Environment.NewLine, result.Violations));
        Assert.NotNull(result.SettleTime);
        Assert.True(result.LookupsExcused > 0, "lookups rooted at the hung nodes reached their neighbours");
    }
}
