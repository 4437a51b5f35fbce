namespace EPostEdge.EdgeNode.Nat.Pcp;

/// <summary>A parsed PCP response header (RFC 6887 §7.2) and, for MAP, its data.</summary>
/// <param name="Version">2 for PCP; 0 when a NAT-PMP server answered (RFC 6887 §9).</param>
/// <param name="Opcode">The opcode without the R bit.</param>
/// <param name="Result">The result code.</param>
/// <param name="Lifetime">Seconds: the mapping's lifetime on success, how long an error holds otherwise.</param>
/// <param name="Epoch">The server's epoch time (§8.5).</param>
/// <param name="Map">The MAP data, when the opcode is MAP and the response carries it.</param>
internal readonly record struct PcpResponse(byte Version, byte Opcode, PcpResultCode Result, uint Lifetime, uint Epoch, PcpMapData? Map);
