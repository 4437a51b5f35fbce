using System.Net;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Kbr;
using EPostEdge.Overlay.Links;
using EPostEdge.Overlay.Routing;
using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Wire;
using WireReader = EPostEdge.Overlay.Wire.WireReader;
using WireWriter = EPostEdge.Overlay.Wire.WireWriter;

namespace EPostEdge.Overlay.Pastry;

/// <summary>
/// One Pastry node (Rowstron &amp; Druschel 2001) with Bamboo's periodic recovery and ePOST's
/// repairs, offering the common KBR API.
/// </summary>
/// <remarks>
/// <para>The node is a state machine driven by three inputs: frames from its <see cref="ILink"/>,
/// ticks of a <see cref="TimeProvider"/> timer, and calls of its API. Each runs under one lock, so
/// the node has a single logical thread; under the simulator the same code runs with a virtual
/// clock and an in-memory link. Randomness comes only from the <see cref="IRandomSource"/>.</para>
/// <para>The files of this partial class follow the paper's concepts: this one holds the state and
/// the API; <c>.Frames</c> authentication and dispatch, <c>.Liveness</c> keep-alives, failure
/// detection and source routing, <c>.Routing</c> next-hop choice and routed messages,
/// <c>.Join</c> joining, leaf-set and table maintenance and partition healing.</para>
/// </remarks>
public sealed partial class PastryNode : IKeyBasedRouting, IAsyncDisposable
{
    /// <summary>Application id of the overlay's own routed messages (joins).</summary>
    public const ushort SystemApplication = 0;

    private readonly object _gate = new();
    private readonly NodeIdentity _identity;
    private readonly OverlayTrust _trust;
    private readonly ILink _link;
    private readonly PastryOptions _options;
    private readonly TimeProvider _time;
    private readonly IRandomSource _random;
    private readonly NodeCertificate _certificate;
    private readonly LeafSet _leafSet;
    private readonly RoutingTable _table;
    private readonly Dictionary<NodeId, Neighbor> _neighbors = [];
    private readonly Dictionary<ushort, IKbrApplication> _applications = [];
    private readonly WireWriter _scratch = new(1024);
    private readonly List<Neighbor> _dueBuffer = [];
    private long _scans;
    private readonly long _origin;
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _timer;
    private TimeSpan _wakeAt = TimeSpan.MaxValue;
    private bool _inTick;
    private bool _started;
    private bool _stopped;

    /// <summary>Creates a node; <see cref="Start"/> connects it.</summary>
    /// <param name="identity">This node's keys; its certificate must be set and valid for <paramref name="trust"/>.</param>
    /// <param name="trust">The overlay's founding key.</param>
    /// <param name="link">The network (real sockets or the simulator's).</param>
    /// <param name="random">The run's random source.</param>
    /// <param name="options">Parameters; defaults when null.</param>
    /// <param name="time">The clock; the system clock when null.</param>
    public PastryNode(NodeIdentity identity, OverlayTrust trust, ILink link, IRandomSource random, PastryOptions? options = null, TimeProvider? time = null)
    {
        _identity = identity ?? throw new ArgumentNullException(nameof(identity));
        _trust = trust ?? throw new ArgumentNullException(nameof(trust));
        _link = link ?? throw new ArgumentNullException(nameof(link));
        _random = random ?? throw new ArgumentNullException(nameof(random));
        _options = options ?? new PastryOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _certificate = identity.Certificate ?? throw new ArgumentException("the identity has no certificate: enroll first", nameof(identity));
        if (!trust.Verify(_certificate, out var reason))
        {
            throw new ArgumentException($"this node's own certificate does not verify: {reason}", nameof(identity));
        }

        LocalNode = _certificate.Handle;
        _leafSet = new LeafSet(LocalNode.Id, _options.LeafSetSize);
        _table = new RoutingTable(LocalNode.Id);
        _origin = _time.GetTimestamp();
    }

    /// <inheritdoc />
    public NodeHandle LocalNode { get; }

    /// <inheritdoc />
    public TimeProvider Time => _time;

    /// <summary>This node's parameters.</summary>
    public PastryOptions Options => _options;

    /// <summary>Completes when the node has joined an overlay (at once for the first node).</summary>
    public Task Joined => _joined.Task;

    /// <summary>Counters since start.</summary>
    public OverlayCounters Counters { get; } = new();

    /// <summary>The last unexpected exception the node absorbed (a bug to report), for diagnostics.</summary>
    public string? LastFault { get; private set; }

    /// <summary>
    /// Fault point for tests: the node keeps answering pings but silently drops every routed
    /// message it should forward or deliver (the faulty node ePOST had to route around).
    /// </summary>
    public bool DropsRoutedMessages { get; set; }

    /// <summary>
    /// Answers enrollment requests (invite redemption) arriving on the overlay port; null when this
    /// node does not issue certificates. Gets the request bytes, returns the reply bytes. It runs on
    /// the link's receive thread, outside the node's lock, so it may do file I/O; it must be thread-safe.
    /// </summary>
    public Func<ReadOnlyMemory<byte>, byte[]?>? EnrollmentHandler { get; set; }

    /// <inheritdoc />
    public event Action<LeafSetChange>? LeafSetChanged;

    /// <summary>Time since this node was created, on its own clock.</summary>
    private TimeSpan Now => _time.GetElapsedTime(_origin);

    /// <summary>Starts receiving, the maintenance timer, and the join (or founds a ring when there are no bootstraps).</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_started)
            {
                return;
            }

            _started = true;
            _link.Start(Receive);
            if (_options.Bootstraps.Count == 0)
            {
                _member = true;
                _joined.TrySetResult();
            }
            else
            {
                AttemptJoin();
            }

            ScheduleMaintenance();
            _timer = _time.CreateTimer(_ => OnTick(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _wakeAt = TimeSpan.MaxValue;
            WakeBy(NextDue());
        }
    }

    /// <summary>Leaves gracefully: tells every neighbour, then stops (Pastry §2.4 departures).</summary>
    public void Leave()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            foreach (var neighbor in StateNeighbors())
            {
                SendMessage(neighbor, new LeaveMessage());
            }

            _stopped = true;
        }
    }

    /// <summary>Stops the node (as a crash would: no goodbye) and releases the link.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _stopped = true;
        }

        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        if (_link is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Execute(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_gate)
        {
            action();
        }
    }

    /// <inheritdoc />
    public void Register(ushort applicationId, IKbrApplication application)
    {
        ArgumentNullException.ThrowIfNull(application);
        if (applicationId == SystemApplication)
        {
            throw new ArgumentException("application id 0 is the overlay's own", nameof(applicationId));
        }

        lock (_gate)
        {
            _applications[applicationId] = application;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<NodeHandle> ReplicaSet(NodeId key, int count)
    {
        lock (_gate)
        {
            return _leafSet.ClosestTo(key, Math.Min(count, _leafSet.Half + 1), LocalNode);
        }
    }

    /// <inheritdoc />
    public (NodeId From, NodeId To)? Range(NodeHandle node, int rank)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_gate)
        {
            // The ring as this node sees it around itself: counter-clockwise leaves, self, clockwise leaves.
            var ring = _leafSet.CounterClockwise.Reverse().Append(LocalNode).Concat(_leafSet.Clockwise).ToList();
            var at = ring.FindIndex(h => h.Id == node.Id);
            if (_leafSet.CoversRing || at - rank - 1 < 0 || at + rank + 1 >= ring.Count)
            {
                return null;
            }

            // Keys closer to node than to its (rank+1)-th neighbour on each side: from the midpoint
            // towards the (rank+1)-th predecessor to the midpoint towards the (rank+1)-th successor.
            var from = ring[at - rank - 1].Id.Midpoint(ring[at - rank].Id);
            var to = ring[at + rank].Id.Midpoint(ring[at + rank + 1].Id);
            return (from, to);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<NodeHandle> LocalLookup(NodeId key, int count)
    {
        lock (_gate)
        {
            var result = new List<NodeHandle>();
            if (NextHop(key, static _ => false) is { } next)
            {
                result.Add(next);
            }

            foreach (var h in StateHandles().Append(LocalNode).OrderBy(h => h.Id, new CloserTo(key)))
            {
                if (result.Count >= count)
                {
                    break;
                }

                if (!result.Exists(r => r.Id == h.Id))
                {
                    result.Add(h);
                }
            }

            return result.Take(count).ToList();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<NodeHandle> NeighborSet(int count)
    {
        lock (_gate)
        {
            return _leafSet.Members.Take(count).ToList();
        }
    }

    /// <inheritdoc />
    public bool IsRoot(NodeId key)
    {
        lock (_gate)
        {
            return NextHop(key, static _ => false) is null;
        }
    }

    /// <summary>A consistent copy of this node's routing state and counters (diagnostics, status page, tests).</summary>
    public OverlayStatus GetStatus()
    {
        lock (_gate)
        {
            NeighborStatus Describe(NodeHandle h)
            {
                var n = _neighbors[h.Id];
                return new NeighborStatus(h, n.Rtt.Smoothed, n.Relay, n.FailedRounds, Now < n.RoutedAroundUntil);
            }

            return new OverlayStatus(
                LocalNode,
                _joined.Task.IsCompleted,
                _leafSet.Clockwise.Select(Describe).ToList(),
                _leafSet.CounterClockwise.Select(Describe).ToList(),
                _table.All().Select(Describe).ToList(),
                _table.FillByRow(),
                _recentlyDead.Count,
                Counters with { },
                Now);
        }
    }

    /// <summary>
    /// Asks the maintenance timer to run no later than <paramref name="due"/> (node time). The node
    /// sleeps until its next deadline instead of ticking at a fixed rate: a home server idles, and
    /// the simulator runs 10 000 nodes.
    /// </summary>
    private void WakeBy(TimeSpan due)
    {
        if (due >= _wakeAt)
        {
            return;
        }

        _wakeAt = due;
        if (!_inTick && _timer is not null)
        {
            var delay = due - Now;
            _timer.Change(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The earliest deadline of any maintenance work, at most <see cref="PastryOptions.Tick"/> away.</summary>
    private TimeSpan NextDue()
    {
        var now = Now;
        var due = now + _options.Tick;
        if (!_member)
        {
            return Min(due, _nextJoinAttempt);
        }

        if (!_joined.Task.IsCompleted)
        {
            due = Min(due, _nextJoinAttempt);
        }

        due = Min(Min(due, _nextExchange), Min(_nextRepair, _nextPartitionProbe));
        if (_leafSetChanged)
        {
            due = Min(due, _nextChangeExchange);
        }

        foreach (var neighbor in CollectState(_dueBuffer))
        {
            due = Min(due, LivenessDue(neighbor));
        }

        _dueBuffer.Clear();
        foreach (var pending in _pendingHops.Values)
        {
            due = Min(due, pending.Deadline + TimeSpan.FromTicks(1));
        }

        foreach (var pending in _rootAcks.Values)
        {
            due = Min(due, pending.Deadline + TimeSpan.FromTicks(1));
        }

        return due;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>
    /// Fills <paramref name="buffer"/> with every neighbour in routing state (leaf set first), once,
    /// without allocating; each is stamped with whether it is a leaf, so the scan that follows
    /// need not search the leaf set again (this scan runs on every wake-up of every node).
    /// </summary>
    private List<Neighbor> CollectState(List<Neighbor> buffer)
    {
        buffer.Clear();
        var scan = ++_scans;
        // Near leaves first on both sides, so a node near on one side and far on the other counts as near.
        var near = _options.NearLeaves;
        for (var i = 0; i < Math.Min(near, _leafSet.Clockwise.Count); i++)
        {
            Collect(buffer, _neighbors[_leafSet.Clockwise[i].Id], scan, leaf: true, nearLeaf: true);
        }

        for (var i = 0; i < Math.Min(near, _leafSet.CounterClockwise.Count); i++)
        {
            Collect(buffer, _neighbors[_leafSet.CounterClockwise[i].Id], scan, leaf: true, nearLeaf: true);
        }

        for (var i = near; i < _leafSet.Clockwise.Count; i++)
        {
            Collect(buffer, _neighbors[_leafSet.Clockwise[i].Id], scan, leaf: true, nearLeaf: false);
        }

        for (var i = near; i < _leafSet.CounterClockwise.Count; i++)
        {
            Collect(buffer, _neighbors[_leafSet.CounterClockwise[i].Id], scan, leaf: true, nearLeaf: false);
        }

        foreach (var h in _table.All())
        {
            Collect(buffer, _neighbors[h.Id], scan, leaf: false, nearLeaf: false);
        }

        return buffer;
    }

    private static void Collect(List<Neighbor> buffer, Neighbor neighbor, long scan, bool leaf, bool nearLeaf)
    {
        if (neighbor.CollectedIn == scan)
        {
            return; // on both sides of a small ring, or a leaf also in the table
        }

        neighbor.CollectedIn = scan;
        neighbor.CollectedAsLeaf = leaf;
        neighbor.CollectedAsNearLeaf = nearLeaf;
        buffer.Add(neighbor);
    }

    /// <summary>Every node in routing state (leaf set and table), once.</summary>
    private IEnumerable<NodeHandle> StateHandles()
    {
        var seen = new HashSet<NodeId>();
        foreach (var h in _leafSet.Members.Concat(_table.All()))
        {
            if (seen.Add(h.Id))
            {
                yield return h;
            }
        }
    }

    private IEnumerable<Neighbor> StateNeighbors() => StateHandles().Select(h => _neighbors[h.Id]).ToList();

    private bool InState(NodeId id) => _leafSet.Contains(id) || _table.Contains(id);

    private void RaiseLeafSetChanged(NodeHandle node, bool joined)
    {
        if (joined)
        {
            // Only arrivals are news to pass on: a neighbour detects a death itself.
            _leafSetChanged = true;
            _arrivedSinceExchange.RemoveAll(h => h.Id == node.Id);
            _arrivedSinceExchange.Add(node);
            WakeBy(_nextChangeExchange);
        }
        else
        {
            _arrivedSinceExchange.RemoveAll(h => h.Id == node.Id);
        }

        try
        {
            LeafSetChanged?.Invoke(new LeafSetChange(node, joined));
        }
        catch (Exception)
        {
            // An application's handler must not break the overlay's state machine.
        }
    }

    /// <summary>Orders ids by closeness to a key (ties to the smaller id, as <see cref="NodeId.IsCloser"/>).</summary>
    private sealed class CloserTo(NodeId key) : IComparer<NodeId>
    {
        public int Compare(NodeId x, NodeId y) => x == y ? 0 : key.IsCloser(x, y) ? -1 : 1;
    }
}
