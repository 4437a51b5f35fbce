using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Kbr;

/// <summary>An application's message as the KBR layer carries it.</summary>
/// <param name="Source">The node that called Route or Send.</param>
/// <param name="ApplicationId">Which registered application it is for.</param>
/// <param name="Payload">The application's bytes.</param>
/// <param name="Hops">Overlay hops taken so far (0 when delivered at the source).</param>
public readonly record struct KbrMessage(NodeHandle Source, ushort ApplicationId, ReadOnlyMemory<byte> Payload, int Hops);
