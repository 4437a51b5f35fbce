namespace EPostEdge.EdgeNode.Nat.Mapping;

/// <summary>The port-mapping protocols, by their names in Nat:Protocols.</summary>
public enum NatProtocol
{
    /// <summary>Port Control Protocol (RFC 6887), MAP opcode.</summary>
    Pcp,

    /// <summary>NAT Port Mapping Protocol (RFC 6886).</summary>
    NatPmp,

    /// <summary>UPnP Internet Gateway Device, WANIPConnection v1/v2 (SSDP + SOAP).</summary>
    Upnp,
}
