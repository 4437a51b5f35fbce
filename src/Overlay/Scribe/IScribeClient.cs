using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Scribe;

/// <summary>A local member of a Scribe group: what <see cref="Scribe"/> delivers to.</summary>
/// <remarks>Called on the node's logical thread; keep it short and do not block.</remarks>
public interface IScribeClient
{
    /// <summary>A multicast to <paramref name="group"/> reached this member.</summary>
    void DeliverMulticast(NodeId group, ReadOnlyMemory<byte> payload);

    /// <summary>
    /// An anycast to <paramref name="group"/> reached this member. True accepts it and ends the
    /// anycast here; false lets the search go on through the tree (Scribe §2.2, anycast).
    /// </summary>
    bool DeliverAnycast(NodeId group, ReadOnlyMemory<byte> payload);
}
