using System.Net;
using System.Net.Sockets;
using EPostEdge.EdgeNode.Nat.Mapping;

namespace EPostEdge.EdgeNode.Configuration;

/// <summary>
/// The "Nat" section: mapping the overlay port on the home router (PCP, NAT-PMP, UPnP-IGD) so
/// that nodes in other houses reach this one (environment: <c>EPOSTEDGE_Nat__Enabled</c>, …).
/// Settings that cannot be used do not stop the node: NAT is best effort, and the status shows
/// the error (see <see cref="Validate"/>).
/// </summary>
public sealed class NatOptions
{
    /// <summary>The order tried when Nat:Protocols is not set.</summary>
    public const string DefaultProtocols = "pcp,natpmp,upnp";

    /// <summary>
    /// true: map; false: never touch the router. Unset (the default): map when Overlay:EndPoint
    /// names a non-loopback address, that is when this node is meant to be reached from other
    /// machines; a node on the embedded 127.0.0.1 defaults leaves the router alone.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>The router's IPv4 address; unset: the default route's gateway (/proc/net/route).</summary>
    public string? Gateway { get; set; }

    /// <summary>Protocols to try, in order, comma-separated: pcp, natpmp, upnp.</summary>
    public string Protocols { get; set; } = DefaultProtocols;

    /// <summary>Lease asked for, in seconds (renewed at half of what the router grants); 120..604800.</summary>
    public int LeaseSeconds { get; set; } = 3600;

    /// <summary>Whether the node maps its overlay port, given where its certificate says peers reach it.</summary>
    public bool IsOn(IPEndPoint? overlayEndPoint) =>
        Enabled ?? (overlayEndPoint is not null && !IPAddress.IsLoopback(overlayEndPoint.Address));

    /// <summary>The gateway override, or null when unset; false when it is set but not an IPv4 address.</summary>
    public bool TryGetGateway(out IPAddress? gateway)
    {
        gateway = null;
        if (string.IsNullOrWhiteSpace(Gateway))
        {
            return true;
        }

        return IPAddress.TryParse(Gateway.Trim(), out gateway) && gateway.AddressFamily == AddressFamily.InterNetwork;
    }

    /// <summary>The protocol order; false with the bad name when one is unknown.</summary>
    public bool TryGetProtocols(out IReadOnlyList<NatProtocol> protocols, out string? bad)
    {
        var list = new List<NatProtocol>();
        bad = null;
        foreach (var name in (string.IsNullOrWhiteSpace(Protocols) ? DefaultProtocols : Protocols).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            NatProtocol? protocol = name.ToUpperInvariant() switch
            {
                "PCP" => NatProtocol.Pcp,
                "NATPMP" or "NAT-PMP" or "PMP" => NatProtocol.NatPmp,
                "UPNP" or "UPNP-IGD" or "IGD" => NatProtocol.Upnp,
                _ => null,
            };
            if (protocol is null)
            {
                bad = name;
                protocols = [];
                return false;
            }

            if (!list.Contains(protocol.Value))
            {
                list.Add(protocol.Value);
            }
        }

        protocols = list;
        if (list.Count == 0)
        {
            bad = Protocols;
            return false;
        }

        return true;
    }

    /// <summary>What is wrong with these settings, in words a user can act on (empty when nothing).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!TryGetGateway(out _))
        {
            errors.Add($"Nat:Gateway = '{Gateway}' is not an IPv4 address");
        }

        if (!TryGetProtocols(out _, out var bad))
        {
            errors.Add($"Nat:Protocols: '{bad}' is not one of pcp, natpmp, upnp");
        }

        if (LeaseSeconds is < 120 or > 604800)
        {
            // RFC 6886 §3.3 recommends 7200 s; PCP servers clamp to their own bounds (RFC 6887 §15);
            // IGD v2 allows at most 604800 s.
            errors.Add($"Nat:LeaseSeconds = {LeaseSeconds}: it must be from 120 to 604800");
        }

        return errors;
    }
}
