namespace EPostEdge.EdgeNode.Nat.Mapping;

/// <summary>Which transport a mapping is for (the overlay uses one port for both).</summary>
internal enum MappedTransport
{
    Udp,
    Tcp,
}
