namespace EPostEdge.EdgeNode.Nat.Upnp;

/// <summary>A device's unicast answer to an M-SEARCH (UDA 1.1 §1.3.3).</summary>
/// <param name="SearchTarget">ST: the type that matched.</param>
/// <param name="Location">LOCATION: the URL of the root device description.</param>
/// <param name="UniqueServiceName">USN, when present.</param>
/// <param name="Server">SERVER, when present (OS/version UPnP/1.x product/version).</param>
internal sealed record SsdpResponse(string SearchTarget, string Location, string? UniqueServiceName, string? Server);
