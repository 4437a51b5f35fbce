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
        Disk = disk ?? new ScenarioDisk { BlocksPerSecond = 5, FsyncFailureRate = 0.05, CrashMidWriteRate = 0.03, ReadBitFlipRate = 1e-3, CapacityBytes = 1024 * 1024, MaximumBlockBytes = 32 * 1024 },
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
        Assert.True(m["crashesMidWrite"] > 0);
        Assert.True(m["tornBytesTruncated"] > 0, "no crash met a torn tail");
        Assert.True(m["diskFullRefusals"] > 0, "no disk filled up");
    }

    [Fact]
    public void A_disk_whose_fsync_lies_is_caught_by_the_checker()
    {
        // The store acknowledges after an fsync that did nothing: the first crash drops the blocks.
        var extension = new DiskScenarioExtension(disk => new LyingFsyncFileSystem(disk));
        var scenario = Churn(new ScenarioDisk { BlocksPerSecond = 5, Keep = 0, Drop = 1, Garble = 0 });
        var result = ScenarioRunner.Run(scenario, 3, extensions: [extension]);
        output.WriteLine(string.Join(", ", result.ExtensionMetrics.Select(p => $"{p.Key} {p.Value}")));
        Assert.True(result.ExtensionMetrics["storageViolations"] > 0);
        Assert.Contains(result.Violations, v => v.Contains(": disk: node ", StringComparison.Ordinal) && v.Contains("missing", StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_seed_replays_the_same_trace_and_disk_figures()
    {
        var scenario = Churn() with { Nodes = 12, Duration = TimeSpan.FromMinutes(2) };
        var first = ScenarioRunner.Run(scenario, 5, extensions: [new DiskScenarioExtension()]);
        var second = ScenarioRunner.Run(scenario, 5, extensions: [new DiskScenarioExtension()]);
        output.WriteLine(string.Join(", ", first.ExtensionMetrics.Select(p => $"{p.Key} {p.Value}")));
        Assert.True(first.ExtensionMetrics["blocksAcknowledged"] > 0);
        Assert.Equal(first.Metrics.TraceHash, second.Metrics.TraceHash);
        Assert.Equal(first.Violations, second.Violations);

        // The workload and its outcomes replay exactly. How many bytes a power cut leaves as a torn
        // tail, and what the index had written, depend on how far LiteDB's own writer thread got
        // (outside the scheduler): those figures are left out (a CI run under load saw them differ).
        string[] replayed = ["blocksAcknowledged", "blocksVerified", "deletesAcknowledged", "fsyncFailures", "diskFullRefusals", "storageViolations", "diskCrashes", "crashesMidWrite"];
        Assert.Equal(replayed.Select(k => first.ExtensionMetrics[k]), replayed.Select(k => second.ExtensionMetrics[k]));
    }

    /// <summary>A disk whose fsync returns at once and makes nothing durable (a lying write cache).</summary>
    private sealed class LyingFsyncFileSystem(IFileSystem inner) : IFileSystem
    {
        public IFileHandle Open(string path, FileOpenMode mode) => new LyingHandle(inner.Open(path, mode));

        public bool FileExists(string path) => inner.FileExists(path);

        public bool DirectoryExists(string path) => inner.DirectoryExists(path);

        public void CreateDirectory(string path) => inner.CreateDirectory(path);

        public IReadOnlyList<string> List(string directory) => inner.List(directory);

        public void Rename(string sourcePath, string destinationPath) => inner.Rename(sourcePath, destinationPath);

        public void Delete(string path) => inner.Delete(path);

        public void SyncDirectory(string directory) => inner.SyncDirectory(directory);

        public long GetAvailableBytes(string directory) => inner.GetAvailableBytes(directory);

        private sealed class LyingHandle(IFileHandle file) : IFileHandle
        {
            public string Path => file.Path;

            public long Length => file.Length;

            public int Read(long offset, Span<byte> buffer) => file.Read(offset, buffer);

            public void Write(long offset, ReadOnlySpan<byte> data) => file.Write(offset, data);

            public long Append(ReadOnlySpan<byte> data) => file.Append(data);

            public void SetLength(long length) => file.SetLength(length);

            public void Sync()
            {
                // The lie under test: nothing reaches stable storage.
            }

            public void Dispose() => file.Dispose();
        }
    }
}
