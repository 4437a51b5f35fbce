using System.Globalization;
using System.Text.Json;
using EPostEdge.EdgeNode.Cli;

namespace EPostEdge.EdgeNode.Tests.Cli;

/// <summary><c>simulate</c> in-process: the JSON keys README documents, replay from the seed, refusals.</summary>
public sealed class SimulateCommandTests
{
    private static readonly string[] Keys =
    [
        "scenario", "seed", "nodes", "liveNodes", "simulatedSeconds", "hopsMean", "hopsP99", "lookupsIssued", "lookupsDelivered",
        "lookupsConsistent", "lookupSuccessPercent", "lookupConsistencyPercent", "lookupsExcused", "maintenanceBytesPerSecondPerNode", "healSeconds",
        "settleSeconds", "kills", "restarts", "events", "eventsPerSecond", "wallSeconds", "traceHash", "stoppedAt", "replay", "violations",
    ];

    /// <summary>Churn with no tolerance for an inconsistent lookup, and lookup 60 delivered on purpose at a node that is not its root.</summary>
    private const string StrictChurn = """
        { "name": "churn-strict", "nodes": 24, "duration": "00:01:00", "minimumConsistency": 1, "misdeliverLookup": 60,
          "churn": { "model": "exponential", "medianSession": "00:01:24", "medianOff": "00:01:24" } }
        """;

    [Fact]
    public async Task Steady_prints_one_json_object_with_the_documented_keys_and_replays_from_its_seed()
    {
        var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("simulate", "--scenario", "steady", "--nodes", "20", "--duration", "2m", "--seed", "1", "--json"));
        using var document = JsonDocument.Parse(cli.Output);
        var root = document.RootElement;
        Assert.Equal(Keys.Order(StringComparer.Ordinal), root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("steady", root.GetProperty("scenario").GetString());
        Assert.Equal("1", root.GetProperty("seed").GetString());
        Assert.Equal(20, root.GetProperty("nodes").GetInt32());
        Assert.True(root.GetProperty("lookupsIssued").GetInt64() > 0);
        Assert.Equal(100.0, root.GetProperty("lookupConsistencyPercent").GetDouble());
        Assert.Equal(0, root.GetProperty("violations").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("stoppedAt").ValueKind);
        Assert.Equal("epost-edge simulate --scenario steady --seed 1 --nodes 20 --duration 2m", root.GetProperty("replay").GetString());
        Assert.Contains("seed 1", cli.Error, StringComparison.Ordinal);

        var again = new CliHarness(seed: 99);
        Assert.Equal(ExitCodes.Ok, await again.RunAsync("simulate", "--scenario", "steady", "--nodes", "20", "--duration", "2m", "--seed", "1", "--json"));
        using var replay = JsonDocument.Parse(again.Output);
        Assert.Equal(root.GetProperty("traceHash").GetString(), replay.RootElement.GetProperty("traceHash").GetString());
    }

    [Fact]
    public async Task A_scenario_with_a_disk_section_runs_the_store_on_simulated_disks_and_prints_their_figures()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "disk.json");
        await File.WriteAllTextAsync(path, """
            { "name": "disk", "nodes": 12, "duration": "00:01:00", "minimumConsistency": 0,
              "disk": { "blocksPerSecond": 4, "crashMidWriteRate": 0.1, "fsyncFailureRate": 0.1 } }
            """);
        var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("simulate", "--scenario", path, "--seed", "3", "--json"));
        using var document = JsonDocument.Parse(cli.Output);
        var root = document.RootElement;
        Assert.True(root.GetProperty("blocksAcknowledged").GetDouble() > 0);
        Assert.True(root.GetProperty("blocksVerified").GetDouble() > 0);
        Assert.Equal(0, root.GetProperty("storageViolations").GetDouble());
        foreach (var key in new[] { "fsyncFailures", "diskFullRefusals", "corruptReadsDetected", "diskCrashes", "crashesMidWrite" })
        {
            Assert.True(root.TryGetProperty(key, out _), key);
        }
    }

    [Fact]
    public async Task Without_a_seed_one_is_drawn_and_printed()
    {
        var cli = new CliHarness(seed: 5);
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("simulate", "--nodes", "10", "--duration", "30s"));
        var expected = new EPostEdge.Overlay.Seams.SeededRandomSource(5).NextUInt64();
        Assert.Contains($"seed {expected}", cli.Error, StringComparison.Ordinal);
        Assert.Contains($"seed:        {expected}", cli.Output, StringComparison.Ordinal);
        Assert.Contains("checkers:    no violation", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scenario_file_is_run_and_a_bad_one_refused()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "mine.json");
        await File.WriteAllTextAsync(path, """{ "name": "mine", "nodes": 12, "duration": "00:01:00", "nonTransitivePairs": 1 }""");
        var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("simulate", "--scenario", path, "--seed", "3", "--json"));
        using var document = JsonDocument.Parse(cli.Output);
        Assert.Equal("mine", document.RootElement.GetProperty("scenario").GetString());
        Assert.Equal(12, document.RootElement.GetProperty("nodes").GetInt32());

        await File.WriteAllTextAsync(path, """{ "nodes": 12, "partition": { "fraction": 2 } }""");
        var bad = new CliHarness();
        Assert.Equal(ExitCodes.BadConfiguration, await bad.RunAsync("simulate", "--scenario", path));
        Assert.Contains("partition.fraction", bad.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--scenario", "no-such-scenario")]
    [InlineData("--duration", "ten minutes")]
    [InlineData("--nodes", "1")]
    public async Task A_bad_argument_is_refused(string option, string value)
    {
        var cli = new CliHarness();
        Assert.Equal(ExitCodes.BadConfiguration, await cli.RunAsync("simulate", option, value));
        Assert.Contains(option, cli.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("90", 90)]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("1h", 3600)]
    [InlineData("1.5h", 5400)]
    public void Durations_parse(string text, int seconds)
    {
        Assert.True(SimulateCommand.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Fact]
    public async Task A_violation_stops_the_run_and_its_printed_replay_command_stops_at_the_same_violation()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "strict.json");
        await File.WriteAllTextAsync(path, StrictChurn);
        var cli = new CliHarness();
        Assert.Equal(ExitCodes.SimulationViolation, await cli.RunAsync("simulate", "--scenario", path, "--seed", "7", "--json"));
        using var document = JsonDocument.Parse(cli.Output);
        var root = document.RootElement;
        var stoppedAt = root.GetProperty("stoppedAt").GetDouble();
        Assert.Equal(stoppedAt, root.GetProperty("simulatedSeconds").GetDouble());
        var violation = Assert.Single(root.GetProperty("violations").EnumerateArray()).GetString()!;
        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"seed 7, scenario churn-strict, at {stoppedAt:F3} s: "), violation, StringComparison.Ordinal);
        Assert.Contains("the lookup's path:", violation, StringComparison.Ordinal);
        Assert.Contains($"VIOLATION {violation}", cli.Error, StringComparison.Ordinal);

        var replayLine = cli.Error.Split('\n').Select(l => l.TrimEnd('\r')).Single(l => l.StartsWith("replay: ", StringComparison.Ordinal));
        var replay = replayLine["replay: ".Length..];
        Assert.Equal(root.GetProperty("replay").GetString(), replay);
        var arguments = replay.Split(' ');
        Assert.Equal(["epost-edge", "simulate"], arguments[..2]);

        var again = new CliHarness(seed: 99);
        Assert.Equal(ExitCodes.SimulationViolation, await again.RunAsync([.. arguments[1..], "--json"]));
        using var replayed = JsonDocument.Parse(again.Output);
        Assert.Equal(stoppedAt, replayed.RootElement.GetProperty("stoppedAt").GetDouble());
        Assert.Equal(violation, Assert.Single(replayed.RootElement.GetProperty("violations").EnumerateArray()).GetString());
        Assert.Equal(root.GetProperty("traceHash").GetString(), replayed.RootElement.GetProperty("traceHash").GetString());
    }

    [Fact]
    public async Task Soak_runs_random_seeds_in_parallel_and_prints_each_failing_seed_with_its_replay_command()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "strict.json");
        await File.WriteAllTextAsync(path, StrictChurn);
        var cli = new CliHarness(seed: 4);
        var exit = await cli.RunAsync("simulate", "--soak", "2", "--scenario", path, "--parallel", "2", "--duration", "2m");
        var draws = new EPostEdge.Overlay.Seams.SeededRandomSource(4);
        ulong[] seeds = [draws.NextUInt64(), draws.NextUInt64()];
        Assert.Contains($"seeds: {seeds[0]} {seeds[1]}", cli.Error, StringComparison.Ordinal);

        // A strict churn run of 2 minutes fails for most seeds; whichever fail are printed with their replay.
        var failing = seeds.Where(s => cli.Output.Contains($"replay: epost-edge simulate --scenario {path} --seed {s} --duration 2m", StringComparison.Ordinal)).ToList();
        var passing = seeds.Where(s => cli.Error.Contains($"ok    scenario churn-strict seed {s}", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, failing.Count + passing.Count);
        Assert.Contains($"soak: 2 run(s), {failing.Count} failed", cli.Output, StringComparison.Ordinal);
        Assert.Equal(failing.Count == 0 ? ExitCodes.Ok : ExitCodes.SimulationViolation, exit);
        Assert.NotEmpty(failing);
        foreach (var seed in failing)
        {
            Assert.Contains($"FAIL  seed {seed}, scenario churn-strict, at ", cli.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Soak_passes_when_every_seed_passes()
    {
        var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("simulate", "--soak", "3", "--scenario", "steady", "--nodes", "8", "--duration", "30s", "--parallel", "2"));
        Assert.Contains("soak: 3 run(s), 0 failed", cli.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", cli.Output, StringComparison.Ordinal);
        Assert.Equal(3, cli.Error.Split('\n').Count(l => l.StartsWith("ok    scenario steady seed ", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("--soak", "0")]
    [InlineData("--parallel", "0")]
    public async Task A_bad_soak_argument_is_refused(string option, string value)
    {
        var cli = new CliHarness();
        Assert.Equal(ExitCodes.BadConfiguration, await cli.RunAsync("simulate", "--soak", option == "--soak" ? value : "1", "--parallel", option == "--parallel" ? value : "1"));
        Assert.Contains(option, cli.Error, StringComparison.Ordinal);
    }
}
