using System.Net;

namespace EPostEdge.EdgeNode.Nat.Pcp;

/// <summary>The MAP opcode's data in a response (RFC 6887 §11.1).</summary>
/// <param name="Nonce">The request's nonce, echoed.</param>
/// <param name="Protocol">IANA protocol number (6 TCP, 17 UDP).</param>
/// <param name="InternalPort">The internal port, echoed.</param>
/// <param name="ExternalPort">The assigned external port.</param>
/// <param name="ExternalAddress">The assigned external address (IPv4 unmapped from ::ffff:a.b.c.d).</param>
internal readonly record struct PcpMapData(PcpNonce Nonce, byte Protocol, ushort InternalPort, ushort ExternalPort, IPAddress ExternalAddress);
