using EPostEdge.EdgeNode.Nat.Http;

namespace EPostEdge.EdgeNode.Nat.Upnp;

/// <summary>A WAN connection service found in an IGD's description: its type (and so version) and where to POST its actions.</summary>
/// <param name="ServiceType">e.g. urn:schemas-upnp-org:service:WANIPConnection:2.</param>
/// <param name="ControlUrl">The service's control URL, resolved against URLBase or the description's URL.</param>
internal sealed record IgdService(string ServiceType, HttpUrl ControlUrl)
{
    /// <summary>The service's version, the number after its last ':' (1 when absent or unreadable).</summary>
    public int Version => int.TryParse(ServiceType.AsSpan(ServiceType.LastIndexOf(':') + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 1;
}
