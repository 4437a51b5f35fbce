using System.Net;
using EPostEdge.EdgeNode.Nat.Http;

namespace EPostEdge.EdgeNode.Nat.Network;

/// <summary>
/// Everything the port-mapping code needs of the operating system and the LAN: the route table
/// (to find the default gateway), the local address toward it, UDP datagrams (NAT-PMP, PCP,
/// SSDP) and one HTTP exchange (UPnP description and SOAP control). One real implementation,
/// <see cref="SocketNatNetwork"/>; tests run it against a real gateway in network namespaces.
/// </summary>
internal interface INatNetwork
{
    /// <summary>The IPv4 route table in /proc/net/route format (see <see cref="RouteTable"/>), or null when it cannot be read.</summary>
    string? ReadRouteTable();

    /// <summary>The local address the OS would send from to reach <paramref name="remote"/> (no packet is sent), or null when it has no route.</summary>
    IPAddress? LocalAddressToward(IPAddress remote);

    /// <summary>
    /// A UDP socket bound to <paramref name="localAddress"/> on any port. With
    /// <paramref name="connectTo"/> it is connected: it receives only from that endpoint and an
    /// ICMP port-unreachable ends a receive with <see cref="NatNoServerException"/>.
    /// </summary>
    INatDatagramSocket OpenDatagram(IPAddress localAddress, IPEndPoint? connectTo);

    /// <summary>
    /// Sends one HTTP request (built by <see cref="HttpCodec.BuildRequest"/>, with Connection: close)
    /// to <paramref name="server"/> over TCP and returns the parsed response.
    /// </summary>
    /// <exception cref="NatProtocolException">The answer is not a valid HTTP response, or is larger than <paramref name="maxBodyBytes"/>.</exception>
    /// <exception cref="NatNoServerException">Nothing listens there, or the connection failed.</exception>
    Task<HttpResponse> ExchangeHttpAsync(IPEndPoint server, ReadOnlyMemory<byte> request, int maxBodyBytes, CancellationToken cancellationToken);
}
