namespace EPostEdge.Overlay.Simulation;

/// <summary>
/// What a simulated run measured (issue 5 item 7). Every field but <see cref="WallTime"/> and
/// <see cref="EventsPerSecond"/> is a pure function of the seed and scenario.
/// </summary>
public sealed record SimulationMetrics
{
    public required ulong Seed { get; init; }

    public required int Nodes { get; init; }

    public required int LiveNodes { get; init; }

    public required TimeSpan SimulatedTime { get; init; }

    public required long EventsProcessed { get; init; }

    public required long FramesDelivered { get; init; }

    public required long FramesDropped { get; init; }

    public required long LookupsIssued { get; init; }

    public required long LookupsDelivered { get; init; }

    public required long LookupsConsistent { get; init; }

    /// <summary>Mean overlay hops of delivered lookups (Pastry §2.3: about log16 N).</summary>
    public required double HopsMean { get; init; }

    /// <summary>99th percentile of hops of delivered lookups.</summary>
    public required int HopsP99 { get; init; }

    /// <summary>Maintenance bytes sent per node per second of its life, over the measured window when one was marked (Bamboo §5: under 900 B/s).</summary>
    public required double MaintenanceBytesPerSecondPerNode { get; init; }

    /// <summary>The run's <see cref="SimulationTrace"/> hash.</summary>
    public required string TraceHash { get; init; }

    /// <summary>Real time spent running events (measurement only: nothing in the run reads it).</summary>
    public required TimeSpan WallTime { get; init; }

    /// <summary>Events per second of wall time.</summary>
    public required double EventsPerSecond { get; init; }

    /// <summary>The fields that must replay exactly (wall-clock measurements zeroed).</summary>
    public SimulationMetrics Replayable => this with { WallTime = TimeSpan.Zero, EventsPerSecond = 0 };

    /// <inheritdoc />
    public override string ToString() =>
        $"seed {Seed}: {LiveNodes}/{Nodes} nodes live, {SimulatedTime.TotalSeconds:F0} s simulated; lookups {LookupsDelivered}/{LookupsIssued} delivered, "
        + $"{LookupsConsistent} consistent; hops mean {HopsMean:F2} p99 {HopsP99}; maintenance {MaintenanceBytesPerSecondPerNode:F0} B/s per node; "
        + $"frames {FramesDelivered} delivered {FramesDropped} dropped; {EventsProcessed} events in {WallTime.TotalSeconds:F1} s wall ({EventsPerSecond:F0}/s); trace {TraceHash[..16]}";
}
