using EPostEdge.Overlay.Simulation.Scenarios;
using EPostEdge.Storage.FileSystem;
using EPostEdge.Storage.Simulation;
using Xunit.Abstractions;

namespace EPostEdge.Storage.Tests.Simulation;

/// <summary>
/// The real store on per-node crash-model disks in a simulated overlay under churn (issue 5
/// items 3 and 6): the storage checkers pass, they did real work, they can fail, and a run with
/// disks still replays from its seed.
/// </summary>
public sealed class DiskScenarioExtensionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(3);

    /// <summary>20 nodes under 1.4-minute churn, a busy disk workload with every kind of disk fault.</summary>
    private static SimulationScenario Churn(ScenarioDisk? disk = null) => SimulationScenario.BuiltIns["churn-1m"] with
    {
        Name = "disk-churn",
        Nodes = 20,
        Duration = Window,
        LookupsPerSecond = 0.5,

        // The overlay's own checkers are tested elsewhere: here only the storage ones may fail.
        MinimumConsistency = 0,
        Disk = disk ?? new ScenarioDisk { BlocksPerSecond = 5, FsyncFailureRate = 0.05, ReadBitFlipRate = 1e-3, CapacityBytes = 2L * 1024 * 1024 },
    };

    [Fact]
    public void Acknowledged_blocks_survive_crashes_and_restarts_under_churn()
    {
        var extension = new DiskScenarioExtension();
        var result = ScenarioRunner.Run(Churn(), 3, extensions: [extension]);
        var m = result.ExtensionMetrics;
        output.WriteLine(string.Join(", ", m.Select(p => $"{p.Key} {p.Value}")) + $"; kills {result.Kills}");
        Assert.True(m["storageViolations"] == 0, string.Join(Environment.NewLine, result.Violations));
        Assert.True(m["blocksAcknowledged"] > 100, $"{m["blocksAcknowledged"]} blocks acknowledged");
        Assert.True(m["diskCrashes"] >= 10, $"{m["diskCrashes"]} crashes");
        // Verified after restarts too, not only at the end: more verifications than blocks.
        Assert.True(m["blocksVerified"] > m["blocksAcknowledged"], $"{m["blocksVerified"]} verified");
        Assert.True(m["fsyncFailures"] > 0);
    }
}
