namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>
/// A random <see cref="Fraction"/> of the nodes crashes at <see cref="At"/> and never returns
/// (Glacier §1: correlated failures of up to 60 % of the nodes). The overlay must repair around them;
/// once replication lands, the storage checkers measure what survived.
/// </summary>
public sealed record ScenarioCorrelatedFailure
{
    public double Fraction { get; set; } = 0.6;

    /// <summary>When the nodes fail, counted from the end of the join phase.</summary>
    public TimeSpan At { get; set; } = TimeSpan.FromMinutes(1);
}
