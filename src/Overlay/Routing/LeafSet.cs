using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Routing;

/// <summary>
/// Pastry's leaf set (§2.1): the L/2 live nodes numerically closest on each side of this node.
/// It decides delivery (a key inside its range goes to the closest member, which is the key's
/// root), and it is what replication watches (PAST keeps k copies on the k closest).
/// </summary>
/// <remarks>
/// While fewer than L other nodes are known the two halves overlap (a node can be on both
/// sides), and the leaf set then covers the whole ring: every key is delivered from it.
/// </remarks>
public sealed class LeafSet
{
    private readonly List<NodeHandle> _clockwise = []; // nearest first, going up the ring
    private readonly List<NodeHandle> _counterClockwise = []; // nearest first, going down

    /// <summary>Creates an empty leaf set of size <paramref name="size"/> (even, 2..64) around <paramref name="self"/>.</summary>
    public LeafSet(NodeId self, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 64);
        if (size % 2 != 0)
        {
            throw new ArgumentException("the leaf set size is even (L/2 on each side)", nameof(size));
        }

        Self = self;
        Size = size;
    }

    /// <summary>The node this leaf set belongs to.</summary>
    public NodeId Self { get; }

    /// <summary>L.</summary>
    public int Size { get; }

    /// <summary>L/2: members on each side.</summary>
    public int Half => Size / 2;

    /// <summary>Clockwise members (larger ids, wrapping), nearest first.</summary>
    public IReadOnlyList<NodeHandle> Clockwise => _clockwise;

    /// <summary>Counter-clockwise members (smaller ids, wrapping), nearest first.</summary>
    public IReadOnlyList<NodeHandle> CounterClockwise => _counterClockwise;

    /// <summary>Every member once, nearest (either side) first.</summary>
    public IReadOnlyList<NodeHandle> Members
    {
        get
        {
            var members = new List<NodeHandle>(_clockwise.Count + _counterClockwise.Count);
            var seen = new HashSet<NodeId>();
            for (var i = 0; i < Math.Max(_clockwise.Count, _counterClockwise.Count); i++)
            {
                if (i < _clockwise.Count && seen.Add(_clockwise[i].Id))
                {
                    members.Add(_clockwise[i]);
                }

                if (i < _counterClockwise.Count && seen.Add(_counterClockwise[i].Id))
                {
                    members.Add(_counterClockwise[i]);
                }
            }

            return members;
        }
    }

    /// <summary>Distinct members.</summary>
    public int Count => Members.Count;

    /// <summary>
    /// True when the leaf set holds every node this node knows of on the ring: fewer than L/2 on a
    /// side, or the two sides meet. Then the closest member is every key's root.
    /// </summary>
    public bool CoversRing
    {
        get
        {
            if (_clockwise.Count < Half || _counterClockwise.Count < Half)
            {
                return true;
            }

            foreach (var member in _clockwise)
            {
                if (_counterClockwise.Exists(m => m.Id == member.Id))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>True when <paramref name="id"/> is a member.</summary>
    public bool Contains(NodeId id) => _clockwise.Exists(m => m.Id == id) || _counterClockwise.Exists(m => m.Id == id);

    /// <summary>The member with <paramref name="id"/>, or null.</summary>
    public NodeHandle? Find(NodeId id) => _clockwise.Find(m => m.Id == id) ?? _counterClockwise.Find(m => m.Id == id);

    /// <summary>
    /// True when <paramref name="key"/> lies within the leaf set's range (Pastry §2.3: then the
    /// message is delivered to the numerically closest member or this node).
    /// </summary>
    public bool InRange(NodeId key)
    {
        if (CoversRing || key == Self)
        {
            return true;
        }

        var lowest = _counterClockwise[^1].Id;
        var highest = _clockwise[^1].Id;
        return key == lowest || key.IsBetweenClockwise(lowest, highest);
    }

    /// <summary>True when adding <paramref name="id"/> would change the leaf set.</summary>
    public bool WouldAdmit(NodeId id)
    {
        if (id == Self || Contains(id))
        {
            return false;
        }

        return Admits(_clockwise, id, clockwise: true) || Admits(_counterClockwise, id, clockwise: false);
    }

    /// <summary>
    /// Adds <paramref name="node"/> where it belongs; returns true when the leaf set changed.
    /// <paramref name="evicted"/> gets the members pushed out of both sides (routing-table candidates).
    /// </summary>
    public bool Add(NodeHandle node, List<NodeHandle>? evicted = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Id == Self || Contains(node.Id))
        {
            return false;
        }

        var before = evicted is null ? null : Members;
        var changed = Insert(_clockwise, node, clockwise: true);
        changed |= Insert(_counterClockwise, node, clockwise: false);
        if (changed && before is not null)
        {
            foreach (var old in before)
            {
                if (!Contains(old.Id))
                {
                    evicted!.Add(old);
                }
            }
        }

        return changed;
    }

    /// <summary>Removes <paramref name="id"/>; true when it was a member.</summary>
    public bool Remove(NodeId id)
    {
        var removedClockwise = _clockwise.RemoveAll(m => m.Id == id) > 0;
        var removedCounterClockwise = _counterClockwise.RemoveAll(m => m.Id == id) > 0;

        // While the ring is small the halves overlap, and a member that did not fit on one side
        // (it was L/2+1-th that way) may belong there once a nearer one is gone. Add refuses
        // known members, so the hole is refilled here from the other side's members.
        if (removedClockwise)
        {
            Refill(_clockwise, _counterClockwise, clockwise: true);
        }

        if (removedCounterClockwise)
        {
            Refill(_counterClockwise, _clockwise, clockwise: false);
        }

        return removedClockwise || removedCounterClockwise;
    }

    /// <summary>Updates a member's endpoint (a node that moved) without changing membership.</summary>
    public void Refresh(NodeHandle node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var i = _clockwise.FindIndex(m => m.Id == node.Id);
        if (i >= 0)
        {
            _clockwise[i] = node;
        }

        i = _counterClockwise.FindIndex(m => m.Id == node.Id);
        if (i >= 0)
        {
            _counterClockwise[i] = node;
        }
    }

    /// <summary>Of this node and the members, the one closest to <paramref name="key"/>, skipping <paramref name="excluded"/>.</summary>
    public NodeId Closest(NodeId key, Func<NodeId, bool>? excluded = null)
    {
        var best = Self;
        foreach (var member in Members)
        {
            if ((excluded is null || !excluded(member.Id)) && key.IsCloser(member.Id, best))
            {
                best = member.Id;
            }
        }

        return best;
    }

    /// <summary>
    /// The up to <paramref name="count"/> members and this node closest to <paramref name="key"/>,
    /// closest first (KBR replicaSet).
    /// </summary>
    public IReadOnlyList<NodeHandle> ClosestTo(NodeId key, int count, NodeHandle self)
    {
        ArgumentNullException.ThrowIfNull(self);
        var all = Members.Append(self).ToList();
        all.Sort((a, b) => a.Id == b.Id ? 0 : key.IsCloser(a.Id, b.Id) ? -1 : 1);
        return all.Take(Math.Max(0, count)).ToList();
    }

    private bool Admits(List<NodeHandle> side, NodeId id, bool clockwise)
    {
        if (side.Count < Half)
        {
            return true;
        }

        return DistanceOnSide(id, clockwise).CompareTo(DistanceOnSide(side[^1].Id, clockwise)) < 0;
    }

    private bool Insert(List<NodeHandle> side, NodeHandle node, bool clockwise)
    {
        var distance = DistanceOnSide(node.Id, clockwise);
        var index = side.FindIndex(m => distance.CompareTo(DistanceOnSide(m.Id, clockwise)) < 0);
        if (index < 0)
        {
            if (side.Count >= Half)
            {
                return false;
            }

            side.Add(node);
            return true;
        }

        side.Insert(index, node);
        if (side.Count > Half)
        {
            side.RemoveAt(side.Count - 1);
        }

        return true;
    }

    private void Refill(List<NodeHandle> side, List<NodeHandle> other, bool clockwise)
    {
        foreach (var member in other)
        {
            if (!side.Exists(m => m.Id == member.Id))
            {
                Insert(side, member, clockwise);
            }
        }
    }

    private NodeId DistanceOnSide(NodeId id, bool clockwise) => clockwise ? id.Minus(Self) : Self.Minus(id);
}
