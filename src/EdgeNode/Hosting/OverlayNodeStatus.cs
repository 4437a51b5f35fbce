using System.Net;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Pastry;

namespace EPostEdge.EdgeNode.Hosting;

/// <summary>The overlay part of <c>status</c> and <c>overlay status</c>: who this node is in which overlay, and, while the node runs, its Pastry state.</summary>
/// <param name="Node">This node's id (the hash of its signing key).</param>
/// <param name="Overlay">The overlay's id (the hash of its founding key).</param>
/// <param name="EndPoint">Where peers reach this node (its certificate's endpoint).</param>
/// <param name="Founder">This node holds the founding key.</param>
/// <param name="MayInvite">This node can answer invitations (founder, or a founding-signed certificate with the invite right).</param>
/// <param name="Live">Leaf set, routing table and counters of the running overlay node; null when the node is not running.</param>
public sealed record OverlayNodeStatus(NodeId Node, NodeId Overlay, IPEndPoint EndPoint, bool Founder, bool MayInvite, OverlayStatus? Live);
