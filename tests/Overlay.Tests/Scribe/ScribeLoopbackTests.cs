using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Scribe;
using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Tests.Pastry;
using Xunit.Abstractions;
using ScribeNode = EPostEdge.Overlay.Scribe.Scribe;

namespace EPostEdge.Overlay.Tests.Scribe;

/// <summary>
/// Issue 4 item 7's acceptance on real Pastry nodes over loopback UDP/TCP: a 100-member group
/// (25 nodes × 4 local members), multicast reaches all, anycast exactly one, and after an interior
/// tree node dies a multicast reaches every survivor within the repair period.
/// </summary>
public sealed class ScribeLoopbackTests(ITestOutputHelper output)
{
    private const int NodeCount = 25;
    private const int MembersPerNode = 4;

    // Fast timers so the repair shows in seconds; the ratios are the defaults' (1 : 3 : 4).
    private static readonly ScribeOptions Fast = new()
    {
        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        ParentTimeout = TimeSpan.FromMilliseconds(1500),
        ChildTimeout = TimeSpan.FromSeconds(2),
    };

    [Fact]
    public async Task A_hundred_member_group_gets_multicasts_and_anycasts_and_survives_an_interior_node_dying()
    {
        await using var overlay = await LoopbackOverlay.StartAsync(NodeCount, seed: 7);
        var repair = overlay.Options.RepairPeriod;
        Assert.NotNull(await LoopbackOverlay.WaitForAsync(() => overlay.LeafSetsCorrect(out _), repair * 2));

        var scribes = overlay.Nodes.Select(n => new ScribeNode(n.Node!, Fast)).ToList();
        try
        {
            var group = NodeId.Random(new SeededRandomSource(7));
            var members = overlay.Nodes.Select(_ => new MemberSet(MembersPerNode)).ToList();
            for (var i = 0; i < NodeCount; i++)
            {
                scribes[i].Join(group, members[i]);
            }

            var built = await LoopbackOverlay.WaitForAsync(() => TreeComplete(overlay, scribes, group), TimeSpan.FromSeconds(20));
            Assert.True(built is not null, "the tree never reached every node");
            output.WriteLine($"tree of {NodeCount} nodes built in {built!.Value.TotalSeconds:F1} s; {Describe(overlay, scribes, group)}");

            scribes[3].Multicast(group, new byte[] { 1 });
            Assert.NotNull(await LoopbackOverlay.WaitForAsync(() => members.All(m => m.Received(1)), TimeSpan.FromSeconds(10)));
            Assert.Equal(NodeCount * MembersPerNode, members.Sum(m => m.Count(1)));

            // Anycast: exactly one member takes it; wait on after the first to see that no second does.
            scribes[5].Anycast(group, new byte[] { 2 });
            Assert.NotNull(await LoopbackOverlay.WaitForAsync(() => members.Sum(m => m.Accepted) >= 1, TimeSpan.FromSeconds(10)));
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(1, members.Sum(m => m.Accepted));

            // Kill the interior node with the most children (never the root).
            var root = overlay.RootOf(group).Index;
            var interior = Enumerable.Range(0, NodeCount)
                .Where(i => i != root && scribes[i].Children(group).Count > 0)
                .OrderByDescending(i => scribes[i].Children(group).Count)
                .First();
            output.WriteLine($"killing node {interior} with {scribes[interior].Children(group).Count} children");
            scribes[interior].Dispose();
            await overlay.Nodes[interior].KillAsync();

            // Within the repair period (Pastry's failure detection, then Scribe's parent timeout) the
            // orphans have re-joined and a multicast reaches every surviving member.
            var survivors = Enumerable.Range(0, NodeCount).Where(i => i != interior).ToList();
            var deadline = repair + Fast.ParentTimeout + Fast.HeartbeatInterval;
            var repaired = await LoopbackOverlay.WaitForAsync(() => TreeComplete(overlay, scribes, group), deadline);
            Assert.True(repaired is not null, $"tree not repaired within {deadline.TotalSeconds:F1} s: {Describe(overlay, scribes, group)}");
            output.WriteLine($"tree repaired in {repaired!.Value.TotalSeconds:F1} s (deadline {deadline.TotalSeconds:F1} s)");

            scribes[survivors[^1]].Multicast(group, new byte[] { 3 });
            Assert.NotNull(await LoopbackOverlay.WaitForAsync(() => survivors.All(i => members[i].Received(3)), TimeSpan.FromSeconds(10)));
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            Assert.Equal(survivors.Count * MembersPerNode, survivors.Sum(i => members[i].Count(3)));
        }
        finally
        {
            foreach (var scribe in scribes)
            {
                scribe.Dispose();
            }
        }
    }

    /// <summary>Every live node's parent chain reaches the group key's root through live nodes.</summary>
    private static bool TreeComplete(LoopbackOverlay overlay, List<ScribeNode> scribes, NodeId group)
    {
        var root = overlay.RootOf(group).Index;
        var live = overlay.Live.ToDictionary(n => n.Id, n => n.Index);
        foreach (var node in overlay.Live)
        {
            var at = node.Index;
            for (var depth = 0; at != root; depth++)
            {
                if (depth > scribes.Count || scribes[at].Parent(group) is not { } parent || !live.TryGetValue(parent.Id, out at))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static string Describe(LoopbackOverlay overlay, List<ScribeNode> scribes, NodeId group) =>
        string.Join(" ", overlay.Live.Select(n =>
            $"{n.Index}<-{(scribes[n.Index].Parent(group) is { } p ? overlay.Nodes.FindIndex(x => x.Id == p.Id).ToString(System.Globalization.CultureInfo.InvariantCulture) : "-")}"));

    /// <summary>Several members behind one node's client: Scribe keeps one client per node and group.</summary>
    private sealed class MemberSet(int count) : IScribeClient
    {
        private readonly List<byte>[] _received = Enumerable.Range(0, count).Select(_ => new List<byte>()).ToArray();
        private int _accepted;

        public int Accepted => Volatile.Read(ref _accepted);

        public bool Received(byte tag)
        {
            lock (_received)
            {
                return _received.All(r => r.Contains(tag));
            }
        }

        public int Count(byte tag)
        {
            lock (_received)
            {
                return _received.Sum(r => r.Count(t => t == tag));
            }
        }

        public void DeliverMulticast(NodeId group, ReadOnlyMemory<byte> payload)
        {
            lock (_received)
            {
                foreach (var member in _received)
                {
                    member.Add(payload.Span[0]);
                }
            }
        }

        public bool DeliverAnycast(NodeId group, ReadOnlyMemory<byte> payload)
        {
            Interlocked.Increment(ref _accepted); // the first local member takes it
            return true;
        }
    }
}
