using System.Net;

namespace EPostEdge.Overlay.Ids;

/// <summary>
/// A node as routing state holds it: its id and where to reach it (Pastry's "node handle").
/// Routing state only ever holds handles of nodes whose certificate was verified.
/// </summary>
public sealed record NodeHandle(NodeId Id, IPEndPoint EndPoint)
{
    /// <inheritdoc />
    public override string ToString() => $"{Id.ToShortString()}@{EndPoint}";
}
