namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>What <see cref="ScenarioRunner.Run"/> measured and what its checkers found.</summary>
public sealed record ScenarioResult
{
    /// <summary>The scenario as run (with any node count or duration override applied).</summary>
    public required SimulationScenario Scenario { get; init; }

    public required SimulationMetrics Metrics { get; init; }

    /// <summary>Checker violations, each with the seed, the scenario, the virtual time and a minimal trace; empty when the run passed.</summary>
    public required IReadOnlyList<string> Violations { get; init; }

    /// <summary>Partition scenarios: simulated time from the lift of the split to one ring with exact leaf sets; null otherwise or when it never healed.</summary>
    public TimeSpan? HealTime { get; init; }

    /// <summary>Simulated time from the end of the faults to exact leaf sets (the final settle check).</summary>
    public TimeSpan? SettleTime { get; init; }

    /// <summary>Virtual time at which the run stopped at its first violation (runs with <c>stopAtViolation</c>); null when it ran to the end.</summary>
    public TimeSpan? StoppedAt { get; init; }

    /// <summary>Nodes crashed by churn or a correlated failure.</summary>
    public int Kills { get; init; }

    /// <summary>Churned nodes started again (including those brought back when the faults stop).</summary>
    public int Restarts { get; init; }

    /// <summary>Inconsistent lookups excused because a fault explains them (their root or the node they reached was hung, slow or clogged).</summary>
    public long LookupsExcused { get; init; }

    /// <summary>Figures of the run's <see cref="IScenarioExtension"/>s (e.g. the disk's), by camelCase key; empty without extensions.</summary>
    public IReadOnlyDictionary<string, double> ExtensionMetrics { get; init; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>Percentage of delivered lookups that reached their live root (100 when none were delivered).</summary>
    public double LookupConsistencyPercent => Metrics.LookupsDelivered == 0 ? 100 : 100.0 * Metrics.LookupsConsistent / Metrics.LookupsDelivered;

    /// <summary>Percentage of issued lookups that were delivered (100 when none were issued).</summary>
    public double LookupSuccessPercent => Metrics.LookupsIssued == 0 ? 100 : 100.0 * Metrics.LookupsDelivered / Metrics.LookupsIssued;

    /// <summary>True when no checker found a violation.</summary>
    public bool Passed => Violations.Count == 0;
}
