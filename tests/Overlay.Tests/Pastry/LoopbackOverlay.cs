using System.Net;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Links;
using EPostEdge.Overlay.Pastry;
using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Transport;

namespace EPostEdge.Overlay.Tests.Pastry;

/// <summary>
/// N in-process Pastry nodes, each on its own real loopback UDP/TCP port (SocketTransport), all
/// certified by one founder and joined through node 0. Paths between nodes can be broken at the
/// transport seam (<see cref="Switchboard"/>); nodes can be killed (sockets closed, no goodbye) and
/// restarted on the same port with the same identity.
/// </summary>
internal sealed class LoopbackOverlay : IAsyncDisposable
{
    private readonly SeededRandomSource _random;

    private LoopbackOverlay(PastryOptions options, int seed)
    {
        Options = options;
        Seed = seed;
        _random = new SeededRandomSource((ulong)seed);
        Founder = OverlayFounder.Create(_random);
    }

    /// <summary>
    /// Short periods so a test sees repairs in seconds (RepairPeriod ≈ 9 s), with timeouts no
    /// tighter than the defaults' floor: dozens of nodes share this process's two cores, and a
    /// starved process must not look dead.
    /// </summary>
    public static PastryOptions FastOptions { get; } = new()
    {
        KeepAliveInterval = TimeSpan.FromSeconds(1),
        TableProbeInterval = TimeSpan.FromSeconds(3),
        LeafSetExchangeInterval = TimeSpan.FromSeconds(1),
        TableRepairInterval = TimeSpan.FromSeconds(2),
        PartitionProbeInterval = TimeSpan.FromSeconds(2),
        InitialTimeout = TimeSpan.FromMilliseconds(500),
        MinimumTimeout = TimeSpan.FromMilliseconds(200),
        MaximumTimeout = TimeSpan.FromSeconds(1),
        RootAckTimeout = TimeSpan.FromSeconds(3),
        JoinRetryInterval = TimeSpan.FromSeconds(1),
        Tick = TimeSpan.FromMilliseconds(50),
    };

    public PastryOptions Options { get; }

    /// <summary>The loopback address every node binds (127.0.0.1 or ::1).</summary>
    public IPAddress Address { get; private init; } = IPAddress.Loopback;

    public int Seed { get; }

    public OverlayFounder Founder { get; }

    public Switchboard Switchboard { get; } = new();

    public List<LoopbackNode> Nodes { get; } = [];

    public IEnumerable<LoopbackNode> Live => Nodes.Where(n => n.IsAlive);

    /// <summary>Starts <paramref name="count"/> nodes; node 0 founds the ring, the others join through it one by one.</summary>
    public static async Task<LoopbackOverlay> StartAsync(int count, PastryOptions? options = null, int seed = 1, Action<PastryNode, int>? configure = null, IPAddress? address = null)
    {
        var overlay = new LoopbackOverlay(options ?? FastOptions, seed) { Address = address ?? IPAddress.Loopback };
        for (var i = 0; i < count; i++)
        {
            var node = await overlay.AddNodeAsync(configure).ConfigureAwait(false);
            await node.Node!.Joined.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }

        return overlay;
    }

    /// <summary>Creates, certifies and starts one more node (bootstrapping from node 0 unless it is node 0).</summary>
    public async Task<LoopbackNode> AddNodeAsync(Action<PastryNode, int>? configure = null)
    {
        var transport = await SocketTransport.BindAsync(new IPEndPoint(Address, 0), new SocketTransportOptions()).ConfigureAwait(false);
        var identity = NodeIdentity.Create(_random);
        identity.Certificate = Founder.Issue(identity.SigningKey, identity.AgreementKey, transport.LocalEndPoint, mayInvite: false);
        var node = new LoopbackNode(this, Nodes.Count, identity, configure);
        Nodes.Add(node);
        node.Start(transport);
        return node;
    }

    public PastryOptions OptionsFor(int index) =>
        index == 0 ? Options : Options with { Bootstraps = [Nodes[0].EndPoint] };

    /// <summary>Each node's own random stream; a restarted node gets a new one, as a rebooted machine would.</summary>
    public IRandomSource RandomFor(int index, int life) => new SeededRandomSource((ulong)((Seed * 1_000_000) + (life * 1000) + index + 1));

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; returns how long it took.</summary>
    public static async Task<TimeSpan?> WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (condition())
            {
                return watch.Elapsed;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        return condition() ? watch.Elapsed : null;
    }

    /// <summary>
    /// True when every live node in <paramref name="group"/> (all live nodes when null) holds
    /// exactly the L/2 nearest live group members on each side; <paramref name="why"/> names the first that does not.
    /// </summary>
    public bool LeafSetsCorrect(out string why, IReadOnlyCollection<LoopbackNode>? group = null)
    {
        var members = (group ?? Live.ToList()).Where(n => n.IsAlive).ToList();
        var half = Options.LeafSetSize / 2;
        foreach (var node in members)
        {
            var self = node.Id;
            var others = members.Where(m => m.Id != self).Select(m => m.Id).ToList();
            var clockwise = others.OrderBy(id => id.Minus(self)).Take(half).ToHashSet();
            var counter = others.OrderBy(id => self.Minus(id)).Take(half).ToHashSet();
            var status = node.Node!.GetStatus();
            var actualClockwise = status.ClockwiseLeaves.Select(l => l.Node.Id).ToHashSet();
            var actualCounter = status.CounterClockwiseLeaves.Select(l => l.Node.Id).ToHashSet();
            if (!clockwise.SetEquals(actualClockwise) || !counter.SetEquals(actualCounter))
            {
                why = $"node {node.Index} {self.ToShortString()}: clockwise {Describe(actualClockwise)} expected {Describe(clockwise)}; "
                    + $"counter-clockwise {Describe(actualCounter)} expected {Describe(counter)}";
                return false;
            }
        }

        why = "";
        return true;
    }

    /// <summary>The live node in <paramref name="group"/> numerically closest to <paramref name="key"/>.</summary>
    public LoopbackNode RootOf(NodeId key, IEnumerable<LoopbackNode>? group = null) =>
        (group ?? Live).Where(n => n.IsAlive).Aggregate((a, b) => key.IsCloser(a.Id, b.Id) ? a : b);

    private static string Describe(IEnumerable<NodeId> ids) => "[" + string.Join(",", ids.Select(i => i.ToShortString(6)).Order()) + "]";

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.KillAsync().ConfigureAwait(false);
        }

        Founder.Dispose();
    }
}

/// <summary>One node of a <see cref="LoopbackOverlay"/>.</summary>
internal sealed class LoopbackNode(LoopbackOverlay overlay, int index, NodeIdentity identity, Action<PastryNode, int>? configure)
{
    private int _lives;

    public int Index { get; } = index;

    public NodeIdentity Identity { get; } = identity;

    public NodeId Id => Identity.Id;

    public IPEndPoint EndPoint => Identity.Certificate!.EndPoint;

    public PastryNode? Node { get; private set; }

    public TransportLink? Link { get; private set; }

    public bool IsAlive => Node is not null;

    public void Start(ITransport transport, PastryOptions? options = null)
    {
        Link = new TransportLink(new BlockingTransport(transport, overlay.Switchboard));
        Node = new PastryNode(Identity, overlay.Founder.Trust, Link, overlay.RandomFor(Index, ++_lives), options ?? overlay.OptionsFor(Index));
        configure?.Invoke(Node, Index);
        Node.Start();
    }

    /// <summary>Crashes the node: its sockets close, nobody is told.</summary>
    public async Task KillAsync()
    {
        if (Node is { } node)
        {
            Node = null;
            await node.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts the node again on its old port with its old identity (as after a reboot), joining through a live node.</summary>
    public async Task RestartAsync()
    {
        var transport = await SocketTransport.BindAsync(EndPoint, new SocketTransportOptions()).ConfigureAwait(false);
        var bootstrap = overlay.Live.First(n => n != this).EndPoint;
        Start(transport, overlay.Options with { Bootstraps = [bootstrap] });
    }
}
