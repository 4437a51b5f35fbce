using System.Net;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Pastry;

namespace EPostEdge.Overlay.Simulation;

/// <summary>
/// One node of a <see cref="SimulatedOverlay"/>: its identity and certificate, its link and clock
/// (which survive restarts, as a machine's address and clock would), and the current
/// <see cref="PastryNode"/> when it is alive.
/// </summary>
public sealed class SimulatedNode
{
    internal SimulatedNode(int index, NodeIdentity identity, SimulatedLink link, SimulatedClock clock)
    {
        Index = index;
        Identity = identity;
        Link = link;
        Clock = clock;
    }

    /// <summary>The node's index in the run (traces and checkers name nodes by it).</summary>
    public int Index { get; }

    /// <summary>The node's keys and certificate.</summary>
    public NodeIdentity Identity { get; }

    /// <summary>The node's id.</summary>
    public NodeId Id => Identity.Id;

    /// <summary>Where the node is reached.</summary>
    public IPEndPoint EndPoint => Link.LocalEndPoint;

    /// <summary>The node's network attachment.</summary>
    public SimulatedLink Link { get; }

    /// <summary>The node's clock (skew is set here).</summary>
    public SimulatedClock Clock { get; }

    /// <summary>The running Pastry node; null before its join time and while dead.</summary>
    public PastryNode? Node { get; internal set; }

    /// <summary>True while a Pastry node runs here.</summary>
    public bool IsAlive => Node is not null;

    /// <summary>True when alive and joined to an overlay.</summary>
    public bool IsJoined => Node is { Joined.IsCompleted: true };

    /// <summary>How many times a Pastry node was started here.</summary>
    public int Lives { get; internal set; }

    /// <summary>True while the node is hung: alive but silent (issue 5 item 4).</summary>
    public bool IsHung => Link.IsHung;

    /// <summary>
    /// Hangs the node: the process runs nothing — its timers wait and frames to it wait in its
    /// bounded receive buffer — while to everyone else it looks dead.
    /// </summary>
    public void Hang()
    {
        Clock.Pause();
        Link.Hang();
    }

    /// <summary>
    /// The node runs again: it first processes the backlog its receive buffer kept (those frames
    /// arrived before it woke), then each timer that came due fires once.
    /// </summary>
    public void Resume()
    {
        Link.Resume();
        Clock.Resume();
    }

    /// <summary>When the current life began (virtual time).</summary>
    internal TimeSpan LifeStarted { get; set; }

    /// <summary>Virtual time alive in earlier lives.</summary>
    internal TimeSpan EarlierLifetime { get; set; }

    /// <summary>Maintenance bytes sent in earlier lives.</summary>
    internal long EarlierMaintenanceBytes { get; set; }
}
