using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Scribe;

/// <summary>
/// This node's part in one group's tree (Scribe §2.2): its local member, its parent, its
/// children. Only ever touched on the node's logical thread.
/// </summary>
internal sealed class ScribeGroup(NodeId id)
{
    public NodeId Id { get; } = id;

    /// <summary>The local member, or null when this node only forwards for the group.</summary>
    public IScribeClient? Client { get; set; }

    /// <summary>The parent in the tree; null at the root and while a JOIN is outstanding.</summary>
    public NodeHandle? Parent { get; set; }

    /// <summary>When the parent was last heard (heartbeat, multicast or JOIN ack).</summary>
    public DateTimeOffset ParentHeard { get; set; }

    /// <summary>A JOIN is on its way to the group key and no parent has answered yet.</summary>
    public bool Joining { get; set; }

    /// <summary>When the outstanding JOIN was sent.</summary>
    public DateTimeOffset JoinSent { get; set; }

    /// <summary>Created here (Scribe's CREATE reached this node as the key's root): kept while this node is root.</summary>
    public bool Created { get; set; }

    /// <summary>The children and when each last refreshed, by id.</summary>
    public Dictionary<NodeId, (NodeHandle Node, DateTimeOffset Heard)> Children { get; } = [];

    /// <summary>In no JOIN and under no parent: this node believes it is the tree's root.</summary>
    public bool ActsAsRoot => Parent is null && !Joining;

    /// <summary>Tree neighbours (children and parent), ordered by id so a search visits them in one order.</summary>
    public List<NodeHandle> Neighbours()
    {
        var neighbours = Children.Values.Select(c => c.Node).ToList();
        if (Parent is { } parent && !Children.ContainsKey(parent.Id))
        {
            neighbours.Add(parent);
        }

        neighbours.Sort((a, b) => a.Id.CompareTo(b.Id));
        return neighbours;
    }
}
