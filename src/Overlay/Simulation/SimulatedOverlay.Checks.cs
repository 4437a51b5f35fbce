using System.Buffers.Binary;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Kbr;
using EPostEdge.Overlay.Pastry;

namespace EPostEdge.Overlay.Simulation;

/// <summary>What the checkers need beyond a yes or no: each lookup's path and the nodes of a leaf-set fault, for minimal traces (issue 5 item 6).</summary>
public sealed partial class SimulatedOverlay
{
    private readonly Dictionary<long, LookupPath> _paths = [];
    private readonly Dictionary<NodeId, int> _indexById = [];

    /// <summary>Called inside the delivering event for each lookup that reached a node other than the live root, so a checker can stop the run right there.</summary>
    public Action<InconsistentLookup>? LookupInconsistent { get; set; }

    /// <summary>The index of the run's node with <paramref name="id"/>, or -1.</summary>
    public int IndexOf(NodeId id)
    {
        if (_indexById.Count != _nodes.Count)
        {
            foreach (var node in _nodes)
            {
                _indexById[node.Id] = node.Index;
            }
        }

        return _indexById.TryGetValue(id, out var index) ? index : -1;
    }

    /// <summary>
    /// The first node of <paramref name="group"/> (all nodes when null) whose leaf set is wrong, with
    /// the members it misses and those it should not hold; null when every leaf set is exact.
    /// Slower than <see cref="LeafSetsCorrect"/>: call it once a violation is certain.
    /// </summary>
    public LeafSetFault? FindLeafSetFault(IEnumerable<SimulatedNode>? group = null)
    {
        var members = (group ?? _nodes).ToList();
        if (LeafSetsCorrect(out var why, members))
        {
            return null;
        }

        var ring = members.Where(n => n.IsAlive).OrderBy(n => n.Id).ToList();
        var half = Math.Min(Options.LeafSetSize / 2, ring.Count - 1);
        for (var i = 0; i < ring.Count; i++)
        {
            var clockwise = new HashSet<int>();
            var counter = new HashSet<int>();
            for (var k = 1; k <= half; k++)
            {
                clockwise.Add(ring[(i + k) % ring.Count].Index);
                counter.Add(ring[(i - k + ring.Count) % ring.Count].Index);
            }

            var status = ring[i].Node!.GetStatus();
            var actualClockwise = status.ClockwiseLeaves.Select(l => IndexOf(l.Node.Id)).ToHashSet();
            var actualCounter = status.CounterClockwiseLeaves.Select(l => IndexOf(l.Node.Id)).ToHashSet();
            if (!clockwise.SetEquals(actualClockwise) || !counter.SetEquals(actualCounter))
            {
                var expected = clockwise.Union(counter).ToHashSet();
                var actual = actualClockwise.Union(actualCounter).ToHashSet();
                return new LeafSetFault(ring[i].Index, [.. expected.Except(actual).Order()], [.. actual.Except(expected).Order()], why);
            }
        }

        return new LeafSetFault(-1, [], [], why);
    }

    /// <summary>
    /// Fault point for the checkers' own tests: the lookup with this number is delivered at the
    /// first node on its path that is not its root, as a routing bug would. Null: none.
    /// </summary>
    public long? MisdeliverLookup { get; set; }

    /// <summary>This node's handle when it must wrongly deliver <paramref name="message"/> (see <see cref="MisdeliverLookup"/>).</summary>
    internal NodeHandle? Misdelivers(int index, NodeId key, KbrMessage message)
    {
        if (MisdeliverLookup is not { } number || message.Payload.Length != 8
            || BinaryPrimitives.ReadInt64BigEndian(message.Payload.Span) != number
            || RootOf(key)?.Index == index)
        {
            return null;
        }

        return _nodes[index].Node?.LocalNode;
    }

    internal void OnLookupForwarded(int index, KbrMessage message, NodeHandle nextHop)
    {
        if (message.Payload.Length == 8 && _paths.TryGetValue(BinaryPrimitives.ReadInt64BigEndian(message.Payload.Span), out var path))
        {
            path.Add(new LookupForward(Scheduler.Now, index, IndexOf(nextHop.Id)));
        }
    }

    private void TrackIssued(long number, int from, NodeId key) => _paths[number] = new LookupPath(number, key, from, Scheduler.Now);

    private LookupPath? TrackDelivered(long number, int index, int hops)
    {
        if (!_paths.Remove(number, out var path))
        {
            return null;
        }

        path.DeliveredAt = index;
        path.Delivered = Scheduler.Now;
        path.Hops = hops;
        return path;
    }

    private void ReportInconsistent(LookupPath? path, SimulatedNode? root)
    {
        if (path is null || LookupInconsistent is not { } report)
        {
            return;
        }

        var at = _nodes[path.DeliveredAt];
        report(new InconsistentLookup(
            path,
            root?.Index ?? -1,
            $"lookup #{path.Number} for {path.Key.ToShortString()} from node {path.Source} delivered at node {at.Index} {at.Id.ToShortString()}, "
            + $"but the closest live node is {(root is null ? "none" : $"{root.Index} {root.Id.ToShortString()}")}{Describe(root)}"));
    }
}
