using System.Text.Json;
using EPostEdge.Overlay.Simulation.Scenarios;
using Xunit.Abstractions;

namespace EPostEdge.Overlay.Tests.Simulation.Scenarios;

/// <summary>
/// The CI seed matrix (issue 5 acceptance): every entry of <see cref="SimulationScenario.BuiltIns"/>
/// — including ones added later — on fixed seeds at a reduced size, through the same runner as
/// <c>epost-edge simulate</c>, stopping at the first violation. A failure message carries the seed,
/// the virtual time and a minimal trace; <c>epost-edge simulate --scenario NAME --seed N --nodes 40</c>
/// (with the duration printed below) replays it.
/// </summary>
public sealed class ScenarioSeedMatrixTests(ITestOutputHelper output)
{
    private const int Nodes = 40;

    private static readonly ulong[] Seeds = [1, 2, 3, 4, 5, 10];

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(4);

    /// <summary>
    /// Seeds left out because PastryNode, not the checker, fails them (do not loosen the checker).
    /// None since a lookup's root is the closest joined node and joins are admitted faster:
    /// churn-1m seeds 1 and 2 were left out before (a root still joining).
    /// </summary>
    private static readonly HashSet<(string Scenario, ulong Seed)> LeftOut = [];

    /// <summary>
    /// The fields this matrix knows how to shrink; a scenario with any other section set keeps its
    /// own duration. Disk and storage sections are inert here: they are Storage's extensions, which
    /// Storage's own tests (Simulation/ReplicationScenarioTests too) and `epost-edge simulate` run.
    /// </summary>
    private static readonly HashSet<string> Shrinkable =
        ["name", "nodes", "duration", "lookupsPerSecond", "churn", "partition", "nonTransitivePairs", "clockSkew", "correlatedFailure", "minimumConsistency", "disk", "storage"];

    public static TheoryData<string, ulong> Matrix
    {
        get
        {
            var data = new TheoryData<string, ulong>();
            foreach (var name in SimulationScenario.BuiltIns.Keys.Order(StringComparer.Ordinal))
            {
                foreach (var seed in Seeds.Where(s => !LeftOut.Contains((name, s))))
                {
                    data.Add(name, seed);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void A_built_in_scenario_passes_every_checker(string name, ulong seed)
    {
        var scenario = Reduced(SimulationScenario.BuiltIns[name]);
        var result = ScenarioRunner.Run(scenario, seed, stopAtViolation: true);
        output.WriteLine($"{name} seed {seed}, {scenario.Nodes} nodes, {scenario.Duration}: {result.Metrics}");
        output.WriteLine($"consistency {result.LookupConsistencyPercent:F2} %, heal {result.HealTime}, settle {result.SettleTime}, kills {result.Kills}");

        Assert.True(result.Passed, string.Join(Environment.NewLine, result.Violations));
        Assert.Null(result.StoppedAt);
        Assert.True(result.Metrics.LookupsIssued > 0);
        Assert.NotNull(result.SettleTime);
        if (scenario.Partition is not null)
        {
            Assert.NotNull(result.HealTime);
            Assert.InRange(result.HealTime.Value, TimeSpan.Zero, scenario.Partition.HealLimit);
        }
    }

    [Fact]
    public void The_matrix_covers_every_built_in()
    {
        var covered = Matrix.Select(row => (string)row[0]).ToHashSet();
        Assert.Equal(SimulationScenario.BuiltIns.Keys.Order(StringComparer.Ordinal), covered.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// At most <see cref="Nodes"/> nodes; a few simulated minutes when every set section is one this
    /// matrix can shrink (the partition moved early enough to heal inside the window), otherwise the
    /// scenario's own duration, so timed faults still start and end inside the window.
    /// </summary>
    private static SimulationScenario Reduced(SimulationScenario scenario)
    {
        scenario = scenario with { Nodes = Math.Min(scenario.Nodes, Nodes) };
        using var json = JsonDocument.Parse(scenario.ToJson());
        var unknown = json.RootElement.EnumerateObject().Any(p => !Shrinkable.Contains(p.Name) && p.Value.ValueKind is not (JsonValueKind.Null or JsonValueKind.False)
            && !(p.Value.ValueKind == JsonValueKind.Array && p.Value.GetArrayLength() == 0));
        if (unknown || scenario.Duration <= Window)
        {
            return scenario;
        }

        if (scenario.Partition is { } partition)
        {
            // Split 30 s in for 2 min: it heals with a whole heal limit left in the window.
            var moved = partition with { Start = TimeSpan.FromSeconds(30), Length = TimeSpan.FromMinutes(2) };
            return scenario with { Partition = moved, Duration = moved.Start + moved.Length + moved.HealLimit };
        }

        return scenario with
        {
            Duration = Window,
            CorrelatedFailure = scenario.CorrelatedFailure is { } failure && failure.At >= Window / 2 ? failure with { At = Window / 4 } : scenario.CorrelatedFailure,
        };
    }
}
