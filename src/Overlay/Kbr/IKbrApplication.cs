using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Kbr;

/// <summary>The upcalls of the common KBR API (Dabek et al. §3.1).</summary>
public interface IKbrApplication
{
    /// <summary>
    /// KBR deliver(key, msg): this node is the root of <paramref name="key"/> (or the message
    /// was sent directly to it, then <paramref name="key"/> is this node's id).
    /// </summary>
    void Deliver(NodeId key, KbrMessage message);

    /// <summary>
    /// KBR forward(key, msg, nextHopNode): the message passes through this node on its way to
    /// <paramref name="nextHop"/>. The application may change the payload or the next hop, or
    /// return false to stop the message here (Scribe stops a JOIN where it meets the tree).
    /// </summary>
    bool Forward(NodeId key, ref KbrMessage message, ref NodeHandle nextHop);
}
