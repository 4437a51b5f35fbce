using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Seams;
using ScribeNode = EPostEdge.Overlay.Scribe.Scribe;

namespace EPostEdge.Overlay.Tests.Scribe;

/// <summary>A ring of <see cref="InMemoryKbr"/> nodes, one Scribe each, and one group with recording members.</summary>
internal sealed class ScribeTestbed
{
    private ScribeTestbed(InMemoryKbr network, NodeId group)
    {
        Network = network;
        Group = group;
    }

    public InMemoryKbr Network { get; }

    public NodeId Group { get; }

    public List<ScribeNode> Scribes { get; } = [];

    /// <summary>Members by node index.</summary>
    public Dictionary<int, RecordingClient> Members { get; } = [];

    public IRandomSource Random { get; private init; } = new SeededRandomSource(0);

    public static ScribeTestbed Build(ulong seed, int nodes, int members, bool forwardAtSource = true, double lossRate = 0)
    {
        var random = new SeededRandomSource(seed);
        var network = new InMemoryKbr(seed) { ForwardAtSource = forwardAtSource, LossRate = lossRate };
        var testbed = new ScribeTestbed(network, NodeId.Random(random)) { Random = random };
        for (var i = 0; i < nodes; i++)
        {
            testbed.Scribes.Add(new ScribeNode(network.AddNode()));
        }

        foreach (var index in Enumerable.Range(0, nodes).OrderBy(_ => random.NextUInt64()).Take(members))
        {
            testbed.Join(index);
        }

        network.Run();
        return testbed;
    }

    public RecordingClient Join(int index)
    {
        var client = new RecordingClient();
        Members[index] = client;
        Scribes[index].Join(Group, client);
        return client;
    }

    public bool Alive(int index) => Network.Nodes[index].Alive;

    public int IndexOf(NodeHandle node) => Network.Nodes.FindIndex(n => n.Id == node.Id);

    public int RootIndex => Network.Nodes.IndexOf(Network.RootOf(Group));

    public IEnumerable<int> TreeNodes => Enumerable.Range(0, Scribes.Count).Where(i => Alive(i) && Scribes[i].IsInTree(Group));

    /// <summary>Multicasts a fresh payload from <paramref name="from"/> and returns it.</summary>
    public byte[] Multicast(int from)
    {
        var payload = new byte[16];
        Random.NextBytes(payload);
        Scribes[from].Multicast(Group, payload);
        Network.Run();
        return payload;
    }

    /// <summary>
    /// Parent and child links agree both ways, and every tree node's parent chain ends at the
    /// group key's root without a cycle.
    /// </summary>
    public void AssertTreeIsConsistent()
    {
        var root = RootIndex;
        Assert.True(Scribes[root].IsInTree(Group), "the key's root is not in the tree");
        Assert.Null(Scribes[root].Parent(Group));
        foreach (var i in TreeNodes)
        {
            foreach (var child in Scribes[i].Children(Group))
            {
                var c = IndexOf(child);
                Assert.True(Alive(c), $"node {i} keeps dead child {c}");
                Assert.Equal(Network.Nodes[i].Handle, Scribes[c].Parent(Group));
            }

            var at = i;
            for (var depth = 0; at != root; depth++)
            {
                Assert.True(depth < Scribes.Count, $"node {i}'s parent chain has a cycle");
                var parent = Scribes[at].Parent(Group);
                Assert.NotNull(parent);
                var p = IndexOf(parent);
                Assert.True(Alive(p), $"node {at}'s parent {p} is dead");
                Assert.Contains(Network.Nodes[at].Handle, Scribes[p].Children(Group));
                at = p;
            }
        }
    }
}
