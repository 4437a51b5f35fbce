namespace EPostEdge.EdgeNode.Configuration;

/// <summary>
/// The "Overlay" section: where this node's Pastry overlay port is and how it keeps its leaf set
/// (environment: <c>EPOSTEDGE_Overlay__Port</c>, …). Used only once the node has an overlay
/// identity (<c>overlay create</c> or <c>join</c>).
/// </summary>
public sealed class OverlayOptions
{
    /// <summary>UDP and TCP port of the overlay (one port for both: SocketTransport).</summary>
    public int Port { get; set; } = 4031;

    /// <summary>Address the overlay port binds to (all interfaces by default: peers are other houses).</summary>
    public string Address { get; set; } = "0.0.0.0";

    /// <summary>
    /// HOST:PORT written into this node's certificate at <c>overlay create</c> / <c>join</c>: where
    /// peers reach it. Null means 127.0.0.1:<see cref="Port"/>, which only a node on the same
    /// machine can reach: a LAN or Internet setup sets its LAN or public address here.
    /// </summary>
    public string? EndPoint { get; set; }

    /// <summary>L, the leaf set size (Pastry §2.1: 16 or 32; even, 8..32).</summary>
    public int LeafSetSize { get; set; } = 16;

    /// <summary>Seconds between keep-alives to each leaf-set member (Pastry §2.4, Bamboo §4.2).</summary>
    public int KeepAliveSeconds { get; set; } = 5;

    /// <summary>HOST:PORT of overlay members to join through, in addition to the one given to <c>join</c>.</summary>
    public List<string> Bootstraps { get; set; } = [];

    /// <summary>
    /// Disk this node contributes to the distributed store (replicas, fragments and heads it holds
    /// for others, in DATA/held): "512M", "20G", "1T" or bytes, or a share of the disk such as
    /// "25%" (of the data folder's free space plus what DATA/held already holds, at start).
    /// </summary>
    public string ContributedQuota { get; set; } = "1G";

    /// <summary>
    /// Whether inserted objects are also erasure-coded into Glacier fragments (n = 48, any m = 5
    /// restore; small ones in aggregates). Off: PAST replicas only.
    /// </summary>
    public bool Glacier { get; set; } = true;

    /// <summary>
    /// Seconds between replica maintenance rounds (PAST §3.5: each node compares Bloom filters of
    /// its held keys with its neighbours'). A round also runs a few seconds after the leaf set
    /// changes; the periodic ones catch what a filter's false positives hid.
    /// </summary>
    public int MaintenanceSeconds { get; set; } = 60;
}
