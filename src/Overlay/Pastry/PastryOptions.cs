using System.Net;

namespace EPostEdge.Overlay.Pastry;

/// <summary>
/// A Pastry node's parameters. The defaults are for a home appliance on the Internet; tests and
/// the simulator shorten the periods. Maintenance traffic is mostly keep-alives (47-byte pings
/// and pongs), the leaf-set exchange and, under churn, the certificate exchanges of new
/// contacts: the simulator measures about 0.7 kB/s per node at rest and under 1 kB/s under
/// churn-1m at 1 000 nodes (Bamboo §5 reports under 900 B/s per node).
/// </summary>
public sealed record PastryOptions
{
    /// <summary>L, the leaf set size: 8..32, even (Pastry §2.1 uses 16 or 32).</summary>
    public int LeafSetSize { get; init; } = 16;

    /// <summary>How often each of the <see cref="NearLeaves"/> nearest leaf-set members on each side is pinged (Pastry's keep-alives).</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Leaf-set members on each side pinged every <see cref="KeepAliveInterval"/>; the farther
    /// ones every <see cref="FarLeafKeepAliveFactor"/> times that. The nearest decide which node
    /// is a key's root, so they are watched closest; a far member's death matters to fewer keys.
    /// </summary>
    public int NearLeaves { get; init; } = 4;

    /// <summary>How many keep-alive periods apart the farther leaf-set members are pinged.</summary>
    public int FarLeafKeepAliveFactor { get; init; } = 2;

    /// <summary>How often a routing-table entry that is not a leaf is pinged (a dead entry is also found by the hop acknowledgements of messages through it).</summary>
    public TimeSpan TableProbeInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the leaf set is pushed to a random member, which answers with its own (Bamboo §4.1).</summary>
    public TimeSpan LeafSetExchangeInterval { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How often one routing-table row is refreshed from a node in that row (lazy repair, Pastry §2.4).</summary>
    public TimeSpan TableRepairInterval { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How often recently dead nodes and bootstraps are probed, so partitions heal (ePOST §5).</summary>
    public TimeSpan PartitionProbeInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Recently dead nodes probed per <see cref="PartitionProbeInterval"/>.</summary>
    public int PartitionProbesPerRound { get; init; } = 4;

    /// <summary>How many dead nodes are remembered for partition probes.</summary>
    public int RecentlyDeadCapacity { get; init; } = 64;

    /// <summary>How long a dead node is remembered (ePOST kept probing for hours: partitions last that long).</summary>
    public TimeSpan RecentlyDeadMemory { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Missed probe rounds (each tried direct and through a relay) before a node is declared dead.</summary>
    public int ProbeRoundsBeforeDead { get; init; } = 3;

    /// <summary>Timeout before the first RTT sample of a neighbour.</summary>
    public TimeSpan InitialTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Smallest timeout, whatever the RTT estimate says.</summary>
    public TimeSpan MinimumTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Largest timeout (Bamboo caps timeouts so one slow sample cannot stall detection).</summary>
    public TimeSpan MaximumTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Tries per routed hop (each after the previous next hop missed its acknowledgement).</summary>
    public int RouteAttempts { get; init; } = 4;

    /// <summary>How long the source waits for the root's acknowledgement of a routed message.</summary>
    public TimeSpan RootAckTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Lost routed messages through one first hop (pings still answered) before it is routed around.</summary>
    public int DropsBeforeRoutingAround { get; init; } = 2;

    /// <summary>How long a node that drops routed messages is routed around.</summary>
    public TimeSpan RoutingAroundPeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the join is retried (with the next bootstrap) until a join reply arrives.</summary>
    public TimeSpan JoinRetryInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Where to join (and, later, whom to probe when alone or partitioned).</summary>
    public IReadOnlyList<IPEndPoint> Bootstraps { get; init; } = [];

    /// <summary>
    /// The longest the maintenance timer sleeps. The node wakes at its next deadline (a keep-alive,
    /// a probe or hop timeout, a periodic exchange); this bound only limits the damage of a missed one.
    /// </summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long after a failure the overlay is repaired: detection (probe rounds, each up to the
    /// maximum timeout after a keep-alive period) plus one leaf-set exchange. Tests wait this long.
    /// </summary>
    public TimeSpan RepairPeriod =>
        ((KeepAliveInterval * FarLeafKeepAliveFactor) + MaximumTimeout) * (ProbeRoundsBeforeDead + 1) + LeafSetExchangeInterval + MinimumTimeout;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(LeafSetSize, 8);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(LeafSetSize, 32);
        if (LeafSetSize % 2 != 0)
        {
            throw new ArgumentException("LeafSetSize must be even", nameof(LeafSetSize));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Tick, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ProbeRoundsBeforeDead, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(RouteAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(NearLeaves, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(FarLeafKeepAliveFactor, 1);
    }
}
