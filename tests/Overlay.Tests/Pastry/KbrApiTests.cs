using System.Collections.Concurrent;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Kbr;
using EPostEdge.Overlay.Pastry;
using EPostEdge.Overlay.Seams;
using Xunit.Abstractions;

namespace EPostEdge.Overlay.Tests.Pastry;

/// <summary>
/// The common KBR API (Dabek et al. §3) on a real-socket overlay: replicaSet, range, local_lookup,
/// neighborSet, the forward upcall changing or stopping a message, direct sends, and the leaf-set
/// change notifications replication will rely on.
/// </summary>
public sealed class KbrApiTests(ITestOutputHelper output)
{
    private static readonly PastryOptions SmallLeafSet = LoopbackOverlay.FastOptions with { LeafSetSize = 8 };

    [Fact]
    public async Task ReplicaSet_range_lookup_and_neighbours_agree_with_the_global_ring()
    {
        await using var overlay = await LoopbackOverlay.StartAsync(20, SmallLeafSet, seed: 71);
        Assert.NotNull(await LoopbackOverlay.WaitForAsync(() => overlay.LeafSetsCorrect(out _), SmallLeafSet.RepairPeriod * 2));
        var random = new SeededRandomSource(72);
        var ids = overlay.Nodes.Select(n => n.Id).ToList();

        for (var i = 0; i < 50; i++)
        {
            var key = NodeId.Random(random);
            var root = overlay.RootOf(key);
            Assert.True(root.Node!.IsRoot(key));
            Assert.All(overlay.Nodes.Where(n => n != root), n => Assert.False(n.Node!.IsRoot(key)));

            // replicaSet(key, 3) at the root: the 3 closest nodes of the whole ring, closest first.
            var expected = ids.OrderBy(id => id, Comparer<NodeId>.Create((a, b) => a == b ? 0 : key.IsCloser(a, b) ? -1 : 1)).Take(3).ToList();
            Assert.Equal(expected, root.Node.ReplicaSet(key, 3).Select(h => h.Id).ToList());

            // local_lookup's first answer is a node in this node's routing state that makes progress.
            var from = overlay.Nodes[random.NextInt32(overlay.Nodes.Count)];
            var next = from.Node!.LocalLookup(key, 3);
            Assert.NotEmpty(next);
            Assert.True(from == root ? next[0].Id == from.Id : key.IsCloser(next[0].Id, from.Id) || next[0].Id.SharedPrefixLength(key) > from.Id.SharedPrefixLength(key));
        }

        foreach (var node in overlay.Nodes)
        {
            // range(self, 0): keys in it have this node as root.
            var range = node.Node!.Range(node.Node.LocalNode, 0);
            Assert.NotNull(range);
            var (from, to) = range.Value;
            var middle = from.Midpoint(to);
            foreach (var key in new[] { middle, from.Midpoint(middle), middle.Midpoint(to), node.Id })
            {
                Assert.Equal(node.Id, overlay.RootOf(key).Id);
            }

            // ...and keys just outside it (past the midpoints towards the neighbours) do not.
            Assert.NotEqual(node.Id, overlay.RootOf(to.Plus(to.Minus(middle))).Id);

            // neighborSet(4): leaf-set members, the nearest first.
            var neighbours = node.Node.NeighborSet(4);
            Assert.Equal(4, neighbours.Count);
            var status = node.Node.GetStatus();
            Assert.Equal(status.ClockwiseLeaves[0].Node.Id, neighbours[0].Id);
            Assert.Equal(status.CounterClockwiseLeaves[0].Node.Id, neighbours[1].Id);
        }
    }

    [Fact]
    public async Task Forward_can_change_or_stop_a_message_and_direct_sends_arrive()
    {
        var applications = new ConcurrentDictionary<int, StampingApplication>();
        await using var overlay = await LoopbackOverlay.StartAsync(24, SmallLeafSet, seed: 73, configure: (node, i) =>
        {
            var app = new StampingApplication();
            applications[i] = app;
            node.Register(StampingApplication.Id, app);
        });
        Assert.NotNull(await LoopbackOverlay.WaitForAsync(() => overlay.LeafSetsCorrect(out _), SmallLeafSet.RepairPeriod * 2));
        var random = new SeededRandomSource(74);
        var source = overlay.Nodes[3];

        // Every intermediate node stamps a 'k' message; an 'x' message is stopped by the first
        // intermediate node (so only those whose first hop is the root arrive).
        const int count = 200;
        for (var i = 0; i < count; i++)
        {
            var key = NodeId.Random(random);
            source.Node!.Route(key, StampingApplication.Id, new byte[] { (byte)'k' });
            source.Node.Route(key, StampingApplication.Id, new byte[] { (byte)'x' });
        }

        List<(byte[] Payload, int Hops)> Delivered(char kind) => applications.Values.SelectMany(a => a.Delivered).Where(d => d.Payload[0] == kind).ToList();
        Assert.NotNull(await LoopbackOverlay.WaitForAsync(
            () => Delivered('k').Count >= count && Delivered('x').Count + applications.Values.Sum(a => a.Stopped) >= count, TimeSpan.FromSeconds(20)));
        await Task.Delay(500);
        var stamped = Delivered('k');
        Assert.Equal(count, stamped.Count);
        Assert.All(stamped, d => Assert.Equal(Math.Max(1, d.Hops), d.Payload.Length)); // one stamp per intermediate hop
        Assert.Contains(stamped, d => d.Hops >= 2);
        var stopped = applications.Values.Sum(a => a.Stopped);
        Assert.True(stopped >= stamped.Count(d => d.Hops >= 2) - 5, $"{stopped} stopped"); // (a retried hop may stop one twice)
        Assert.All(Delivered('x'), d => Assert.True(d.Hops <= 1));
        output.WriteLine($"{stamped.Count} stamped deliveries (max hops {stamped.Max(d => d.Hops)}), {stopped} 'x' messages stopped in Forward");

        // Direct sends (KBR route with a hint) reach exactly the named node.
        var target = overlay.Nodes[17];
        source.Node!.Send(target.Node!.LocalNode, StampingApplication.Id, new byte[] { (byte)'d' });
        Assert.NotNull(await LoopbackOverlay.WaitForAsync(() => applications[target.Index].Delivered.Any(d => d.Payload[0] == 'd'), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Leaf_set_changes_are_announced_when_a_member_dies_and_when_it_returns()
    {
        await using var overlay = await LoopbackOverlay.StartAsync(12, SmallLeafSet, seed: 75);
        Assert.NotNull(await LoopbackOverlay.WaitForAsync(() => overlay.LeafSetsCorrect(out _), SmallLeafSet.RepairPeriod * 2));
        var watcher = overlay.Nodes[0];
        var changes = new ConcurrentQueue<LeafSetChange>();
        watcher.Node!.LeafSetChanged += changes.Enqueue;
        var member = overlay.Nodes.First(n => n.Id == watcher.Node.NeighborSet(1)[0].Id);

        await member.KillAsync();
        Assert.NotNull(await LoopbackOverlay.WaitForAsync(() => changes.Any(c => c.Node.Id == member.Id && !c.Joined), SmallLeafSet.RepairPeriod));
        await member.RestartAsync();
        Assert.NotNull(await LoopbackOverlay.WaitForAsync(() => changes.Any(c => c.Node.Id == member.Id && c.Joined), SmallLeafSet.RepairPeriod * 2));
        output.WriteLine(string.Join(", ", changes.Select(c => $"{(c.Joined ? "+" : "-")}{c.Node.Id.ToShortString(6)}")));
    }

    /// <summary>Forwarders append one byte; a message starting with 'x' is stopped at its first forwarder.</summary>
    private sealed class StampingApplication : IKbrApplication
    {
        public const ushort Id = 11;

        public ConcurrentQueue<(byte[] Payload, int Hops)> Delivered { get; } = new();

        public int Stopped;

        public void Deliver(NodeId key, KbrMessage message) => Delivered.Enqueue((message.Payload.ToArray(), message.Hops));

        public bool Forward(NodeId key, ref KbrMessage message, ref NodeHandle nextHop)
        {
            if (message.Hops == 0)
            {
                return true; // at the source: nothing to stamp yet
            }

            if (message.Payload.Span[0] == 'x')
            {
                Interlocked.Increment(ref Stopped);
                return false;
            }

            message = message with { Payload = message.Payload.ToArray().Append((byte)'+').ToArray() };
            return true;
        }
    }
}
