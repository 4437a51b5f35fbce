namespace EPostEdge.Overlay.Simulation;

/// <summary>The simulated network's fault rates and latency range (issue 5 item 2).</summary>
public sealed record SimulatedNetworkOptions
{
    /// <summary>One-way latency between the two nearest points (FreePastry's direct simulator: 2 ms).</summary>
    public TimeSpan MinimumLatency { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>One-way latency across the unit square's diagonal.</summary>
    public TimeSpan MaximumLatency { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Probability that a frame is lost.</summary>
    public double LossRate { get; init; }

    /// <summary>Probability that a frame is delivered twice.</summary>
    public double DuplicationRate { get; init; }

    /// <summary>Probability that a frame gets an extra random delay (so later frames overtake it).</summary>
    public double ReorderRate { get; init; }

    /// <summary>Largest extra delay of a reordered frame.</summary>
    public TimeSpan MaximumExtraDelay { get; init; } = TimeSpan.FromMilliseconds(500);
}
