using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Scribe;

namespace EPostEdge.Overlay.Tests.Scribe;

public sealed class ScribeTests
{
    private const int Nodes = 200;
    private const int MemberCount = 60;
    private static readonly ScribeOptions Options = new();

    public static TheoryData<ulong, bool> Seeds => new()
    {
        { 1, true },
        { 2, true },
        { 3, false },
        { 4, false },
    };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void The_tree_is_the_union_of_the_members_routes_to_the_root(ulong seed, bool forwardAtSource)
    {
        var testbed = ScribeTestbed.Build(seed, Nodes, MemberCount, forwardAtSource);

        testbed.AssertTreeIsConsistent();
        foreach (var member in testbed.Members.Keys)
        {
            Assert.True(testbed.Scribes[member].IsMember(testbed.Group));
        }

        // Reverse-path forwarding needs interior nodes; with 200 nodes and 60 members some
        // forwarders must hold more than one child, else the test proves nothing about fan-out.
        Assert.Contains(testbed.TreeNodes, i => testbed.Scribes[i].Children(testbed.Group).Count > 1);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_multicast_reaches_every_member_exactly_once(ulong seed, bool forwardAtSource)
    {
        var testbed = ScribeTestbed.Build(seed, Nodes, MemberCount, forwardAtSource);
        var outsider = Enumerable.Range(0, Nodes).First(i => !testbed.Members.ContainsKey(i));
        var insider = testbed.Members.Keys.First();

        var first = testbed.Multicast(outsider);
        var second = testbed.Multicast(insider);

        foreach (var client in testbed.Members.Values)
        {
            Assert.Equal([first, second], client.Multicasts);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void An_anycast_is_accepted_by_exactly_one_member(ulong seed, bool forwardAtSource)
    {
        var testbed = ScribeTestbed.Build(seed, Nodes, MemberCount, forwardAtSource);
        for (var from = 0; from < Nodes; from += 7)
        {
            var before = testbed.Members.Values.Sum(c => c.AnycastsAccepted);
            testbed.Scribes[from].Anycast(testbed.Group, new byte[] { 1 });
            testbed.Network.Run();
            Assert.Equal(before + 1, testbed.Members.Values.Sum(c => c.AnycastsAccepted));
        }

        // A member anycasting finds itself first (the search starts at the first tree node on the route).
        var member = testbed.Members.Keys.Last();
        var accepted = testbed.Members[member].AnycastsAccepted;
        testbed.Scribes[member].Anycast(testbed.Group, new byte[] { 2 });
        testbed.Network.Run();
        Assert.Equal(accepted + 1, testbed.Members[member].AnycastsAccepted);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void An_anycast_searches_the_whole_tree_for_a_member_that_accepts(ulong seed, bool forwardAtSource)
    {
        var testbed = ScribeTestbed.Build(seed, Nodes, MemberCount, forwardAtSource);
        foreach (var client in testbed.Members.Values)
        {
            client.AcceptsAnycast = false;
        }

        // Nobody accepts: the depth-first search offers it to every member, each once, then gives up.
        var from = Enumerable.Range(0, Nodes).First(i => !testbed.Members.ContainsKey(i));
        testbed.Scribes[from].Anycast(testbed.Group, new byte[] { 3 });
        testbed.Network.Run();
        Assert.All(testbed.Members.Values, c => Assert.Single(c.AnycastOffers));

        // One far member accepts: it gets it, and the search stops there.
        var taker = testbed.Members[testbed.Members.Keys.Last()];
        taker.AcceptsAnycast = true;
        testbed.Scribes[from].Anycast(testbed.Group, new byte[] { 4 });
        testbed.Network.Run();
        Assert.Equal(1, taker.AnycastsAccepted);
        Assert.All(testbed.Members.Values, c => Assert.InRange(c.AnycastOffers.Count, 1, 2));
    }

    [Fact]
    public void Members_that_leave_prune_the_tree_and_get_nothing_more()
    {
        var testbed = ScribeTestbed.Build(5, Nodes, MemberCount);
        var leaving = testbed.Members.Keys.Where((_, n) => n % 2 == 0).ToList();
        foreach (var index in leaving)
        {
            testbed.Scribes[index].Leave(testbed.Group);
            Assert.False(testbed.Scribes[index].IsMember(testbed.Group));
        }

        testbed.Network.Run();
        testbed.AssertTreeIsConsistent();
        var payload = testbed.Multicast(0);
        foreach (var (index, client) in testbed.Members)
        {
            Assert.Equal(leaving.Contains(index) ? [] : [payload], client.Multicasts);
        }

        // Every tree node that is neither a member nor the root forwards for someone.
        foreach (var i in testbed.TreeNodes.Where(i => i != testbed.RootIndex && !testbed.Scribes[i].IsMember(testbed.Group)))
        {
            Assert.NotEmpty(testbed.Scribes[i].Children(testbed.Group));
        }

        foreach (var index in testbed.Members.Keys.Except(leaving))
        {
            testbed.Scribes[index].Leave(testbed.Group);
        }

        testbed.Network.Run();
        Assert.Empty(testbed.TreeNodes);
    }

    [Fact]
    public void The_tree_stays_put_while_everyone_is_alive()
    {
        var testbed = ScribeTestbed.Build(6, Nodes, MemberCount);
        var before = Snapshot(testbed);

        testbed.Network.Advance(Options.ChildTimeout * 3);

        Assert.Equal(before, Snapshot(testbed));
        var payload = testbed.Multicast(1);
        Assert.All(testbed.Members.Values, c => Assert.Equal([payload], c.Multicasts));
    }

    [Theory]
    [InlineData(7ul)]
    [InlineData(8ul)]
    [InlineData(9ul)]
    public void A_dead_interior_node_is_routed_around_within_the_parent_timeout(ulong seed)
    {
        var testbed = ScribeTestbed.Build(seed, Nodes, MemberCount);
        var root = testbed.RootIndex;
        var interior = testbed.TreeNodes
            .Where(i => i != root && testbed.Scribes[i].Children(testbed.Group).Count > 0)
            .OrderByDescending(i => testbed.Scribes[i].Children(testbed.Group).Count)
            .First();
        var orphans = testbed.Scribes[interior].Children(testbed.Group).Select(testbed.IndexOf).ToList();
        var parent = testbed.IndexOf(testbed.Scribes[interior].Parent(testbed.Group)!);

        testbed.Network.Nodes[interior].Kill();
        testbed.Network.Advance(Options.ParentTimeout + (2 * Options.HeartbeatInterval));

        Assert.All(orphans, o => Assert.NotEqual(interior, testbed.IndexOf(testbed.Scribes[o].Parent(testbed.Group)!)));
        var payload = testbed.Multicast(root);
        foreach (var (index, client) in testbed.Members.Where(m => m.Key != interior))
        {
            Assert.Equal([payload], client.Multicasts);
        }

        // The dead node's parent drops it once its refreshes stop.
        testbed.Network.Advance(Options.ChildTimeout);
        Assert.DoesNotContain(testbed.Network.Nodes[interior].Handle, testbed.Scribes[parent].Children(testbed.Group));
        testbed.AssertTreeIsConsistent();
    }

    [Fact]
    public void A_dead_root_is_replaced_by_the_next_closest_node()
    {
        var testbed = ScribeTestbed.Build(10, Nodes, MemberCount);
        var oldRoot = testbed.RootIndex;
        testbed.Members.Remove(oldRoot);

        testbed.Network.Nodes[oldRoot].Kill();
        testbed.Network.Advance(Options.ParentTimeout + (2 * Options.HeartbeatInterval));

        Assert.NotEqual(oldRoot, testbed.RootIndex);
        testbed.AssertTreeIsConsistent();
        var payload = testbed.Multicast(testbed.Members.Keys.First());
        Assert.All(testbed.Members.Values, c => Assert.Equal([payload], c.Multicasts));
    }

    [Fact]
    public void A_node_nearer_the_key_that_joins_the_ring_becomes_the_root()
    {
        var testbed = ScribeTestbed.Build(11, Nodes, MemberCount);
        var oldRoot = testbed.RootIndex;

        // A node whose id is the group key itself: the closest any node can be.
        var newcomer = testbed.Network.AddNode(testbed.Group);
        testbed.Scribes.Add(new EPostEdge.Overlay.Scribe.Scribe(newcomer));
        testbed.Network.Advance(2 * Options.HeartbeatInterval);

        Assert.Equal(testbed.Scribes.Count - 1, testbed.RootIndex);
        Assert.NotNull(testbed.Scribes[oldRoot].Parent(testbed.Group));
        testbed.AssertTreeIsConsistent();
        var payload = testbed.Multicast(0);
        Assert.All(testbed.Members.Values, c => Assert.Equal([payload], c.Multicasts));
    }

    [Fact]
    public void Create_makes_the_root_keep_the_group_with_no_members()
    {
        var testbed = ScribeTestbed.Build(12, Nodes, 0);
        testbed.Scribes[3].Create(testbed.Group);
        testbed.Network.Run();

        Assert.Equal([testbed.RootIndex], testbed.TreeNodes);
        testbed.Network.Advance(Options.ChildTimeout);
        Assert.Equal([testbed.RootIndex], testbed.TreeNodes);

        var member = testbed.Join(4);
        testbed.Network.Run();
        var payload = testbed.Multicast(5);
        Assert.Equal([payload], member.Multicasts);
    }

    [Theory]
    [InlineData(14ul)]
    [InlineData(15ul)]
    public void Lost_joins_acks_and_heartbeats_are_made_good_by_the_timers(ulong seed)
    {
        // 20 % of all messages lost while the members join and for a while after: JOINs and acks
        // vanish, heartbeats and refreshes go missing, parents time out children and back.
        var testbed = ScribeTestbed.Build(seed, Nodes, MemberCount, lossRate: 0.2);
        testbed.Network.Advance(Options.ChildTimeout * 4);
        testbed.Network.LossRate = 0;
        testbed.Network.Advance(Options.ParentTimeout + Options.ChildTimeout);

        testbed.AssertTreeIsConsistent();
        var payload = testbed.Multicast(0);
        Assert.All(testbed.Members.Values, c => Assert.Equal([payload], c.Multicasts));
    }

    [Fact]
    public void A_disposed_scribe_sends_no_more_heartbeats()
    {
        var testbed = ScribeTestbed.Build(13, 30, 10);
        testbed.Network.Advance(Options.HeartbeatInterval);
        foreach (var scribe in testbed.Scribes)
        {
            scribe.Dispose();
        }

        var before = testbed.Network.Messages;
        testbed.Network.Advance(Options.ChildTimeout);
        Assert.Equal(before, testbed.Network.Messages);
    }

    private static Dictionary<NodeId, NodeId?> Snapshot(ScribeTestbed testbed) =>
        testbed.TreeNodes.ToDictionary(i => testbed.Network.Nodes[i].Id, i => testbed.Scribes[i].Parent(testbed.Group)?.Id);
}
