namespace EPostEdge.EdgeNode.Nat.Upnp;

/// <summary>What GetSpecificPortMappingEntry says of one mapping (WANIPConnection v1 §2.4.16, v2 §2.5.16).</summary>
/// <param name="InternalClient">The LAN host it forwards to, as the device wrote it.</param>
/// <param name="InternalPort">The LAN port.</param>
/// <param name="Enabled">Whether the mapping is active.</param>
/// <param name="Description">The description its creator gave.</param>
/// <param name="LeaseDuration">Seconds of lease left (0: permanent).</param>
internal sealed record UpnpPortMappingEntry(string InternalClient, int InternalPort, bool Enabled, string Description, int LeaseDuration);
