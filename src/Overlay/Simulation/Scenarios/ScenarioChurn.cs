namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>
/// A scenario's churn: each node alternates a session (alive) and an off time (dead), both drawn
/// from <see cref="Model"/> with the given medians; a returning node rejoins through a random live node.
/// </summary>
public sealed record ScenarioChurn
{
    public ChurnModel Model { get; set; }

    /// <summary>Median session time (Bamboo's hardest case: 1.4 min).</summary>
    public TimeSpan MedianSession { get; set; } = TimeSpan.FromMinutes(1.4);

    /// <summary>Median off time before the node comes back.</summary>
    public TimeSpan MedianOff { get; set; } = TimeSpan.FromMinutes(1.4);

    /// <summary>Pareto shape α (ignored for exponential); must be above 1 for a finite mean.</summary>
    public double ParetoShape { get; set; } = 2;

    /// <summary>
    /// One draw with median <paramref name="median"/>: exponential u ↦ −m/ln 2 · ln(1−u);
    /// Pareto with scale m/2^(1/α), so that its median is m.
    /// </summary>
    public TimeSpan Draw(TimeSpan median, double uniform)
    {
        var u = Math.Clamp(uniform, 0, 1 - 1e-12);
        var seconds = Model switch
        {
            ChurnModel.Exponential => -median.TotalSeconds / Math.Log(2) * Math.Log(1 - u),
            ChurnModel.Pareto => median.TotalSeconds / Math.Pow(2, 1 / ParetoShape) / Math.Pow(1 - u, 1 / ParetoShape),
            _ => double.PositiveInfinity,
        };

        // Cap at a day: a long tail must not overflow TimeSpan, and a day is longer than any run.
        return TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.FromDays(1).TotalSeconds));
    }
}
