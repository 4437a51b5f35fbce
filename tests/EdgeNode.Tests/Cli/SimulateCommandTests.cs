using System.Text.Json;
using EPostEdge.EdgeNode.Cli;

namespace EPostEdge.EdgeNode.Tests.Cli;

/// <summary><c>simulate</c> in-process: the JSON keys README documents, replay from the seed, refusals.</summary>
public sealed class SimulateCommandTests
{
    private static readonly string[] Keys =
    [
        "scenario", "seed", "nodes", "liveNodes", "simulatedSeconds", "hopsMean", "hopsP99", "lookupsIssued", "lookupsDelivered",
        "lookupsConsistent", "lookupSuccessPercent", "lookupConsistencyPercent", "maintenanceBytesPerSecondPerNode", "healSeconds",
        "settleSeconds", "kills", "restarts", "events", "eventsPerSecond", "wallSeconds", "traceHash", "violations",
    ];

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
}
