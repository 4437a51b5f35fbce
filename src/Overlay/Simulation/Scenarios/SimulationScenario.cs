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

    /// <summary>Simulated disks and a block workload, checked for the storage invariants; null runs the overlay alone.</summary>
    public ScenarioDisk? Disk { get; set; }

    /// <summary>
    /// Share of lookups that must reach the live root; under churn a lookup may race a death, so
    /// churn scenarios set it below 1 (issue 5: 99.5 % under <c>churn-1m</c>).
    /// </summary>
    public double MinimumConsistency { get; set; } = 1;

    /// <summary>The built-in scenarios, by name.</summary>
    public static IReadOnlyDictionary<string, SimulationScenario> BuiltIns { get; } = new Dictionary<string, SimulationScenario>(StringComparer.Ordinal)
    {
        ["steady"] = new() { Name = "steady" },
        ["churn-1m"] = new()
        {
            Name = "churn-1m",
            Churn = new ScenarioChurn { Model = ChurnModel.Exponential, MedianSession = TimeSpan.FromMinutes(1.4), MedianOff = TimeSpan.FromMinutes(1.4) },
            MinimumConsistency = 0.995,
            Disk = new ScenarioDisk { BlocksPerSecond = 2, FsyncFailureRate = 0.01, CrashMidWriteRate = 0.01 },
        },
        ["partition-heal"] = new() { Name = "partition-heal", Duration = TimeSpan.FromMinutes(20), Partition = new ScenarioPartition() },
        ["non-transitive"] = new() { Name = "non-transitive", NonTransitivePairs = 3 },
        ["clock-skew"] = new()
        {
            Name = "clock-skew",
            ClockSkew = new ScenarioClockSkew { MaximumOffset = TimeSpan.FromDays(2 * 365), MaximumDrift = 1e-4 },
        },
        ["correlated-60"] = new()
        {
            Name = "correlated-60",
            CorrelatedFailure = new ScenarioCorrelatedFailure(),

            // No power cuts of its own: a node crashed outside the failure's repair window would
            // make lookups miss their root where this scenario tolerates none.
            Disk = new ScenarioDisk { BlocksPerSecond = 2, FsyncFailureRate = 0.01 },
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
        Check(Disk is null || (Disk.MinimumBlockBytes >= 1 && Disk.MaximumBlockBytes >= Disk.MinimumBlockBytes && Disk.MaximumBlockBytes <= 1024 * 1024), "disk block sizes must satisfy 1 <= minimumBlockBytes <= maximumBlockBytes <= 1 MiB");
        Check(ClockSkew is null || (ClockSkew.MaximumOffset >= TimeSpan.Zero && ClockSkew.MaximumDrift >= 0), "clockSkew must not be negative");
    }
}
