using System.Net;

namespace EPostEdge.EdgeNode.Nat.NatPmp;

/// <summary>A parsed NAT-PMP response (RFC 6886 §3.2, §3.3).</summary>
/// <param name="Opcode">128 + the request's opcode.</param>
/// <param name="Result">The result code.</param>
/// <param name="Epoch">Seconds since the gateway's port-mapping table was (re)initialised (§3.6).</param>
/// <param name="ExternalAddress">The external address (opcode 128, success only).</param>
/// <param name="InternalPort">The mapped internal port (opcodes 129/130).</param>
/// <param name="ExternalPort">The mapped external port (opcodes 129/130).</param>
/// <param name="Lifetime">The granted lifetime in seconds (opcodes 129/130).</param>
internal readonly record struct NatPmpResponse(byte Opcode, NatPmpResultCode Result, uint Epoch, IPAddress? ExternalAddress, ushort InternalPort, ushort ExternalPort, uint Lifetime);
