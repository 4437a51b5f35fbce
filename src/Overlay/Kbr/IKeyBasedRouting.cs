using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Kbr;

/// <summary>
/// The common key-based routing API (Dabek et al., "Towards a Common API for Structured P2P
/// Overlays", IPTPS 2003, §3). Storage and Scribe reach the overlay only through this.
/// </summary>
/// <remarks>
/// Every upcall into an <see cref="IKbrApplication"/> runs on the node's one logical thread
/// (under its lock), so an application needs no locking of its own against the overlay and
/// may call back into this interface from an upcall.
/// </remarks>
public interface IKeyBasedRouting
{
    /// <summary>This node.</summary>
    NodeHandle LocalNode { get; }

    /// <summary>The clock of this node (the TimeProvider seam), for applications' timers.</summary>
    TimeProvider Time { get; }

    /// <summary>
    /// Runs <paramref name="action"/> on the node's logical thread, synchronously: an application
    /// calls this from its own API methods and timer callbacks so its state is only ever touched
    /// on that thread (upcalls already run there; calling Execute from an upcall just runs it).
    /// </summary>
    void Execute(Action action);

    /// <summary>Registers <paramref name="application"/> to receive messages sent with <paramref name="applicationId"/>.</summary>
    void Register(ushort applicationId, IKbrApplication application);

    /// <summary>
    /// KBR route(key, msg, hint): forwards <paramref name="payload"/> towards the live node
    /// numerically closest to <paramref name="key"/>, where the application's
    /// <see cref="IKbrApplication.Deliver"/> runs. Each node on the way calls
    /// <see cref="IKbrApplication.Forward"/>. Best effort, with per-hop retries.
    /// </summary>
    void Route(NodeId key, ushort applicationId, ReadOnlyMemory<byte> payload);

    /// <summary>Sends <paramref name="payload"/> straight to <paramref name="node"/> (KBR route with a hint and no key).</summary>
    void Send(NodeHandle node, ushort applicationId, ReadOnlyMemory<byte> payload);

    /// <summary>
    /// KBR replicaSet(key, max_rank): up to <paramref name="count"/> nodes (this node included)
    /// closest to <paramref name="key"/> as far as the leaf set knows, closest first. Only
    /// meaningful when this node is among them (it is a root or near-root of the key).
    /// </summary>
    IReadOnlyList<NodeHandle> ReplicaSet(NodeId key, int count);

    /// <summary>
    /// KBR range(node, rank): the arc of keys for which <paramref name="node"/> is among the
    /// <paramref name="rank"/>+1 closest nodes, as (from exclusive, to inclusive) clockwise;
    /// null when the leaf set cannot tell.
    /// </summary>
    (NodeId From, NodeId To)? Range(NodeHandle node, int rank);

    /// <summary>
    /// KBR local_lookup(key, num, safe): up to <paramref name="count"/> next hops for
    /// <paramref name="key"/> from local routing state, best first.
    /// </summary>
    IReadOnlyList<NodeHandle> LocalLookup(NodeId key, int count);

    /// <summary>KBR neighborSet(num): up to <paramref name="count"/> leaf-set members, nearest in id first.</summary>
    IReadOnlyList<NodeHandle> NeighborSet(int count);

    /// <summary>True when this node is the closest live node to <paramref name="key"/> it knows of (the key's root).</summary>
    bool IsRoot(NodeId key);

    /// <summary>Raised (on the node's thread) when a node joins or leaves this node's leaf set: replication's trigger.</summary>
    event Action<LeafSetChange>? LeafSetChanged;
}
