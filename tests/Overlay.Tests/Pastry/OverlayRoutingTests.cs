using System.Buffers.Binary;
using System.Collections.Concurrent;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Pastry;
using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Tests.Transport;
using Xunit.Abstractions;

namespace EPostEdge.Overlay.Tests.Pastry;

/// <summary>
/// Issue 4's acceptance on real loopback sockets: one overlay from one bootstrap, every lookup
/// reaches the numerically closest live node, leaf sets exactly right; then 25 % killed, repaired,
/// restarted.
/// </summary>
public sealed class OverlayRoutingTests(ITestOutputHelper output)
{
    private const int NodeCount = 24;

    [Fact]
    public async Task Nodes_form_one_ring_route_every_key_to_its_root_and_repair_after_25_percent_die()
    {
        var applications = new ConcurrentDictionary<int, RecordingApplication>();
        await using var overlay = await LoopbackOverlay.StartAsync(NodeCount, configure: (node, i) =>
        {
            var app = new RecordingApplication(node.LocalNode.Id);
            applications[i] = app;
            node.Register(RecordingApplication.Id, app);
        });
        var repair = overlay.Options.RepairPeriod;
        output.WriteLine($"{NodeCount} nodes joined; repair period {repair.TotalSeconds:F1} s");

        Assert.NotNull(await LoopbackOverlay.WaitForAsync(() => overlay.LeafSetsCorrect(out _), repair * 2));
        Assert.True(overlay.LeafSetsCorrect(out var why), why);

        var (mean, max) = await RouteAndCheckAsync(overlay, applications, keysPerNode: 1000, seed: 11);
        output.WriteLine($"lookups: {NodeCount} × 1000 keys, mean hops {mean:F2}, max hops {max}");

        // Maintenance at rest: bytes every node sends while nothing but maintenance runs.
        var before = overlay.Live.Sum(n => n.Node!.GetStatus().Counters.MaintenanceBytesSent);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var after = overlay.Live.Sum(n => n.Node!.GetStatus().Counters.MaintenanceBytesSent);
        var perNode = (after - before) / watch.Elapsed.TotalSeconds / NodeCount;
        var keepAlive = overlay.Options.KeepAliveInterval.TotalSeconds;
        output.WriteLine($"maintenance at rest: {perNode:F0} B/s per node with {keepAlive:F1} s keep-alives "
            + $"(scaled to the default 5 s keep-alive: {perNode * keepAlive / 5:F0} B/s)");

        // Kill a quarter of the nodes (never the first, which the others used as bootstrap).
        var random = new SeededRandomSource(5);
        var victims = overlay.Nodes.Skip(1).OrderBy(_ => random.NextUInt64()).Take(NodeCount / 4).ToList();
        foreach (var victim in victims)
        {
            await victim.KillAsync();
        }

        var healed = await LoopbackOverlay.WaitForAsync(() => overlay.LeafSetsCorrect(out _), repair);
        overlay.LeafSetsCorrect(out why);
        Assert.True(healed is not null, $"leaf sets not repaired within {repair.TotalSeconds:F1} s: {why}");
        output.WriteLine($"killed {victims.Count}: leaf sets correct again after {healed!.Value.TotalSeconds:F1} s");
        await RouteAndCheckAsync(overlay, applications, keysPerNode: 100, seed: 12);

        foreach (var victim in victims)
        {
            await victim.RestartAsync();
        }

        await Task.WhenAll(victims.Select(v => v.Node!.Joined.WaitAsync(TimeSpan.FromSeconds(30))));
        var rejoined = await LoopbackOverlay.WaitForAsync(() => overlay.LeafSetsCorrect(out _), repair * 2);
        overlay.LeafSetsCorrect(out why);
        Assert.True(rejoined is not null, $"restarted nodes did not rejoin: {why}");
        output.WriteLine($"restarted {victims.Count}: leaf sets correct after {rejoined!.Value.TotalSeconds:F1} s");
        await RouteAndCheckAsync(overlay, applications, keysPerNode: 100, seed: 13);
    }

    [IPv6LoopbackFact]
    public async Task Nodes_on_IPv6_loopback_form_a_ring_and_route_every_key_to_its_root()
    {
        var applications = new ConcurrentDictionary<int, RecordingApplication>();
        await using var overlay = await LoopbackOverlay.StartAsync(8, seed: 61, address: System.Net.IPAddress.IPv6Loopback, configure: (node, i) =>
        {
            var app = new RecordingApplication(node.LocalNode.Id);
            applications[i] = app;
            node.Register(RecordingApplication.Id, app);
        });
        Assert.NotNull(await LoopbackOverlay.WaitForAsync(() => overlay.LeafSetsCorrect(out _), overlay.Options.RepairPeriod * 2));
        Assert.All(overlay.Nodes, n => Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, n.EndPoint.AddressFamily));
        var (mean, max) = await RouteAndCheckAsync(overlay, applications, keysPerNode: 100, seed: 62);
        output.WriteLine($"IPv6: 8 nodes on [::1], 800 lookups, mean hops {mean:F2}, max {max}");
    }

    /// <summary>Every live node routes <paramref name="keysPerNode"/> random keys; each must arrive at the key's true root.</summary>
    private async Task<(double Mean, int Max)> RouteAndCheckAsync(LoopbackOverlay overlay, ConcurrentDictionary<int, RecordingApplication> applications, int keysPerNode, ulong seed)
    {
        foreach (var app in applications.Values)
        {
            app.Delivered.Clear();
        }

        var random = new SeededRandomSource(seed);
        var sent = new Dictionary<ulong, (NodeId Key, LoopbackNode Root)>();
        ulong tag = 0;
        var live = overlay.Live.ToList();
        for (var i = 0; i < keysPerNode; i++)
        {
            foreach (var node in live)
            {
                var key = NodeId.Random(random);
                var payload = new byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(payload, ++tag);
                sent[tag] = (key, overlay.RootOf(key));
                node.Node!.Route(key, RecordingApplication.Id, payload);
            }

            if (i % 2 == 1)
            {
                // Pace to a few thousand lookups a second: every node of the overlay shares this
                // process's two cores, and unpaced bursts starve keep-alives until nodes look dead.
                await Task.Delay(10);
            }
        }

        await LoopbackOverlay.WaitForAsync(() => live.Sum(n => applications[n.Index].Delivered.Count) >= sent.Count, TimeSpan.FromSeconds(60));
        await Task.Delay(overlay.Options.RootAckTimeout); // let late retries show up as duplicates

        var delivered = new Dictionary<ulong, (NodeId At, int Hops)>();
        foreach (var node in live)
        {
            foreach (var (key, payload, hops, _) in applications[node.Index].Delivered)
            {
                delivered[BinaryPrimitives.ReadUInt64BigEndian(payload)] = (node.Id, hops);
            }
        }

        var wrong = sent.Where(s => !delivered.TryGetValue(s.Key, out var d) || d.At != s.Value.Root.Id).ToList();
        var missing = sent.Keys.Count(k => !delivered.ContainsKey(k));
        var deliveries = live.Sum(n => applications[n.Index].Delivered.Count);
        output.WriteLine($"{sent.Count} lookups: {deliveries} deliveries, {wrong.Count} wrong, {missing} missing; "
            + $"hop retries {live.Sum(n => n.Node!.Counters.HopRetries)}, route failures {live.Sum(n => n.Node!.Counters.RouteFailures)}, "
            + $"root-ack timeouts {live.Sum(n => n.Node!.Counters.RootAckTimeouts)}, declared dead {live.Sum(n => n.Node!.Counters.DeclaredDead)}");
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {sent.Count} lookups wrong ({missing} never delivered)");
        var hopCounts = delivered.Values.Select(d => d.Hops).ToList();
        return (hopCounts.Average(), hopCounts.Max());
    }
}
