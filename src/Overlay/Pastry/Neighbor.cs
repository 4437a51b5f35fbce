using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Routing;

namespace EPostEdge.Overlay.Pastry;

/// <summary>
/// What a node knows about one other certified node: its certificate and link key, liveness
/// (RTT, probe rounds, relay), and routing behaviour. Only the node's thread touches it.
/// </summary>
internal sealed class Neighbor(NodeCertificate certificate, byte[] linkKey, PastryOptions options)
{
    public NodeCertificate Certificate { get; set; } = certificate;

    public byte[] LinkKey { get; set; } = linkKey;

    public NodeHandle Handle => Certificate.Handle;

    public NodeId Id => Certificate.Id;

    /// <summary>The peer has shown it holds our certificate (it sent us an authenticated frame).</summary>
    public bool KnowsOurCertificate { get; set; }

    public RttEstimator Rtt { get; } = new(options.InitialTimeout, options.MinimumTimeout, options.MaximumTimeout);

    /// <summary>When the current probe round began, or null when none is running.</summary>
    public TimeSpan? ProbeRoundStarted { get; set; }

    /// <summary>When the last probe round began (keep-alive schedule).</summary>
    public TimeSpan LastProbe { get; set; } = -TimeSpan.FromDays(3650);

    /// <summary>Consecutive probe rounds with no answer by any path.</summary>
    public int FailedRounds { get; set; }

    /// <summary>The third node through which this one answers when the direct path fails (source routing).</summary>
    public NodeHandle? Relay { get; set; }

    /// <summary>Routed messages handed to this node whose root never acknowledged them.</summary>
    public int RoutingDrops { get; set; }

    /// <summary>Until when routing avoids this node (it answers pings but drops routed messages).</summary>
    public TimeSpan RoutedAroundUntil { get; set; } = TimeSpan.MinValue;

    /// <summary>Declared dead and not heard from since.</summary>
    public bool Dead { get; set; }

    /// <summary>Scratch for one scan of routing state: the scan's number when this neighbour was collected, and whether as a leaf.</summary>
    public long CollectedIn { get; set; }

    /// <inheritdoc cref="CollectedIn"/>
    public bool CollectedAsLeaf { get; set; }

    /// <inheritdoc cref="CollectedIn"/>
    public bool CollectedAsNearLeaf { get; set; }
}
