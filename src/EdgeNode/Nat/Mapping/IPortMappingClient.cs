namespace EPostEdge.EdgeNode.Nat.Mapping;

/// <summary>One protocol's client, bound to one gateway: PCP, NAT-PMP or UPnP-IGD.</summary>
internal interface IPortMappingClient
{
    /// <summary>Which protocol this is.</summary>
    NatProtocol Protocol { get; }

    /// <summary>
    /// Asks for (or renews: the same call again) a mapping of <paramref name="internalPort"/>,
    /// preferring <paramref name="suggestedExternalPort"/>, for <paramref name="lifetime"/>.
    /// </summary>
    /// <exception cref="Network.NatNoServerException">Nothing answers for this protocol.</exception>
    /// <exception cref="NatRefusedException">The gateway answered with an error.</exception>
    /// <exception cref="Network.NatProtocolException">The gateway's answer is malformed.</exception>
    Task<PortMapping> MapAsync(MappedTransport transport, int internalPort, int suggestedExternalPort, TimeSpan lifetime, CancellationToken cancellationToken);

    /// <summary>Removes a mapping this client made.</summary>
    Task DeleteAsync(PortMapping mapping, CancellationToken cancellationToken);
}
