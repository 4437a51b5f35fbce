namespace EPostEdge.EdgeNode.Health;

/// <summary>Where the LEDs, the watchdog and the web page read the node's health (<see cref="HealthMonitor"/> in the node).</summary>
public interface IHealthSource
{
    /// <summary>The latest evaluation.</summary>
    HealthReport Current { get; }

    /// <summary>Raised after every evaluation (on the monitor's timer thread), changed or not; handlers must be quick and not throw.</summary>
    event Action<HealthReport>? Evaluated;
}
