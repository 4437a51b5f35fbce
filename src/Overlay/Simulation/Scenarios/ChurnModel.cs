namespace EPostEdge.Overlay.Simulation.Scenarios;

/// <summary>How long a node stays up (issue 5 item 4: churn with a session-time distribution).</summary>
public enum ChurnModel
{
    /// <summary>No churn: nodes stay up for the whole run.</summary>
    None,

    /// <summary>Exponential session times (Bamboo §4's model: memoryless arrivals and departures).</summary>
    Exponential,

    /// <summary>Pareto session times (heavy-tailed, as measured in deployed file-sharing networks).</summary>
    Pareto,
}
