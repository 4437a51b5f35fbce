using System.Buffers.Binary;
using System.Collections.Concurrent;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Pastry;
using Xunit.Abstractions;

namespace EPostEdge.Overlay.Tests.Pastry;

/// <summary>
/// ePOST's repairs on real loopback sockets, with paths broken at the transport seam: partitions
/// heal by themselves, non-transitive paths are bridged by source routes, and a node that answers
/// pings but drops routed messages is routed around.
/// </summary>
public sealed class OverlayFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_partition_makes_two_rings_and_they_merge_again_without_help()
    {
        const int count = 20;
        await using var overlay = await LoopbackOverlay.StartAsync(count, seed: 21);
        var options = overlay.Options;
        Assert.NotNull(await LoopbackOverlay.WaitForAsync(() => overlay.LeafSetsCorrect(out _), options.RepairPeriod * 2));

        // A 30/70 split by id order would be easy to heal from one side; split by index instead,
        // so both groups are spread around the ring and every leaf set loses members.
        var left = overlay.Nodes.Where(n => n.Index % 3 == 0).ToList();
        var right = overlay.Nodes.Except(left).ToList();
        foreach (var a in left)
        {
            foreach (var b in right)
            {
                overlay.Switchboard.Block(a.EndPoint, b.EndPoint);
            }
        }

        var split = await LoopbackOverlay.WaitForAsync(
            () => overlay.LeafSetsCorrect(out _, left) && overlay.LeafSetsCorrect(out _, right), options.RepairPeriod * 2);
        overlay.LeafSetsCorrect(out var why, left);
        overlay.LeafSetsCorrect(out var whyRight, right);
        Assert.True(split is not null, $"two rings did not form: {why} {whyRight}");
        output.WriteLine($"partition {left.Count}/{right.Count}: two correct rings after {split!.Value.TotalSeconds:F1} s");

        overlay.Switchboard.Clear();
        var limit = options.PartitionProbeInterval + options.RepairPeriod;
        bool Contact() => left.Any(l => l.Node!.GetStatus().ClockwiseLeaves.Concat(l.Node.GetStatus().CounterClockwiseLeaves)
            .Any(n => right.Any(r => r.Id == n.Node.Id)));
        var contact = await LoopbackOverlay.WaitForAsync(Contact, limit);
        output.WriteLine($"block removed: first leaf across the old split after {contact?.TotalSeconds:F1} s");
        var healed = await LoopbackOverlay.WaitForAsync(() => overlay.LeafSetsCorrect(out _), limit);
        overlay.LeafSetsCorrect(out why);
        Assert.True(healed is not null, $"the rings did not merge within {limit.TotalSeconds:F1} s: {why}");
        output.WriteLine($"then one ring again {healed!.Value.TotalSeconds:F1} s later "
            + $"(partition-probe period {options.PartitionProbeInterval.TotalSeconds:F1} s)");
    }

    [Fact]
    public async Task Neighbours_that_cannot_reach_each_other_stay_alive_through_a_third_node_and_messages_arrive()
    {
        var applications = new ConcurrentDictionary<int, RecordingApplication>();
        await using var overlay = await LoopbackOverlay.StartAsync(8, seed: 31, configure: (node, i) =>
        {
            var app = new RecordingApplication(node.LocalNode.Id);
            applications[i] = app;
            node.Register(RecordingApplication.Id, app);
        });
        var options = overlay.Options;
        Assert.NotNull(await LoopbackOverlay.WaitForAsync(() => overlay.LeafSetsCorrect(out _), options.RepairPeriod * 2));

        // A and B adjacent on the ring; A↔B broken, every other path (A↔C, B↔C) works.
        var ring = overlay.Nodes.OrderBy(n => n.Id).ToList();
        var a = ring[2];
        var b = ring[3];
        overlay.Switchboard.Block(a.EndPoint, b.EndPoint);

        // Long enough that, without source routes, each would have declared the other dead.
        await Task.Delay(options.RepairPeriod * 1.5);
        Assert.True(overlay.LeafSetsCorrect(out var why), $"A or B dropped the other: {why}");
        var aSeesB = a.Node!.GetStatus().ClockwiseLeaves.Concat(a.Node.GetStatus().CounterClockwiseLeaves).First(l => l.Node.Id == b.Id);
        var bSeesA = b.Node!.GetStatus().ClockwiseLeaves.Concat(b.Node.GetStatus().CounterClockwiseLeaves).First(l => l.Node.Id == a.Id);
        Assert.NotNull(aSeesB.Relay);
        Assert.NotNull(bSeesA.Relay);
        output.WriteLine($"A {a.Id.ToShortString()} reaches B through {aSeesB.Relay}; B reaches A through {bSeesA.Relay}");

        // Routed messages between them: keys B owns, sent from A, and keys A owns, sent from B.
        applications[a.Index].Delivered.Clear();
        applications[b.Index].Delivered.Clear();
        for (var i = 0; i < 20; i++)
        {
            a.Node.Route(b.Id, RecordingApplication.Id, Tag(i));
            b.Node.Route(a.Id, RecordingApplication.Id, Tag(100 + i));
        }

        Assert.NotNull(await LoopbackOverlay.WaitForAsync(
            () => applications[b.Index].Delivered.Count >= 20 && applications[a.Index].Delivered.Count >= 20, TimeSpan.FromSeconds(20)));
        Assert.All(applications[b.Index].Delivered, d => Assert.Equal(a.Id, d.Source));
        Assert.All(applications[a.Index].Delivered, d => Assert.Equal(b.Id, d.Source));
        output.WriteLine($"20 + 20 routed messages arrived; relayed frames: {overlay.Live.Sum(n => n.Node!.Counters.Relayed)}");
    }

    [Fact]
    public async Task A_node_that_answers_pings_but_drops_routed_messages_is_routed_around()
    {
        var applications = new ConcurrentDictionary<int, RecordingApplication>();
        // L = 8 with 24 nodes: keys outside the leaf set's range take a routing-table hop first.
        var small = LoopbackOverlay.FastOptions with { LeafSetSize = 8 };
        await using var overlay = await LoopbackOverlay.StartAsync(24, small, seed: 41, configure: (node, i) =>
        {
            var app = new RecordingApplication(node.LocalNode.Id);
            applications[i] = app;
            node.Register(RecordingApplication.Id, app);
        });
        var options = overlay.Options;
        Assert.NotNull(await LoopbackOverlay.WaitForAsync(() => overlay.LeafSetsCorrect(out _), options.RepairPeriod * 2));

        // Keys the source hands to some first hop that is not their root; that first hop becomes the dropper.
        var source = overlay.Nodes[1];
        var random = new EPostEdge.Overlay.Seams.SeededRandomSource(43);
        var byFirstHop = new Dictionary<NodeId, List<(NodeId Key, LoopbackNode Root)>>();
        for (var i = 0; i < 2000; i++)
        {
            var key = NodeId.Random(random);
            var root = overlay.RootOf(key);
            var first = source.Node!.LocalLookup(key, 1)[0].Id;
            if (root != source && first != root.Id && first != source.Id)
            {
                (byFirstHop.TryGetValue(first, out var list) ? list : byFirstHop[first] = []).Add((key, root));
            }
        }

        Assert.NotEmpty(byFirstHop);
        var (dropperId, candidates) = byFirstHop.MaxBy(p => p.Value.Count);
        var dropper = overlay.Nodes.First(n => n.Id == dropperId);
        dropper.Node!.DropsRoutedMessages = true;
        var keys = candidates.Take(12).ToList();
        output.WriteLine($"dropper {dropper.Id.ToShortString()} is the first hop of {candidates.Count} of 2000 keys from the source");

        for (var i = 0; i < keys.Count; i++)
        {
            source.Node!.Route(keys[i].Key, RecordingApplication.Id, Tag(i));
        }

        var arrived = await LoopbackOverlay.WaitForAsync(
            () => keys.Select((k, i) => applications[k.Root.Index].Delivered.Any(d => d.Key == k.Key)).All(x => x),
            options.RootAckTimeout * 4);
        var delivered = keys.Count(k => applications[k.Root.Index].Delivered.Any(d => d.Key == k.Key));
        output.WriteLine($"{delivered} of {keys.Count} messages whose first hop drops them reached their root; "
            + $"root-ack timeouts {source.Node!.Counters.RootAckTimeouts}");
        Assert.True(arrived is not null, $"only {delivered} of {keys.Count} arrived");

        // The dropper is still alive (it answers pings) and now routed around.
        var status = source.Node.GetStatus();
        var entry = status.RoutingTable.Concat(status.ClockwiseLeaves).Concat(status.CounterClockwiseLeaves).First(n => n.Node.Id == dropper.Id);
        Assert.True(entry.RoutedAround, "the dropper should be routed around");
        Assert.Equal(0, entry.FailedRounds);
    }

    private static byte[] Tag(int value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, (ulong)value);
        return bytes;
    }
}
