namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>Per-node wall-clock error: an offset uniform in ±<see cref="MaximumOffset"/> and a drift uniform in ±<see cref="MaximumDrift"/>.</summary>
public sealed record ScenarioClockSkew
{
    /// <summary>Largest offset (ePOST §6 met a machine two years off).</summary>
    public TimeSpan MaximumOffset { get; set; }

    /// <summary>Largest relative rate error (1e-4 gains 8.6 s a day).</summary>
    public double MaximumDrift { get; set; }
}
