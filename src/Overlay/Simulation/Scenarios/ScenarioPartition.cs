namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>A full partition of a random <see cref="Fraction"/> of the nodes from the rest, from <see cref="Start"/> for <see cref="Length"/>.</summary>
public sealed record ScenarioPartition
{
    /// <summary>The minority side's share of the nodes (0.3: a 30/70 split).</summary>
    public double Fraction { get; set; } = 0.3;

    /// <summary>When the split begins, counted from the end of the join phase.</summary>
    public TimeSpan Start { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long the split lasts.</summary>
    public TimeSpan Length { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest the overlay may take to become one ring again after the split ends (issue 5: 5 minutes).</summary>
    public TimeSpan HealLimit { get; set; } = TimeSpan.FromMinutes(5);
}
