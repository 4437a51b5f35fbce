using System.Globalization;
using System.Net;
using EPostEdge.EdgeNode.Nat.Mapping;

namespace EPostEdge.EdgeNode.Nat;

/// <summary>
/// The NAT part of <c>status</c> and status.json: how the overlay port is mapped on the home
/// router, where peers on the Internet reach it, until when, and what went wrong last.
/// </summary>
/// <param name="State">Discovering, mapped, failed or removed.</param>
/// <param name="Protocol">The protocol that mapped the port (null until one did).</param>
/// <param name="Gateway">The router spoken to.</param>
/// <param name="ExternalAddress">The router's external address.</param>
/// <param name="UdpPort">The external port forwarded to the overlay's UDP port.</param>
/// <param name="TcpPort">The external port forwarded to the overlay's TCP port (usually the same; null when TCP is not mapped).</param>
/// <param name="LeaseExpires">When the lease runs out unless renewed (renewal starts at half); null when permanent or unmapped.</param>
/// <param name="LastError">The last failure, in words (null when none since the last success).</param>
/// <param name="LastErrorAt">When it happened.</param>
public sealed record NatStatus(
    NatState State,
    NatProtocol? Protocol,
    IPAddress? Gateway,
    IPAddress? ExternalAddress,
    int? UdpPort,
    int? TcpPort,
    DateTimeOffset? LeaseExpires,
    string? LastError,
    DateTimeOffset? LastErrorAt)
{
    /// <summary>Where peers on the Internet reach the overlay (the UDP mapping's address and port); null when unmapped.</summary>
    public IPEndPoint? ExternalEndPoint => ExternalAddress is { } address && UdpPort is { } port ? new IPEndPoint(address, port) : null;

    /// <summary>The protocol's usual name: PCP, NAT-PMP, UPnP-IGD.</summary>
    public static string Name(NatProtocol protocol) => protocol switch
    {
        NatProtocol.Pcp => "PCP",
        NatProtocol.NatPmp => "NAT-PMP",
        _ => "UPnP-IGD",
    };

    /// <summary>One line for <c>epost-edge status</c>.</summary>
    public string Describe()
    {
        var gateway = Gateway is null ? string.Empty : $" via {Gateway}";
        var error = LastError is null ? string.Empty : $" (last error: {LastError})";
        return State switch
        {
            NatState.Mapped => string.Create(CultureInfo.InvariantCulture, $"{ExternalEndPoint} by {(Protocol is { } p ? Name(p) : "?")}{gateway}, ")
                + (TcpPort == UdpPort ? "UDP+TCP" : TcpPort is { } tcp ? string.Create(CultureInfo.InvariantCulture, $"UDP; TCP on port {tcp}") : "UDP only")
                + (LeaseExpires is { } expires ? string.Create(CultureInfo.InvariantCulture, $", lease until {expires:u}") : ", permanent")
                + error,
            NatState.Discovering => $"looking for the router{gateway}{error}",
            NatState.Removed => $"mappings removed{gateway}{error}",
            _ => $"not mapped{gateway}{error}",
        };
    }
}
