using System.Net;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Kbr;
using EPostEdge.Overlay.Seams;
using Microsoft.Extensions.Time.Testing;

namespace EPostEdge.Overlay.Tests.Scribe;

/// <summary>
/// A deterministic stand-in for a Pastry ring, enough to drive Scribe: prefix routing with
/// proximity neighbour selection (Pastry §2.2: each hop goes to the nearest node, by a seeded
/// 2-D "network position", that shares one more digit with the key; the last hop goes to the
/// key's root), messages queued and run one at a time, one virtual clock, nodes that die.
/// </summary>
internal sealed class InMemoryKbr
{
    private readonly Queue<Action> _pending = new();
    private readonly IRandomSource _random;

    public InMemoryKbr(ulong seed)
    {
        // Its own stream, so node ids never repeat keys a test draws from the same seed.
        _random = new SeededRandomSource(seed ^ 0x5EED_0F_BA5E_1D5UL);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public List<Node> Nodes { get; } = [];

    /// <summary>When false the source's own application gets no Forward upcall (KBR implementations differ).</summary>
    public bool ForwardAtSource { get; init; } = true;

    public int Messages { get; private set; }

    /// <summary>The share of messages (each routing hop, each direct send) the network loses.</summary>
    public double LossRate { get; set; }

    public Node AddNode(NodeId? id = null)
    {
        var node = new Node(this, id ?? NodeId.Random(_random), Nodes.Count, _random.NextDouble(), _random.NextDouble());
        Nodes.Add(node);
        return node;
    }

    /// <summary>Runs queued messages until none is left.</summary>
    public void Run()
    {
        var steps = 0;
        while (_pending.TryDequeue(out var step))
        {
            step();
            if (++steps > 10_000_000)
            {
                throw new InvalidOperationException("messages never settle");
            }
        }
    }

    /// <summary>Moves the clock on in small steps, running the messages each step's timers send.</summary>
    public void Advance(TimeSpan span)
    {
        var step = TimeSpan.FromMilliseconds(250);
        for (var passed = TimeSpan.Zero; passed < span; passed += step)
        {
            Time.Advance(step);
            Run();
        }
    }

    private void Transmit(Action arrival)
    {
        Messages++;
        if (LossRate == 0 || _random.NextDouble() >= LossRate)
        {
            _pending.Enqueue(arrival);
        }
    }

    public Node RootOf(NodeId key) =>
        Nodes.Where(n => n.Alive).Aggregate((best, n) => key.IsCloser(n.Id, best.Id) ? n : best);

    private Node NextHop(Node from, NodeId key)
    {
        var shared = from.Id.SharedPrefixLength(key);
        var better = Nodes.Where(n => n.Alive && n.Id.SharedPrefixLength(key) > shared).ToList();
        return better.Count == 0 ? RootOf(key) : better.MinBy(n => from.ProximityTo(n))!;
    }

    private void RouteStep(Node at, NodeId key, KbrMessage message)
    {
        if (!at.Alive)
        {
            return;
        }

        var root = RootOf(key);
        if (root == at)
        {
            at.Upcall(message.ApplicationId, app => app.Deliver(key, message));
            return;
        }

        var next = NextHop(at, key);
        if (message.Hops > 0 || ForwardAtSource)
        {
            var hop = next.Handle;
            var carryOn = true;
            at.Upcall(message.ApplicationId, app => carryOn = app.Forward(key, ref message, ref hop));
            if (!carryOn)
            {
                return;
            }

            next = Nodes.Single(n => n.Id == hop.Id);
        }

        var forwarded = message with { Hops = message.Hops + 1 };
        Transmit(() => RouteStep(next, key, forwarded));
    }

    public sealed class Node : IKeyBasedRouting
    {
        private readonly InMemoryKbr _network;
        private readonly Dictionary<ushort, IKbrApplication> _applications = [];
        private readonly double _x;
        private readonly double _y;
        private int _onThread;

        internal Node(InMemoryKbr network, NodeId id, int index, double x, double y)
        {
            _network = network;
            _x = x;
            _y = y;
            Handle = new NodeHandle(id, new IPEndPoint(IPAddress.Loopback, 10_000 + index));
        }

        public NodeHandle Handle { get; }

        public NodeId Id => Handle.Id;

        public bool Alive { get; private set; } = true;

        public NodeHandle LocalNode => Handle;

        public TimeProvider Time => _network.Time;

        event Action<LeafSetChange>? IKeyBasedRouting.LeafSetChanged
        {
            add { }
            remove { }
        }

        public void Kill() => Alive = false;

        public double ProximityTo(Node other) => Math.Sqrt(((_x - other._x) * (_x - other._x)) + ((_y - other._y) * (_y - other._y)));

        public void Execute(Action action)
        {
            if (!Alive)
            {
                return;
            }

            _onThread++;
            try
            {
                action();
            }
            finally
            {
                _onThread--;
            }
        }

        internal void Upcall(ushort applicationId, Action<IKbrApplication> upcall)
        {
            if (_applications.TryGetValue(applicationId, out var application))
            {
                Execute(() => upcall(application));
            }
        }

        public void Register(ushort applicationId, IKbrApplication application) => _applications[applicationId] = application;

        public void Route(NodeId key, ushort applicationId, ReadOnlyMemory<byte> payload)
        {
            OnThread();
            _network.RouteStep(this, key, new KbrMessage(Handle, applicationId, payload.ToArray(), 0));
        }

        public void Send(NodeHandle node, ushort applicationId, ReadOnlyMemory<byte> payload)
        {
            OnThread();
            var to = _network.Nodes.Single(n => n.Id == node.Id);
            var message = new KbrMessage(Handle, applicationId, payload.ToArray(), 1);
            _network.Transmit(() =>
            {
                if (to.Alive)
                {
                    to.Upcall(applicationId, app => app.Deliver(to.Id, message));
                }
            });
        }

        public bool IsRoot(NodeId key) => _network.RootOf(key) == this;

        public IReadOnlyList<NodeHandle> ReplicaSet(NodeId key, int count) => throw new NotSupportedException();

        public (NodeId From, NodeId To)? Range(NodeHandle node, int rank) => throw new NotSupportedException();

        public IReadOnlyList<NodeHandle> LocalLookup(NodeId key, int count) => throw new NotSupportedException();

        public IReadOnlyList<NodeHandle> NeighborSet(int count) => throw new NotSupportedException();

        // The KBR contract: applications act on the node's logical thread only.
        private void OnThread()
        {
            if (_onThread == 0)
            {
                throw new InvalidOperationException("called outside the node's logical thread");
            }
        }
    }
}
