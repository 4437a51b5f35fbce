using EPostEdge.Storage.Blocks;

namespace EPostEdge.Storage.Past;

/// <summary>
/// An object this node inserted for one of its users: what the owner renews and what durability
/// accounting counts (issue 6 item 6: replicas and fragments confirmed by their holders).
/// </summary>
public sealed class OwnedObject(BlockKey key, int length, string user)
{
    /// <summary>The object's content key.</summary>
    public BlockKey Key { get; } = key;

    /// <summary>Logical bytes.</summary>
    public int Length { get; } = length;

    /// <summary>The local user it counts against.</summary>
    public string User { get; } = user;

    /// <summary>Released (expunged, spam): no longer renewed, so its holders collect it when the lease runs out.</summary>
    public bool Released { get; set; }

    /// <summary>Replicas that confirmed holding it at the last insert or renewal.</summary>
    public int ReplicasConfirmed { get; set; }

    /// <summary>The aggregate it was packed into (small objects), once sealed.</summary>
    public BlockKey? Aggregate { get; set; }

    /// <summary>Glacier fragments (of its aggregate, for a small object) that confirmed holding it at the last insert or renewal.</summary>
    public int FragmentsConfirmed { get; set; }

    /// <summary>For a small object: its pointers to its aggregate (Glacier §4.3) that confirmed holding it at the last insert or renewal.</summary>
    public int PointersConfirmed { get; set; }
}
