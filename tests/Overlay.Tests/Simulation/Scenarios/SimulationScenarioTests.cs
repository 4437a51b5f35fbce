using System.Text.Json;
using EPostEdge.Overlay.Simulation;
using EPostEdge.Overlay.Simulation.Scenarios;

namespace EPostEdge.Overlay.Tests.Simulation.Scenarios;

/// <summary>Scenarios as data: JSON round trips through the source-generated context, validation, the churn distributions' medians.</summary>
public sealed class SimulationScenarioTests
{
    public static TheoryData<string> BuiltInNames => [.. SimulationScenario.BuiltIns.Keys];

    [Theory]
    [MemberData(nameof(BuiltInNames))]
    public void Every_built_in_round_trips_through_json(string name)
    {
        var scenario = SimulationScenario.BuiltIns[name];
        var json = scenario.ToJson();
        var parsed = SimulationScenario.Parse(json);
        Assert.Equal(scenario, parsed);
        Assert.Equal(name, parsed.Name);
        Assert.Equal(json, parsed.ToJson());
    }

    [Fact]
    public void A_hand_written_scenario_parses_with_defaults_for_what_it_leaves_out()
    {
        const string json = """
            {
              // comments and trailing commas are allowed in scenario files
              "name": "mine",
              "nodes": 40,
              "duration": "00:03:00",
              "churn": { "model": "pareto", "medianSession": "00:05:00", "paretoShape": 1.5 },
              "partition": { "fraction": 0.4, "start": "00:00:30", "length": "00:01:00" },
              "nonTransitivePairs": 2,
              "clockSkew": { "maximumOffset": "730.00:00:00", "maximumDrift": 0.0001 },
              "correlatedFailure": { "fraction": 0.25, "at": "00:02:00" },
              "minimumConsistency": 0.99,
            }
            """;
        var scenario = SimulationScenario.Parse(json);
        Assert.Equal("mine", scenario.Name);
        Assert.Equal(40, scenario.Nodes);
        Assert.Equal(TimeSpan.FromMinutes(3), scenario.Duration);
        Assert.Equal(new SimulationScenario().LookupsPerSecond, scenario.LookupsPerSecond);
        Assert.Equal(ChurnModel.Pareto, scenario.Churn!.Model);
        Assert.Equal(TimeSpan.FromMinutes(5), scenario.Churn.MedianSession);
        Assert.Equal(new ScenarioChurn().MedianOff, scenario.Churn.MedianOff);
        Assert.Equal(1.5, scenario.Churn.ParetoShape);
        Assert.Equal(0.4, scenario.Partition!.Fraction);
        Assert.Equal(TimeSpan.FromSeconds(30), scenario.Partition.Start);
        Assert.Equal(2, scenario.NonTransitivePairs);
        Assert.Equal(TimeSpan.FromDays(730), scenario.ClockSkew!.MaximumOffset);
        Assert.Equal(0.25, scenario.CorrelatedFailure!.Fraction);
        Assert.Equal(0.99, scenario.MinimumConsistency);
    }

    [Fact]
    public void The_network_section_and_the_faults_list_parse_with_defaults()
    {
        const string json = """
            {
              "nodes": 50,
              "network": { "lossRate": 0.01, "duplicationRate": 0.001, "reorderRate": 0.02, "minimumLatency": "00:00:00.005",
                           "maximumLatency": "00:00:00.150", "uplinkBytesPerSecond": 125000, "downlinkBytesPerSecond": 1250000 },
              "faults": [
                { "kind": "hang", "at": "00:02:00", "length": "00:00:30", "count": 2 },
                { "kind": "slow", "at": "00:03:00", "length": "00:01:00", "factor": 50 },
                { "kind": "clockJump", "at": "00:01:00", "length": "00:05:00", "fraction": 0.1, "maximumJump": "365.00:00:00" },
                { "kind": "swizzleClog", "at": "00:04:00", "length": "00:02:00", "count": 5 },
                { "kind": "asymmetricPartition", "at": "00:06:00", "length": "00:01:00", "fraction": 0.3, "healLimit": "00:03:00" }
              ]
            }
            """;
        var scenario = SimulationScenario.Parse(json);
        var options = scenario.Network!.ToOptions();
        Assert.Equal(0.01, options.LossRate);
        Assert.Equal(TimeSpan.FromMilliseconds(5), options.MinimumLatency);
        Assert.Equal(TimeSpan.FromMilliseconds(150), options.MaximumLatency);
        Assert.Equal(125_000, options.UplinkBytesPerSecond);
        Assert.Equal(1_250_000, options.DownlinkBytesPerSecond);
        Assert.Equal(new SimulatedNetworkOptions().ReceiveBufferBytes, options.ReceiveBufferBytes);
        var faults = scenario.Faults!;
        Assert.Equal([FaultKind.Hang, FaultKind.Slow, FaultKind.ClockJump, FaultKind.SwizzleClog, FaultKind.AsymmetricPartition], faults.Select(f => f.Kind));
        Assert.Equal(2, faults[0].NodesPicked(50));
        Assert.Equal(TimeSpan.FromSeconds(30), faults[0].Length);
        Assert.Equal(50, faults[1].Factor);
        Assert.Equal(1, faults[1].NodesPicked(50));
        Assert.Equal(5, faults[2].NodesPicked(50));
        Assert.Equal(TimeSpan.FromDays(365), faults[2].MaximumJump);
        Assert.Equal(TimeSpan.FromMinutes(3), faults[4].HealLimit);
        Assert.Equal(scenario, SimulationScenario.Parse(scenario.ToJson()));
    }

    [Theory]
    [InlineData("""{ "network": { "lossRate": 1.5 } }""", "network.lossRate")]
    [InlineData("""{ "network": { "uplinkBytesPerSecond": 0 } }""", "network.uplinkBytesPerSecond")]
    [InlineData("""{ "network": { "minimumLatency": "00:00:01", "maximumLatency": "00:00:00.5" } }""", "network.minimumLatency")]
    [InlineData("""{ "faults": [ { "kind": "hang", "length": "00:00:00" } ] }""", "faults[0].length")]
    [InlineData("""{ "faults": [ { "kind": "hang" }, { "kind": "slow", "factor": 0.5 } ] }""", "faults[1].factor")]
    [InlineData("""{ "faults": [ { "kind": "asymmetricPartition" } ] }""", "faults[0].fraction")]
    [InlineData("""{ "faults": [ { "kind": "hang", "count": 0 } ] }""", "faults[0].count")]
    [InlineData("""{ "faults": [ { "kind": "clockJump", "at": "-00:00:01" } ] }""", "faults[0].at")]
    [InlineData("""{ "faults": [ { "kind": "meteor" } ] }""", "")]
    [InlineData("""{ "partition": {}, "faults": [ { "kind": "asymmetricPartition", "fraction": 0.3 } ] }""", "asymmetricPartition")]
    public void A_bad_network_or_fault_is_refused_naming_the_field(string json, string field)
    {
        var error = Assert.ThrowsAny<JsonException>(() => SimulationScenario.Parse(json));
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "nodes": 1 }""", "nodes")]
    [InlineData("""{ "nodes": 10, "partition": { "fraction": 1.5 } }""", "partition.fraction")]
    [InlineData("""{ "nodes": 10, "minimumConsistency": 2 }""", "minimumConsistency")]
    [InlineData("""{ "nodez": 10 }""", "nodez")]
    [InlineData("""{ "churn": { "model": "weibull" } }""", "")]
    public void A_bad_scenario_is_refused_naming_the_field(string json, string field)
    {
        var error = Assert.ThrowsAny<JsonException>(() => SimulationScenario.Parse(json));
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ChurnModel.Exponential)]
    [InlineData(ChurnModel.Pareto)]
    public void Session_draws_have_the_configured_median(ChurnModel model)
    {
        var churn = new ScenarioChurn { Model = model, MedianSession = TimeSpan.FromMinutes(1.4) };
        var random = new EPostEdge.Overlay.Seams.SeededRandomSource(3);
        var draws = Enumerable.Range(0, 20_001).Select(_ => churn.Draw(churn.MedianSession, random.NextDouble()).TotalSeconds).Order().ToList();
        Assert.InRange(draws[10_000], 84 * 0.95, 84 * 1.05);
        Assert.All(draws, d => Assert.True(d > 0));
    }
}
