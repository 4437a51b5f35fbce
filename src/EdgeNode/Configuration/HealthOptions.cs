namespace EPostEdge.EdgeNode.Configuration;

/// <summary>
/// The "Health" section: how often the node judges its own health and how long a passing state is
/// tolerated before it shows (environment: <c>EPOSTEDGE_Health__PeriodSeconds</c>, …).
/// </summary>
public sealed class HealthOptions
{
    /// <summary>Seconds between evaluations; also the watchdog's ping period, so keep it below half of the unit's WatchdogSec.</summary>
    public int PeriodSeconds { get; set; } = 5;

    /// <summary>Seconds after start during which a node that has not joined its overlay yet is "booting", not "alone".</summary>
    public int BootGraceSeconds { get; set; } = 120;

    /// <summary>
    /// Seconds an owned object may stay below full redundancy before the node says "degraded": a
    /// fresh insert is acknowledged by a replica majority and reaches k replicas and n fragments
    /// in the background (ARCHITECTURE.md, durability contract).
    /// </summary>
    public int DegradedGraceSeconds { get; set; } = 300;
}
