namespace EPostEdge.EdgeNode.Health;

/// <summary>
/// The one word the appliance shows for its state: on its LEDs, at the top of the health page and
/// in <c>/health</c>. Ordered by severity: when several hold, the highest wins
/// (<see cref="HealthRules"/>), so a failing disk is never hidden behind "degraded".
/// </summary>
public enum NodeCondition
{
    /// <summary>Everything works: store open, overlay joined with neighbours, every owned object fully redundant.</summary>
    Healthy = 0,

    /// <summary>Starting: the store is opening or the overlay has not joined yet (within the boot grace).</summary>
    Booting = 1,

    /// <summary>Some owned objects are below full redundancy (k replicas + Glacier fragments) for longer than the grace.</summary>
    Degraded = 2,

    /// <summary>The node is alone: overlay configured but no neighbour answers (partitioned, or the uplink is down).</summary>
    Alone = 3,

    /// <summary>Disk or memory near its budget: new mail and new replicas are refused (452 4.3.1 / 421 4.3.2) until it falls back.</summary>
    NearBudget = 4,

    /// <summary>A signed update is being installed.</summary>
    Updating = 5,

    /// <summary>The node cannot do its job: the store refuses writes (failed fsync, unreadable disk) or a service died.</summary>
    Failed = 6,
}
