using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Kbr;
using EPostEdge.Overlay.Links;
using EPostEdge.Overlay.Pastry;
using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Transport;

namespace EPostEdge.Benchmarks;

/// <summary>
/// The overlay's figures on real loopback sockets with the node's default periods (issue 4): hops
/// per lookup (mean, max) for 1 000 random keys, and maintenance bytes per node per second at rest.
/// </summary>
internal static class OverlayBenchmark
{
    private const ushort Application = 9;

    public static async Task RunAsync(int nodeCount, int leafSetSize, double restSeconds)
    {
        Console.WriteLine();
        Console.WriteLine($"overlay: {nodeCount} nodes on loopback UDP/TCP, L = {leafSetSize}, default periods (keep-alive 5 s, leaf-set exchange 10 s)");
        var random = new SeededRandomSource(2026);
        using var founder = OverlayFounder.Create(random);
        var nodes = new List<PastryNode>();
        var delivered = new ConcurrentQueue<(NodeId Key, NodeId At, int Hops)>();
        var options = new PastryOptions { LeafSetSize = leafSetSize };
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < nodeCount; i++)
        {
            var transport = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), new SocketTransportOptions());
            var identity = NodeIdentity.Create(random);
            identity.Certificate = founder.Issue(identity.SigningKey, identity.AgreementKey, transport.LocalEndPoint, mayInvite: false);
            var node = new PastryNode(identity, founder.Trust, new TransportLink(transport), new SeededRandomSource((ulong)i + 1),
                i == 0 ? options : options with { Bootstraps = [nodes[0].LocalNode.EndPoint] });
            node.Register(Application, new Recorder(node.LocalNode.Id, delivered));
            node.Start();
            await node.Joined.WaitAsync(TimeSpan.FromSeconds(30));
            nodes.Add(node);
        }

        Console.WriteLine($"  joined in {watch.Elapsed.TotalSeconds:F1} s");
        watch.Restart();
        while (!LeafSetsCorrect(nodes, leafSetSize) && watch.Elapsed < TimeSpan.FromMinutes(3))
        {
            await Task.Delay(500);
        }

        Console.WriteLine($"  leaf sets {(LeafSetsCorrect(nodes, leafSetSize) ? "exactly correct" : "NOT correct")} after {watch.Elapsed.TotalSeconds:F1} s more");

        var keys = Enumerable.Range(0, 1000).Select(_ => NodeId.Random(random)).ToList();
        for (var i = 0; i < keys.Count; i++)
        {
            nodes[random.NextInt32(nodes.Count)].Route(keys[i], Application, BitConverter.GetBytes(i));
            if (i % 50 == 49)
            {
                await Task.Delay(10);
            }
        }

        watch.Restart();
        while (delivered.Count < keys.Count && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
        }

        var ids = nodes.Select(n => n.LocalNode.Id).ToList();
        var correct = delivered.Count(d => d.At == d.Key.ClosestOf(ids));
        var hops = delivered.Select(d => d.Hops).DefaultIfEmpty().ToList();
        Console.WriteLine($"  1000 lookups: {delivered.Count} delivered, {correct} at the numerically closest node; "
            + $"hops mean {hops.Average():F2}, max {hops.Max()} (log16 N = {Math.Log(nodeCount, 16):F2})");

        await Task.Delay(TimeSpan.FromSeconds(5)); // let acknowledgements settle
        var before = nodes.Select(n => n.GetStatus().Counters).ToList();
        watch.Restart();
        await Task.Delay(TimeSpan.FromSeconds(restSeconds));
        var after = nodes.Select(n => n.GetStatus().Counters).ToList();
        var elapsed = watch.Elapsed.TotalSeconds;
        var bytes = after.Zip(before, (a, b) => a.BytesSent - b.BytesSent).Sum();
        var frames = after.Zip(before, (a, b) => a.FramesSent - b.FramesSent).Sum();
        var perNode = bytes / elapsed / nodeCount;
        var withHeaders = (bytes + (frames * 28.0)) / elapsed / nodeCount; // + IPv4 (20) and UDP (8) headers
        Console.WriteLine($"  at rest over {elapsed:F0} s: {perNode:F0} B/s sent per node ({withHeaders:F0} B/s with IP/UDP headers), "
            + $"{frames / elapsed / nodeCount:F1} frames/s per node");

        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }
    }

    private static bool LeafSetsCorrect(List<PastryNode> nodes, int leafSetSize)
    {
        var ids = nodes.Select(n => n.LocalNode.Id).ToList();
        foreach (var node in nodes)
        {
            var self = node.LocalNode.Id;
            var status = node.GetStatus();
            var cw = ids.Where(i => i != self).OrderBy(i => i.Minus(self)).Take(leafSetSize / 2).ToHashSet();
            var ccw = ids.Where(i => i != self).OrderBy(i => self.Minus(i)).Take(leafSetSize / 2).ToHashSet();
            if (!cw.SetEquals(status.ClockwiseLeaves.Select(l => l.Node.Id)) || !ccw.SetEquals(status.CounterClockwiseLeaves.Select(l => l.Node.Id)))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class Recorder(NodeId self, ConcurrentQueue<(NodeId Key, NodeId At, int Hops)> delivered) : IKbrApplication
    {
        public void Deliver(NodeId key, KbrMessage message) => delivered.Enqueue((key, self, message.Hops));

        public bool Forward(NodeId key, ref KbrMessage message, ref NodeHandle nextHop) => true;
    }
}
