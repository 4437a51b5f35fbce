using System.Net;
using EPostEdge.Overlay.Seams;

namespace EPostEdge.Overlay.Simulation;

/// <summary>
/// The in-memory network behind the link seam (ARCHITECTURE.md "The seams"; issue 5 item 2).
/// Each node is a point in the unit square; one-way latency grows linearly with Euclidean distance
/// from 2 to 200 ms (the model of FreePastry's direct simulator). Loss, duplication, reordering and
/// partitions are decided at send time from the run's seeded source, so they replay exactly.
/// </summary>
public sealed class SimulatedNetwork
{
    /// <summary>The port every simulated node listens on.</summary>
    public const int Port = 4031;

    private readonly SimulationScheduler _scheduler;
    private readonly IRandomSource _random;
    private readonly List<SimulatedLink> _links = [];
    private readonly Dictionary<IPEndPoint, SimulatedLink> _byEndPoint = [];
    private readonly HashSet<long> _blocked = [];

    /// <summary>A network on <paramref name="scheduler"/>'s time drawing faults from <paramref name="random"/>.</summary>
    public SimulatedNetwork(SimulationScheduler scheduler, IRandomSource random, SimulatedNetworkOptions? options = null)
    {
        _scheduler = scheduler ?? throw new ArgumentNullException(nameof(scheduler));
        _random = random ?? throw new ArgumentNullException(nameof(random));
        Options = options ?? new SimulatedNetworkOptions();
    }

    /// <summary>Fault rates; may be changed mid-run (a scenario's phases).</summary>
    public SimulatedNetworkOptions Options { get; set; }

    /// <summary>Every node's link, by index.</summary>
    public IReadOnlyList<SimulatedLink> Links => _links;

    /// <summary>Called for each frame as it is delivered (source index, destination index, bytes): the run's trace.</summary>
    public Action<int, int, ReadOnlyMemory<byte>>? Delivered { get; set; }

    /// <summary>Called with a description of each partition change, so the run's trace covers what was done to the network.</summary>
    public Action<string>? Changed { get; set; }

    /// <summary>Frames delivered in the whole network.</summary>
    public long FramesDelivered { get; private set; }

    /// <summary>Frames lost in the whole network, for any reason.</summary>
    public long FramesDropped { get; private set; }

    /// <summary>Adds a node at a random point, reachable at 10.x.y.z:4031 made from its index.</summary>
    public SimulatedLink AddNode()
    {
        var index = _links.Count;
        var number = index + 1; // 10.0.0.0 is a network address; start at .1
        var address = new IPAddress([10, (byte)(number >> 16), (byte)(number >> 8), (byte)number]);
        var link = new SimulatedLink(this, index, new IPEndPoint(address, Port), _random.NextDouble(), _random.NextDouble());
        _links.Add(link);
        _byEndPoint[link.LocalEndPoint] = link;
        return link;
    }

    /// <summary>One-way latency between two nodes: the topology model, before any fault.</summary>
    public TimeSpan Latency(int from, int to)
    {
        var a = _links[from];
        var b = _links[to];
        var dx = a.X - b.X;
        var dy = a.Y - b.Y;
        var fraction = Math.Sqrt((dx * dx) + (dy * dy)) / Math.Sqrt(2);
        var span = Options.MaximumLatency - Options.MinimumLatency;
        return Options.MinimumLatency + TimeSpan.FromTicks((long)(span.Ticks * fraction));
    }

    /// <summary>Frames from <paramref name="from"/> to <paramref name="to"/> are lost (one direction).</summary>
    public void Block(int from, int to)
    {
        _blocked.Add(Pair(from, to));
        Changed?.Invoke($"block {from} -> {to}");
    }

    /// <summary>Frames from <paramref name="from"/> to <paramref name="to"/> flow again.</summary>
    public void Unblock(int from, int to)
    {
        _blocked.Remove(Pair(from, to));
        Changed?.Invoke($"unblock {from} -> {to}");
    }

    /// <summary>
    /// Non-transitive connectivity (ePOST §6): <paramref name="a"/> and <paramref name="b"/> cannot
    /// reach each other, while both may still reach everyone else.
    /// </summary>
    public void BlockBothWays(int a, int b)
    {
        Block(a, b);
        Block(b, a);
    }

    /// <summary>Cuts <paramref name="first"/> from <paramref name="second"/>: both ways, or first→second only.</summary>
    public void Partition(IEnumerable<int> first, IEnumerable<int> second, PartitionKind kind)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var firsts = first.ToList();
        var seconds = second.ToList();
        foreach (var a in firsts)
        {
            foreach (var b in seconds)
            {
                _blocked.Add(Pair(a, b));
                if (kind == PartitionKind.Full)
                {
                    _blocked.Add(Pair(b, a));
                }
            }
        }

        Changed?.Invoke($"partition {kind} [{string.Join(',', firsts)}] | [{string.Join(',', seconds)}]");
    }

    /// <summary>Lifts every partition and blocked pair.</summary>
    public void Heal()
    {
        _blocked.Clear();
        Changed?.Invoke("heal");
    }

    /// <summary>True when a frame from <paramref name="from"/> to <paramref name="to"/> would not be cut by a partition.</summary>
    public bool CanReach(int from, int to) => !_blocked.Contains(Pair(from, to));

    internal void Send(SimulatedLink source, IPEndPoint destination, ReadOnlyMemory<byte> frame)
    {
        source.FramesSent++;
        source.BytesSent += frame.Length;
        if (!source.IsAlive || !_byEndPoint.TryGetValue(destination, out var target) || !CanReach(source.Index, target.Index))
        {
            Drop(source);
            return;
        }

        var options = Options;
        if (options.LossRate > 0 && _random.NextDouble() < options.LossRate)
        {
            Drop(source);
            return;
        }

        // The sender may reuse its buffer as soon as Send returns (as with a socket): copy now.
        var bytes = frame.ToArray();
        var latency = Latency(source.Index, target.Index);
        Schedule(source, target, bytes, latency + ExtraDelay(options));
        if (options.DuplicationRate > 0 && _random.NextDouble() < options.DuplicationRate)
        {
            Schedule(source, target, bytes, latency + ExtraDelay(options));
        }
    }

    private TimeSpan ExtraDelay(SimulatedNetworkOptions options) =>
        options.ReorderRate > 0 && _random.NextDouble() < options.ReorderRate
            ? TimeSpan.FromTicks((long)(options.MaximumExtraDelay.Ticks * _random.NextDouble()))
            : TimeSpan.Zero;

    private void Schedule(SimulatedLink source, SimulatedLink target, byte[] bytes, TimeSpan delay) =>
        _scheduler.Schedule(delay, () => Deliver(source, target, bytes));

    private void Deliver(SimulatedLink source, SimulatedLink target, byte[] bytes)
    {
        if (!target.IsAlive || target.Receiver is not { } receiver)
        {
            Drop(target);
            return;
        }

        FramesDelivered++;
        target.FramesReceived++;
        target.BytesReceived += bytes.Length;
        Delivered?.Invoke(source.Index, target.Index, bytes);
        receiver(source.LocalEndPoint, bytes);
    }

    private void Drop(SimulatedLink link)
    {
        link.Dropped++;
        FramesDropped++;
    }

    private static long Pair(int from, int to) => ((long)from << 32) | (uint)to;
}
