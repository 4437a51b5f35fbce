using System.Text.Json;

namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>
/// A simulator scenario as data (issue 5 item 5): how many nodes, for how long, the lookup
/// workload and the faults. Read from JSON with the source-generated <see cref="ScenarioJsonContext"/>
/// (the node is AOT-compiled: no reflection), or one of the <see cref="BuiltIns"/>.
/// </summary>
public sealed record SimulationScenario
{
    public string Name { get; set; } = "custom";

    public int Nodes { get; set; } = 100;

    /// <summary>The measured part of the run, after the join phase.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Lookups per simulated second, from random joined nodes to random keys.</summary>
    public double LookupsPerSecond { get; set; } = 2;

    public ScenarioChurn? Churn { get; set; }

    public ScenarioPartition? Partition { get; set; }

    /// <summary>Pairs of ring neighbours that cannot reach each other while both reach everyone else (ePOST §6).</summary>
    public int NonTransitivePairs { get; set; }

    public ScenarioClockSkew? ClockSkew { get; set; }

    /// <summary>The hook for <c>correlated-60</c>.</summary>
    public ScenarioCorrelatedFailure? CorrelatedFailure { get; set; }

    /// <summary>Loss, duplication, reordering, latency range and bandwidth for the whole run; null is a clean network.</summary>
    public ScenarioNetwork? Network { get; set; }

    /// <summary>Timed faults on nodes and the network (hang, slow, clock jumps, swizzle-clog, asymmetric partition).</summary>
    public ScenarioFaults? Faults { get; set; }

    /// <summary>Simulated disks and a block workload, checked for the storage invariants; null runs the overlay alone.</summary>
    public ScenarioDisk? Disk { get; set; }

    /// <summary>Replicated storage on every node and its workload (Storage's replication extension), or null.</summary>
    public ScenarioStorage? Storage { get; set; }

    /// <summary>
    /// Share of lookups that must reach the live root; under churn a lookup may race a death, so
    /// churn scenarios set it below 1 (issue 5: 99.5 % under <c>churn-1m</c>).
    /// </summary>
    public double MinimumConsistency { get; set; } = 1;

    /// <summary>
    /// The checkers' self-test (FoundationDB's "buggify" in miniature): the lookup with this number
    /// is delivered at a node that is not its root, so the run must stop there. Null in real scenarios.
    /// </summary>
    public long? MisdeliverLookup { get; set; }

    /// <summary>The built-in scenarios, by name.</summary>
    public static IReadOnlyDictionary<string, SimulationScenario> BuiltIns { get; } = new Dictionary<string, SimulationScenario>(StringComparer.Ordinal)
    {
        ["steady"] = new() { Name = "steady" },
        ["churn-1m"] = new()
        {
            Name = "churn-1m",
            Churn = new ScenarioChurn { Model = ChurnModel.Exponential, MedianSession = TimeSpan.FromMinutes(1.4), MedianOff = TimeSpan.FromMinutes(1.4) },
            MinimumConsistency = 0.995,
        },
        ["churn-disk"] = new()
        {
            // churn-1m with every node's store on a crash-model disk (Storage's extension, run by
            // `epost-edge simulate`): power cuts mid-write, failed fsyncs, torn tails.
            Name = "churn-disk",
            Churn = new ScenarioChurn { Model = ChurnModel.Exponential, MedianSession = TimeSpan.FromMinutes(1.4), MedianOff = TimeSpan.FromMinutes(1.4) },
            MinimumConsistency = 0.99,
            Disk = new ScenarioDisk { BlocksPerSecond = 2, FsyncFailureRate = 0.01, CrashMidWriteRate = 0.01 },
        },
        ["partition-heal"] = new() { Name = "partition-heal", Duration = TimeSpan.FromMinutes(20), Partition = new ScenarioPartition() },
        ["non-transitive"] = new() { Name = "non-transitive", NonTransitivePairs = 3 },
        ["clock-skew"] = new()
        {
            Name = "clock-skew",
            ClockSkew = new ScenarioClockSkew { MaximumOffset = TimeSpan.FromDays(2 * 365), MaximumDrift = 1e-4 },
            // A quarter of the nodes also see their wall clock jump by up to ±2 years mid-run (ePOST §6).
            Faults = [new ScenarioFault { Kind = FaultKind.ClockJump, At = TimeSpan.FromMinutes(1), Length = TimeSpan.FromMinutes(2), Fraction = 0.25 }],
            // Leases on skewed clocks: 20 s epochs, 6-epoch leases renewed every 2 epochs; a third of
            // the objects is released at 2 min and must be collected, the rest never.
            Storage = new ScenarioStorage
            {
                SmallObjects = 60,
                LargeObjects = 4,
                Logs = 2,
                EpochLength = TimeSpan.FromSeconds(20),
                LeaseEpochs = 6,
                RenewEvery = 2,
                ReleaseFraction = 0.3,
                ReleaseAt = TimeSpan.FromMinutes(2),
            },
        },
        ["churn-storage"] = new()
        {
            // churn-1m with the replicated store: objects and heads written and read while nodes
            // come and go; no acknowledged object may be lost, no head read older than one acknowledged.
            Name = "churn-storage",
            Churn = new ScenarioChurn { Model = ChurnModel.Exponential, MedianSession = TimeSpan.FromMinutes(1.4), MedianOff = TimeSpan.FromMinutes(1.4) },
            MinimumConsistency = 0.99,
            Storage = new ScenarioStorage { SmallObjects = 100, LargeObjects = 4, WriteSpread = TimeSpan.FromMinutes(4), HeadWritesPerSecond = 0.5, RequireRestored = false },
        },
        ["correlated-60"] = new()
        {
            // Glacier's case: objects written first, then 60 % of the nodes fail at once for good.
            // Every object must still be read (from a replica or by decoding fragments) 2 minutes
            // later, and be back at k replicas and n fragments by the end.
            Name = "correlated-60",
            Nodes = 200,
            CorrelatedFailure = new ScenarioCorrelatedFailure(),
            Storage = new ScenarioStorage { ReadAllAt = TimeSpan.FromMinutes(3), Logs = 0 },
        },
        ["faults-mix"] = new()
        {
            Name = "faults-mix",
            Network = new ScenarioNetwork { LossRate = 0.01 },
            Faults =
            [
                new ScenarioFault { Kind = FaultKind.ClockJump, At = TimeSpan.FromSeconds(30), Length = TimeSpan.FromMinutes(6), Fraction = 0.1 },
                new ScenarioFault { Kind = FaultKind.Hang, At = TimeSpan.FromMinutes(1), Length = TimeSpan.FromSeconds(30), Count = 2 },
                new ScenarioFault { Kind = FaultKind.Slow, At = TimeSpan.FromMinutes(2), Length = TimeSpan.FromMinutes(1), Count = 2 },
                new ScenarioFault { Kind = FaultKind.SwizzleClog, At = TimeSpan.FromMinutes(3), Length = TimeSpan.FromMinutes(2), Fraction = 0.05 },
                new ScenarioFault { Kind = FaultKind.Hang, At = TimeSpan.FromMinutes(5), Length = TimeSpan.FromMinutes(1), Count = 1 },
            ],
        },
    };

    /// <summary>Reads a scenario from JSON (keys as <see cref="ToJson"/> writes them).</summary>
    /// <exception cref="JsonException">The text is not a scenario.</exception>
    public static SimulationScenario Parse(string json)
    {
        var scenario = JsonSerializer.Deserialize(json, ScenarioJsonContext.Default.SimulationScenario)
            ?? throw new JsonException("the scenario is null");
        scenario.Validate();
        return scenario;
    }

    /// <summary>The scenario as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ScenarioJsonContext.Default.SimulationScenario);

    /// <summary>Throws a <see cref="JsonException"/> naming the first field out of range.</summary>
    public void Validate()
    {
        static void Check(bool ok, string what)
        {
            if (!ok)
            {
                throw new JsonException($"scenario: {what}");
            }
        }

        Check(Nodes >= 2, "nodes must be at least 2");
        Check(Duration > TimeSpan.Zero, "duration must be positive");
        Check(LookupsPerSecond >= 0, "lookupsPerSecond must not be negative");
        Check(MinimumConsistency is >= 0 and <= 1, "minimumConsistency must be in [0, 1]");
        Check(NonTransitivePairs >= 0, "nonTransitivePairs must not be negative");
        Check(Churn is null || Churn.Model == ChurnModel.None || (Churn.MedianSession > TimeSpan.Zero && Churn.MedianOff > TimeSpan.Zero), "churn medians must be positive");
        Check(Churn is null || Churn.ParetoShape > 0, "churn.paretoShape must be positive");
        Check(Partition is null || Partition.Fraction is > 0 and < 1, "partition.fraction must be in (0, 1)");
        Check(CorrelatedFailure is null || CorrelatedFailure.Fraction is >= 0 and < 1, "correlatedFailure.fraction must be in [0, 1)");
        Check(Disk is null || (Disk.Keep >= 0 && Disk.Drop >= 0 && Disk.Garble >= 0 && Disk.Keep + Disk.Drop + Disk.Garble > 0), "disk.keep, drop and garble must not be negative and not all zero");
        Check(Disk is null || (Disk.FsyncFailureRate is >= 0 and <= 1 && Disk.CrashMidWriteRate is >= 0 and <= 1 && Disk.ReadBitFlipRate is >= 0 and <= 1 && Disk.DeleteFraction is >= 0 and <= 1), "disk rates must be in [0, 1]");
        Check(Disk is null || Disk.CapacityBytes is null or >= 1024 * 1024, "disk.capacityBytes must be at least 1 MiB (the store's index needs room)");
        Check(Disk is null || Disk.BlocksPerSecond >= 0, "disk.blocksPerSecond must not be negative");
        Check(Storage is null || (Storage.SmallObjects >= 0 && Storage.LargeObjects >= 0 && Storage.Homes >= 1 && Storage.SmallBytes >= 1 && Storage.LargeBytes >= 1 && Storage.LargeBytes <= 4 * 1024 * 1024), "storage object counts must not be negative, homes at least 1, and sizes 1 byte .. 4 MiB");
        Check(Storage is null || (Storage.Replicas >= 1 && Storage.FragmentsNeeded >= 1 && Storage.FragmentsNeeded <= Storage.Fragments && Storage.Fragments <= 255), "storage needs 1 <= replicas and 1 <= fragmentsNeeded <= fragments <= 255");
        Check(Storage is null || (Storage.LeaseEpochs > Storage.RenewEvery && Storage.RenewEvery >= 1 && Storage.EpochLength > TimeSpan.Zero), "storage leases need epochLength > 0 and leaseEpochs > renewEvery >= 1");
        Check(Storage is null || (Storage.ReleaseFraction is >= 0 and <= 1 && Storage.ReadsPerSecond >= 0 && Storage.HeadWritesPerSecond >= 0 && Storage.HeadReadsPerSecond >= 0 && Storage.Logs >= 0), "storage rates and fractions must not be negative (releaseFraction <= 1)");
        Check(Disk is null || (Disk.MinimumBlockBytes >= 1 && Disk.MaximumBlockBytes >= Disk.MinimumBlockBytes && Disk.MaximumBlockBytes <= 1024 * 1024), "disk block sizes must satisfy 1 <= minimumBlockBytes <= maximumBlockBytes <= 1 MiB");
        Check(ClockSkew is null || (ClockSkew.MaximumOffset >= TimeSpan.Zero && ClockSkew.MaximumDrift >= 0), "clockSkew must not be negative");
        Check(ClockSkew is null || ClockSkew.MaximumDrift < 1, "clockSkew.maximumDrift must be below 1 (a clock cannot run backwards)");
        if (Network?.Check() is { } network)
        {
            Check(false, network);
        }

        for (var i = 0; i < (Faults?.Count ?? 0); i++)
        {
            Check(Faults![i] is not null, $"faults[{i}] must not be null");
            if (Faults[i].Check(i) is { } fault)
            {
                Check(false, fault);
            }
        }

        // One repair is tracked at a time (partition heal time, correlated failure): an asymmetric cut is one too.
        var cuts = Faults?.Count(f => f.Kind == FaultKind.AsymmetricPartition) ?? 0;
        Check(cuts <= 1 && (cuts == 0 || (Partition is null && CorrelatedFailure is null)),
            "faults: at most one asymmetricPartition, and not with partition or correlatedFailure");
    }
}
