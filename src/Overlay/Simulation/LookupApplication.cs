using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Kbr;

namespace EPostEdge.Overlay.Simulation;

/// <summary>The KBR application every simulated node runs: it reports each delivered lookup to the run's checker.</summary>
internal sealed class LookupApplication(SimulatedOverlay overlay, int index) : IKbrApplication
{
    /// <summary>The application id lookups are routed under.</summary>
    public const ushort Id = 0x5117;

    public void Deliver(NodeId key, KbrMessage message) => overlay.OnLookupDelivered(index, key, message);

    public bool Forward(NodeId key, ref KbrMessage message, ref NodeHandle nextHop)
    {
        if (overlay.Misdelivers(index, key, message) is { } self)
        {
            nextHop = self; // the checker's self-test: deliver here, though this node is not the root
        }

        overlay.OnLookupForwarded(index, message, nextHop);
        return true;
    }
}
