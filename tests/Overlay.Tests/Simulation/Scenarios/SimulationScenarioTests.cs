using System.Text.Json;
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
