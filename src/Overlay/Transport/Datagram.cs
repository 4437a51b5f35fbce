using System.Net;

namespace EPostEdge.Overlay.Transport;

/// <summary>One received datagram and where it came from.</summary>
/// <param name="Source">The sender's endpoint as the network saw it.</param>
/// <param name="Payload">The bytes; owned by the receiver.</param>
public readonly record struct Datagram(IPEndPoint Source, ReadOnlyMemory<byte> Payload);
