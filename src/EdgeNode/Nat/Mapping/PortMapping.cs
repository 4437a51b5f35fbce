using System.Net;

namespace EPostEdge.EdgeNode.Nat.Mapping;

/// <summary>A mapping a gateway granted.</summary>
/// <param name="Protocol">How it was obtained.</param>
/// <param name="Transport">UDP or TCP.</param>
/// <param name="ExternalAddress">The gateway's external address (what peers on the Internet connect to).</param>
/// <param name="InternalPort">This node's port.</param>
/// <param name="ExternalPort">The gateway's port that forwards to it.</param>
/// <param name="Lifetime">The granted lease; zero for a permanent mapping (UPnP IGD v1 routers that take no other).</param>
/// <param name="ObtainedAt">When the grant was received.</param>
internal sealed record PortMapping(NatProtocol Protocol, MappedTransport Transport, IPAddress ExternalAddress, int InternalPort, int ExternalPort, TimeSpan Lifetime, DateTimeOffset ObtainedAt)
{
    /// <summary>When the lease runs out; null when permanent.</summary>
    public DateTimeOffset? ExpiresAt => Lifetime == TimeSpan.Zero ? null : ObtainedAt + Lifetime;
}
