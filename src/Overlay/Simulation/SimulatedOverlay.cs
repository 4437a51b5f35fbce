using System.Buffers.Binary;
using System.Diagnostics;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Kbr;
using EPostEdge.Overlay.Pastry;
using EPostEdge.Overlay.Seams;

namespace EPostEdge.Overlay.Simulation;

/// <summary>
/// One deterministic run of the real <see cref="PastryNode"/> code (issue 5): N certified nodes on a
/// <see cref="SimulatedNetwork"/>, each with its own <see cref="SimulatedClock"/>, all driven by one
/// <see cref="SimulationScheduler"/> and one seeded random source, so the whole run — and its
/// <see cref="SimulationTrace"/> hash — is a pure function of (code, seed, scenario).
/// Checkers: routing consistency (each lookup delivered at the live node numerically closest to its
/// key, Pastry §2.3) and leaf-set correctness (exactly the L/2 nearest live nodes on each side, §2.1).
/// </summary>
public sealed partial class SimulatedOverlay : IDisposable
{
    /// <summary>How many random joined members a restarted node is given to join through.</summary>
    public const int RestartBootstraps = 3;

    private readonly SeededRandomSource _identities;
    private readonly SeededRandomSource _nodeRandom;
    private readonly SeededRandomSource _workload;
    private readonly List<SimulatedNode> _nodes = [];
    private readonly Dictionary<long, NodeId> _pendingLookups = [];
    private readonly List<int> _hops = [];
    private readonly List<string> _violations = [];
    private long _wallTicks;
    private (long Bytes, TimeSpan Lifetime) _maintenanceFrom;
    private (long Bytes, TimeSpan Lifetime)? _maintenanceTo;
    private long _nextLookup;

    private SimulatedOverlay(ulong seed, PastryOptions options, SimulatedNetworkOptions? networkOptions)
    {
        Seed = seed;
        Options = options;
        var master = new SeededRandomSource(seed);
        Founder = OverlayFounder.Create(master.Fork());
        Network = new SimulatedNetwork(Scheduler, master.Fork(), networkOptions);
        _identities = master.Fork();
        _nodeRandom = master.Fork();
        _workload = master.Fork();
        Network.Delivered = (from, to, bytes) => Trace.Frame(Scheduler.Now, from, to, bytes.Span);
        Network.Changed = change => Trace.Note(Scheduler.Now, change);
    }

    /// <summary>The seed the run replays from (print it with any failure).</summary>
    public ulong Seed { get; }

    /// <summary>The nodes' parameters (bootstraps are set per node).</summary>
    public PastryOptions Options { get; }

    /// <summary>The run's virtual time.</summary>
    public SimulationScheduler Scheduler { get; } = new();

    /// <summary>The run's network (faults and partitions are set here).</summary>
    public SimulatedNetwork Network { get; }

    /// <summary>The run's trace.</summary>
    public SimulationTrace Trace { get; } = new();

    /// <summary>The overlay's founding key, which certified every node.</summary>
    public OverlayFounder Founder { get; }

    /// <summary>Every node, by index.</summary>
    public IReadOnlyList<SimulatedNode> Nodes => _nodes;

    /// <summary>The nodes that are running.</summary>
    public IEnumerable<SimulatedNode> Live => _nodes.Where(n => n.IsAlive);

    /// <summary>True when every live node has joined.</summary>
    public bool AllJoined => _nodes.TrueForAll(n => !n.IsAlive || n.IsJoined);

    /// <summary>Checker violations so far, each with the trace that led to it.</summary>
    public IReadOnlyList<string> Violations => _violations;

    /// <summary>Raised after a node's Pastry life starts (first start and every restart): layers above attach here.</summary>
    public event Action<SimulatedNode>? NodeStarted;

    /// <summary>Raised after a node crashed (<see cref="Kill"/>): layers above apply their crash semantics here.</summary>
    public event Action<SimulatedNode>? NodeKilled;

    public long LookupsIssued { get; private set; }

    public long LookupsDelivered { get; private set; }

    public long LookupsConsistent { get; private set; }

    /// <summary>Inconsistent lookups that <see cref="ExplainedByFault"/> excused instead of counting as violations.</summary>
    public long LookupsExcused { get; private set; }

    /// <summary>
    /// Asked about each inconsistent lookup with the node it was delivered at and the true root:
    /// true when a fault the run injected explains it (the root was hung, so Pastry rightly routed
    /// around it), so it is counted in <see cref="LookupsExcused"/> rather than as a violation.
    /// </summary>
    public Func<int, SimulatedNode?, bool>? ExplainedByFault { get; set; }

    /// <summary>
    /// Creates the run: a founder, <paramref name="nodeCount"/> certified nodes at random points,
    /// and node i's start scheduled at i × <paramref name="joinInterval"/> (default 1 s), joining
    /// through node 0 or a random earlier joined node. Nothing runs until the scheduler is run.
    /// </summary>
    public static SimulatedOverlay Create(ulong seed, int nodeCount, PastryOptions? options = null, SimulatedNetworkOptions? network = null, TimeSpan? joinInterval = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nodeCount);
        var overlay = new SimulatedOverlay(seed, options ?? new PastryOptions(), network);
        var interval = joinInterval ?? TimeSpan.FromSeconds(1);
        for (var i = 0; i < nodeCount; i++)
        {
            var node = overlay.AddNode();
            overlay.Scheduler.Schedule(interval * i, () => overlay.StartNode(node, overlay.PickBootstrap(node.Index)));
        }

        return overlay;
    }

    /// <summary>Runs <paramref name="duration"/> of virtual time.</summary>
    public void RunFor(TimeSpan duration) => Measure(() => Scheduler.RunFor(duration));

    /// <summary>
    /// Runs until <paramref name="condition"/> holds, checking it every <paramref name="poll"/> of
    /// virtual time, for at most <paramref name="limit"/>; returns how long it took, or null.
    /// </summary>
    public TimeSpan? RunUntil(Func<bool> condition, TimeSpan limit, TimeSpan poll)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var start = Scheduler.Now;
        while (!condition())
        {
            if (Scheduler.Now - start >= limit)
            {
                return null;
            }

            RunFor(poll);
        }

        return Scheduler.Now - start;
    }

    /// <summary>Crashes node <paramref name="index"/>: no goodbye, its link drops everything.</summary>
    public void Kill(int index)
    {
        var node = _nodes[index];
        if (node.Node is not { } pastry)
        {
            return;
        }

        Trace.Note(Scheduler.Now, $"kill {index}", index);
        node.Link.IsAlive = false;
        node.EarlierLifetime += Scheduler.Now - node.LifeStarted;
        node.EarlierMaintenanceBytes += pastry.Counters.MaintenanceBytesSent;
        node.Node = null;
        var stopping = pastry.DisposeAsync();
        if (!stopping.IsCompletedSuccessfully)
        {
            // The simulated timer and link finish synchronously; anything else is a bug in the run.
            throw new InvalidOperationException("a simulated node did not stop synchronously");
        }

        NodeKilled?.Invoke(node);
    }

    /// <summary>Starts node <paramref name="index"/> again with its identity and address, joining through a random live node.</summary>
    public void Restart(int index)
    {
        var node = _nodes[index];
        if (node.IsAlive)
        {
            return;
        }

        Trace.Note(Scheduler.Now, $"restart {index}", index);
        // A returning node knows several members, as a real one remembers more than one address:
        // with a single bootstrap that dies while it is down, it would retry that one forever.
        var bootstraps = new List<SimulatedNode>();
        for (var i = 0; i < RestartBootstraps; i++)
        {
            if (PickBootstrap(index) is { } bootstrap && !bootstraps.Contains(bootstrap))
            {
                bootstraps.Add(bootstrap);
            }
        }

        StartNode(node, bootstraps);
    }

    /// <summary>Routes a lookup for <paramref name="key"/> from node <paramref name="from"/>; returns its number.</summary>
    public long Lookup(int from, NodeId key)
    {
        var pastry = _nodes[from].Node ?? throw new InvalidOperationException($"node {from} is not alive");
        var number = _nextLookup++;
        var payload = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(payload, number);
        _pendingLookups[number] = key;
        TrackIssued(number, from, key);
        LookupsIssued++;
        pastry.Route(key, LookupApplication.Id, payload);
        return number;
    }

    /// <summary>Schedules <paramref name="count"/> lookups of random keys from random joined nodes, spread evenly at random over <paramref name="over"/>.</summary>
    public void IssueLookups(int count, TimeSpan over)
    {
        for (var i = 0; i < count; i++)
        {
            var at = TimeSpan.FromTicks((long)(over.Ticks * _workload.NextDouble()));
            var key = NodeId.Random(_workload);
            Scheduler.Schedule(at, () =>
            {
                var sources = _nodes.Where(n => n.IsJoined).ToList();
                if (sources.Count > 0)
                {
                    Lookup(sources[_workload.NextInt32(sources.Count)].Index, key);
                }
            });
        }
    }

    /// <summary>
    /// The joined node numerically closest to <paramref name="key"/> (ties to the smaller id, as
    /// <see cref="NodeId.IsCloser"/>). A node that is running but has no join reply yet is not a
    /// member (Pastry §2.4: it becomes one when it has its state; MSPastry calls such a node not
    /// yet active): it answers no pings, so no one can route to it, and a key it will own still
    /// belongs to its neighbour until then.
    /// </summary>
    public SimulatedNode? RootOf(NodeId key, IEnumerable<SimulatedNode>? group = null)
    {
        SimulatedNode? best = null;
        foreach (var node in group ?? _nodes)
        {
            if (node.IsJoined && (best is null || key.IsCloser(node.Id, best.Id)))
            {
                best = node;
            }
        }

        return best;
    }

    /// <summary>
    /// True when every live node of <paramref name="group"/> (all nodes when null) holds in its leaf
    /// set exactly the L/2 nearest live group members on each side (all of them when fewer);
    /// <paramref name="why"/> names the first node that does not.
    /// </summary>
    public bool LeafSetsCorrect(out string why, IEnumerable<SimulatedNode>? group = null)
    {
        var ring = (group ?? _nodes).Where(n => n.IsAlive).OrderBy(n => n.Id).ToList();
        var half = Math.Min(Options.LeafSetSize / 2, ring.Count - 1);
        for (var i = 0; i < ring.Count; i++)
        {
            var clockwise = new HashSet<NodeId>();
            var counter = new HashSet<NodeId>();
            for (var k = 1; k <= half; k++)
            {
                clockwise.Add(ring[(i + k) % ring.Count].Id);
                counter.Add(ring[(i - k + ring.Count) % ring.Count].Id);
            }

            var status = ring[i].Node!.GetStatus();
            var actualClockwise = status.ClockwiseLeaves.Select(l => l.Node.Id).ToHashSet();
            var actualCounter = status.CounterClockwiseLeaves.Select(l => l.Node.Id).ToHashSet();
            if (!clockwise.SetEquals(actualClockwise) || !counter.SetEquals(actualCounter))
            {
                why = $"node {ring[i].Index} {ring[i].Id.ToShortString()}: clockwise {Describe(actualClockwise)} expected {Describe(clockwise)}; "
                    + $"counter-clockwise {Describe(actualCounter)} expected {Describe(counter)}";
                return false;
            }
        }

        why = "";
        return true;
    }

    /// <summary>
    /// Maintenance is measured from here on (a scenario's window: the join phase, when every node
    /// meets its first neighbours at once, is a one-off and not what Bamboo's 900 B/s describes).
    /// </summary>
    public void StartMaintenanceWindow() => _maintenanceFrom = MaintenanceSoFar();

    /// <summary>Maintenance is measured up to here (the settle phase after a scenario's faults is left out).</summary>
    public void EndMaintenanceWindow() => _maintenanceTo = MaintenanceSoFar();

    private (long Bytes, TimeSpan Lifetime) MaintenanceSoFar()
    {
        long bytes = 0;
        var lifetime = TimeSpan.Zero;
        foreach (var node in _nodes)
        {
            bytes += node.EarlierMaintenanceBytes + (node.Node?.Counters.MaintenanceBytesSent ?? 0);
            lifetime += node.EarlierLifetime + (node.IsAlive ? Scheduler.Now - node.LifeStarted : TimeSpan.Zero);
        }

        return (bytes, lifetime);
    }

    /// <summary>The run's measurements so far.</summary>
    public SimulationMetrics Metrics()
    {
        var sorted = _hops.Order().ToList();
        var to = _maintenanceTo ?? MaintenanceSoFar();
        var maintenance = to.Bytes - _maintenanceFrom.Bytes;
        var lifetime = to.Lifetime - _maintenanceFrom.Lifetime;

        // In seconds first: ticks × 10^7 overflows a long after about 15 minutes of nanosecond ticks.
        var wall = TimeSpan.FromSeconds((double)_wallTicks / Stopwatch.Frequency);
        return new SimulationMetrics
        {
            Seed = Seed,
            Nodes = _nodes.Count,
            LiveNodes = _nodes.Count(n => n.IsAlive),
            SimulatedTime = Scheduler.Now,
            EventsProcessed = Scheduler.EventsProcessed,
            FramesDelivered = Network.FramesDelivered,
            FramesDropped = Network.FramesDropped,
            LookupsIssued = LookupsIssued,
            LookupsDelivered = LookupsDelivered,
            LookupsConsistent = LookupsConsistent,
            HopsMean = sorted.Count == 0 ? 0 : sorted.Average(),
            HopsP99 = sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * 0.99) - 1)],
            MaintenanceBytesPerSecondPerNode = lifetime <= TimeSpan.Zero ? 0 : maintenance / lifetime.TotalSeconds,
            TraceHash = Trace.Hash(),
            WallTime = wall,
            EventsPerSecond = wall <= TimeSpan.Zero ? 0 : Scheduler.EventsProcessed / wall.TotalSeconds,
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            Kill(node.Index);
            node.Identity.Dispose();
        }

        Founder.Dispose();
        Trace.Dispose();
    }

    internal void OnLookupDelivered(int index, NodeId key, KbrMessage message)
    {
        if (message.Payload.Length != 8)
        {
            return;
        }

        var number = BinaryPrimitives.ReadInt64BigEndian(message.Payload.Span);
        if (!_pendingLookups.Remove(number, out var expectedKey))
        {
            return; // a duplicate delivery (the network duplicated, or a retry arrived twice)
        }

        var root = RootOf(expectedKey);
        var consistent = key == expectedKey && root is not null && root.Index == index;
        LookupsDelivered++;
        _hops.Add(message.Hops);
        Trace.Lookup(Scheduler.Now, index, number, message.Hops, consistent);
        var path = TrackDelivered(number, index, message.Hops);
        if (consistent)
        {
            LookupsConsistent++;
        }
        else if (ExplainedByFault?.Invoke(index, root) == true)
        {
            LookupsExcused++;
        }
        else
        {
            ReportInconsistent(path, root);
            _violations.Add(
                $"seed {Seed}: lookup #{number} for {expectedKey.ToShortString()} delivered at node {index} {_nodes[index].Id.ToShortString()}, "
                + $"but the closest live node is {root?.Index} {root?.Id.ToShortString()}{Describe(root)}; last trace:{Environment.NewLine}"
                + string.Join(Environment.NewLine, Trace.Recent()));
        }
    }

    private SimulatedNode AddNode()
    {
        var index = _nodes.Count;
        var link = Network.AddNode();
        var identity = NodeIdentity.Create(_identities);
        identity.Certificate = Founder.Issue(identity.SigningKey, identity.AgreementKey, link.LocalEndPoint, mayInvite: false);
        var node = new SimulatedNode(index, identity, link, new SimulatedClock(Scheduler));
        _nodes.Add(node);
        return node;
    }

    /// <summary>Node 0 founds the ring; others join through a random joined node (node 0 while none other has).</summary>
    private SimulatedNode? PickBootstrap(int index)
    {
        var candidates = _nodes.Where(n => n.Index != index && n.IsJoined).ToList();
        if (candidates.Count == 0)
        {
            return index == 0 ? null : _nodes[0];
        }

        return candidates[_workload.NextInt32(candidates.Count)];
    }

    private void StartNode(SimulatedNode node, SimulatedNode? bootstrap) => StartNode(node, bootstrap is null ? [] : [bootstrap]);

    private void StartNode(SimulatedNode node, List<SimulatedNode> bootstraps)
    {
        var options = Options with { Bootstraps = [.. bootstraps.Select(b => b.EndPoint)] };
        node.Lives++;
        node.LifeStarted = Scheduler.Now;
        node.Link.IsAlive = true;
        // A restarted node draws fresh randomness, as a rebooted machine would.
        var pastry = new PastryNode(node.Identity, Founder.Trust, node.Link, _nodeRandom.Fork(), options, node.Clock);
        pastry.Register(LookupApplication.Id, new LookupApplication(this, node.Index));
        node.Node = pastry;
        pastry.Start();
        NodeStarted?.Invoke(node);
    }

    private void Measure(Action run)
    {
        var started = Stopwatch.GetTimestamp();
        run();
        _wallTicks += Stopwatch.GetTimestamp() - started;
    }

    /// <summary>Whether the true root had joined, and since when it has lived: a lookup racing a (re)join reads differently from a routing bug.</summary>
    private string Describe(SimulatedNode? root) =>
        root is null ? "" : $" ({(root.IsJoined ? "joined" : "still joining")}, life {root.Lives} since {root.LifeStarted.TotalMilliseconds:F0} ms)";

    private static string Describe(IEnumerable<NodeId> ids) => "[" + string.Join(",", ids.Select(i => i.ToShortString(6)).Order()) + "]";
}
