using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Routing;

/// <summary>
/// Pastry's routing table (§2.1): row r holds nodes that share the first r hex digits with this
/// node and differ in digit r, one per value of that digit (15 usable columns per row; about
/// ⌈log16 N⌉ rows fill). With proximity neighbour selection (§2.5) each slot keeps the candidate
/// with the smallest measured round-trip time.
/// </summary>
public sealed class RoutingTable
{
    private readonly RoutingEntry?[,] _slots = new RoutingEntry?[NodeId.Digits, NodeId.Radix];
    private readonly Dictionary<NodeId, (int Row, int Column)> _where = [];

    public RoutingTable(NodeId self)
    {
        Self = self;
    }

    /// <summary>The node this table belongs to.</summary>
    public NodeId Self { get; }

    /// <summary>Filled slots.</summary>
    public int Count => _where.Count;

    /// <summary>One more than the deepest non-empty row (0 when empty).</summary>
    public int RowCount
    {
        get
        {
            var deepest = -1;
            foreach (var (row, _) in _where.Values)
            {
                deepest = Math.Max(deepest, row);
            }

            return deepest + 1;
        }
    }

    /// <summary>Where <paramref name="id"/> belongs: row = shared prefix length, column = its digit there.</summary>
    public (int Row, int Column) SlotOf(NodeId id)
    {
        var row = Self.SharedPrefixLength(id);
        if (row >= NodeId.Digits)
        {
            throw new ArgumentException("a node does not hold itself", nameof(id));
        }

        return (row, id.Digit(row));
    }

    /// <summary>The entry at (row, column), or null.</summary>
    public RoutingEntry? this[int row, int column] => _slots[row, column];

    /// <summary>True when <paramref name="id"/> is in the table.</summary>
    public bool Contains(NodeId id) => _where.ContainsKey(id);

    /// <summary>The entries of one row.</summary>
    public IReadOnlyList<NodeHandle> Row(int row)
    {
        var entries = new List<NodeHandle>();
        for (var column = 0; column < NodeId.Radix; column++)
        {
            if (_slots[row, column] is { } entry)
            {
                entries.Add(entry.Node);
            }
        }

        return entries;
    }

    /// <summary>Every entry.</summary>
    public IEnumerable<NodeHandle> All()
    {
        foreach (var (row, column) in _where.Values)
        {
            yield return _slots[row, column]!.Node;
        }
    }

    /// <summary>True when <paramref name="id"/>'s slot is empty (so any live candidate is worth having).</summary>
    public bool IsSlotEmpty(NodeId id)
    {
        if (id == Self)
        {
            return false;
        }

        var (row, column) = SlotOf(id);
        return _slots[row, column] is null;
    }

    /// <summary>
    /// Offers a live node with its measured round-trip time. It takes an empty slot, or replaces
    /// the holder when it is nearer (proximity neighbour selection). Returns true when the table changed.
    /// </summary>
    public bool Consider(NodeHandle node, TimeSpan roundTrip)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Id == Self)
        {
            return false;
        }

        var (row, column) = SlotOf(node.Id);
        var current = _slots[row, column];
        if (current is not null)
        {
            if (current.Node.Id == node.Id)
            {
                _slots[row, column] = new RoutingEntry(node, roundTrip);
                return false;
            }

            if (current.RoundTrip <= roundTrip)
            {
                return false;
            }

            _where.Remove(current.Node.Id);
        }

        _slots[row, column] = new RoutingEntry(node, roundTrip);
        _where[node.Id] = (row, column);
        return true;
    }

    /// <summary>Removes <paramref name="id"/>; true when it was there.</summary>
    public bool Remove(NodeId id)
    {
        if (!_where.Remove(id, out var slot))
        {
            return false;
        }

        _slots[slot.Row, slot.Column] = null;
        return true;
    }

    /// <summary>Filled slots per row, for diagnostics.</summary>
    public int[] FillByRow()
    {
        var fill = new int[RowCount];
        foreach (var (row, _) in _where.Values)
        {
            fill[row]++;
        }

        return fill;
    }
}
