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
    public void Partition(IEnumerable<int> first, IEnumerable<int> second, PartitionKind kind) => Cut(first, second, kind, blocked: true);

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
        if (!source.IsAlive || !_byEndPoint.TryGetValue(destination, out var target))
        {
            Drop(source);
            return;
        }

        if (source.HoldsUnsent)
        {
            // A hung or clogged sender: the frame waits in its send buffer (copied: the caller may reuse its buffer).
            if (!source.HoldUnsent(target, frame.ToArray(), Options.SendBufferBytes))
            {
                Drop(source);
            }

            return;
        }

        Transmit(source, target, frame);
    }

    /// <summary>
    /// Clogs node <paramref name="index"/> (FoundationDB's swizzle-clog): all traffic to and from it
    /// is held, in its send and receive buffers, until <see cref="Unclog"/>.
    /// </summary>
    public void Clog(int index)
    {
        _links[index].IsClogged = true;
        Changed?.Invoke($"clog {index}");
    }

    /// <summary>Lifts the clog of node <paramref name="index"/>: held frames flow on, oldest first.</summary>
    public void Unclog(int index)
    {
        var link = _links[index];
        if (!link.IsClogged)
        {
            return;
        }

        link.IsClogged = false;
        Changed?.Invoke($"unclog {index}");
        link.Release();
    }

    /// <summary>Lifts exactly the cut that <see cref="Partition"/> made between these groups, leaving other blocked pairs.</summary>
    public void Unpartition(IEnumerable<int> first, IEnumerable<int> second, PartitionKind kind) => Cut(first, second, kind, blocked: false);

    private void Cut(IEnumerable<int> first, IEnumerable<int> second, PartitionKind kind, bool blocked)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var firsts = first.ToList();
        var seconds = second.ToList();
        foreach (var a in firsts)
        {
            foreach (var b in seconds)
            {
                Set(Pair(a, b), blocked);
                if (kind == PartitionKind.Full)
                {
                    Set(Pair(b, a), blocked);
                }
            }
        }

        Changed?.Invoke($"{(blocked ? "partition" : "unpartition")} {kind} [{string.Join(',', firsts)}] | [{string.Join(',', seconds)}]");
    }

    private void Set(long pair, bool blocked)
    {
        if (blocked)
        {
            _blocked.Add(pair);
        }
        else
        {
            _blocked.Remove(pair);
        }
    }

    /// <summary>Puts a frame on the wire: partitions, loss, the sender's uplink, latency, duplication and reordering.</summary>
    internal void Transmit(SimulatedLink source, SimulatedLink target, ReadOnlyMemory<byte> frame)
    {
        if (!source.IsAlive)
        {
            Drop(source);
            return;
        }

        // The uplink serializes the frame before the path decides its fate, so a lost frame still costs uplink time.
        var departure = Serialize(source.UplinkBusyUntil, frame.Length, Options.UplinkBytesPerSecond, out var busyUntil);
        source.UplinkBusyUntil = busyUntil;
        if (!CanReach(source.Index, target.Index))
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
        var slow = Math.Max(source.LatencyFactor, target.LatencyFactor);
        if (slow != 1)
        {
            latency = TimeSpan.FromTicks((long)(latency.Ticks * slow));
        }

        latency += departure;
        Schedule(source, target, bytes, latency + ExtraDelay(options));
        if (options.DuplicationRate > 0 && _random.NextDouble() < options.DuplicationRate)
        {
            Schedule(source, target, bytes, latency + ExtraDelay(options));
        }
    }

    /// <summary>
    /// A link of <paramref name="rate"/> bytes/s busy until <paramref name="busy"/> takes a frame of
    /// <paramref name="length"/> bytes: returns how long from now until its last bit has left (zero
    /// when unlimited), and when the link is free again. Integer ticks, rounded up: exact and replayable.
    /// </summary>
    private TimeSpan Serialize(TimeSpan busy, int length, long? rate, out TimeSpan busyUntil)
    {
        var now = _scheduler.Now;
        if (rate is not { } bytesPerSecond)
        {
            busyUntil = busy;
            return TimeSpan.Zero;
        }

        var start = busy > now ? busy : now;
        busyUntil = start + TimeSpan.FromTicks(((length * TimeSpan.TicksPerSecond) + bytesPerSecond - 1) / bytesPerSecond);
        return busyUntil - now;
    }

    private TimeSpan ExtraDelay(SimulatedNetworkOptions options) =>
        options.ReorderRate > 0 && _random.NextDouble() < options.ReorderRate
            ? TimeSpan.FromTicks((long)(options.MaximumExtraDelay.Ticks * _random.NextDouble()))
            : TimeSpan.Zero;

    private void Schedule(SimulatedLink source, SimulatedLink target, byte[] bytes, TimeSpan delay) =>
        _scheduler.Schedule(delay, () => Reach(source, target, bytes));

    /// <summary>The frame reaches the receiver's downlink, which serializes it (bandwidth) before the node gets it.</summary>
    private void Reach(SimulatedLink source, SimulatedLink target, byte[] bytes)
    {
        if (Options.DownlinkBytesPerSecond is null)
        {
            Arrive(source, target, bytes);
            return;
        }

        var delay = Serialize(target.DownlinkBusyUntil, bytes.Length, Options.DownlinkBytesPerSecond, out var busyUntil);
        target.DownlinkBusyUntil = busyUntil;
        _scheduler.Schedule(delay, () => Arrive(source, target, bytes));
    }

    /// <summary>The frame is at the receiver: a dead one loses it, a hung or clogged one buffers it, a running one processes it.</summary>
    internal void Arrive(SimulatedLink source, SimulatedLink target, byte[] bytes)
    {
        if (!target.IsAlive || target.Receiver is not { } receiver)
        {
            Drop(target);
            return;
        }

        if (target.HoldsReceived)
        {
            if (!target.HoldReceived(source, bytes, Options.ReceiveBufferBytes))
            {
                Drop(target);
            }

            return;
        }

        FramesDelivered++;
        target.FramesReceived++;
        target.BytesReceived += bytes.Length;
        Delivered?.Invoke(source.Index, target.Index, bytes);
        receiver(source.LocalEndPoint, bytes);
    }

    /// <summary>Counts frames a crashed node's buffers held (the link has counted them as its own drops).</summary>
    internal void CountDropped(int frames) => FramesDropped += frames;

    private void Drop(SimulatedLink link)
    {
        link.Dropped++;
        FramesDropped++;
    }

    private static long Pair(int from, int to) => ((long)from << 32) | (uint)to;
}
