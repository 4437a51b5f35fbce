using System.Net;
using EPostEdge.Overlay.Links;

namespace EPostEdge.Overlay.Simulation;

/// <summary>
/// One simulated node's <see cref="ILink"/>: sends go to the <see cref="SimulatedNetwork"/>, which
/// delivers them through the scheduler. The link outlives the node on it: a restarted node calls
/// <see cref="Start"/> again on the same endpoint, and the counters span every life.
/// While the node is hung or clogged its frames wait here in bounded buffers, like a socket's.
/// </summary>
public sealed class SimulatedLink : ILink
{
    private readonly SimulatedNetwork _network;
    private readonly Queue<(SimulatedLink Source, byte[] Bytes)> _received = new();
    private readonly Queue<(SimulatedLink Target, byte[] Bytes)> _unsent = new();
    private bool _isAlive = true;

    internal SimulatedLink(SimulatedNetwork network, int index, IPEndPoint endPoint, double x, double y)
    {
        _network = network;
        Index = index;
        LocalEndPoint = endPoint;
        X = x;
        Y = y;
    }

    /// <summary>The node's index in the run.</summary>
    public int Index { get; }

    /// <inheritdoc />
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The node's place in the unit square (the latency model's topology).</summary>
    public double X { get; }

    /// <summary>The node's place in the unit square.</summary>
    public double Y { get; }

    /// <summary>False while the node is dead: everything it sends or is sent is dropped, and a crash loses what its buffers held.</summary>
    public bool IsAlive
    {
        get => _isAlive;
        set
        {
            _isAlive = value;
            if (!value)
            {
                DropHeld();
            }
        }
    }

    /// <summary>
    /// True while the node's process is stopped (alive but silent): frames to it wait in the receive
    /// buffer, frames it is made to send wait in the send buffer, until <see cref="Resume"/>.
    /// </summary>
    public bool IsHung { get; private set; }

    /// <summary>True while the network holds all traffic to and from the node (FoundationDB's clog).</summary>
    public bool IsClogged { get; internal set; }

    /// <summary>Multiplies the latency of every frame to or from the node (a slow node: 100 is ×100).</summary>
    public double LatencyFactor { get; set; } = 1;

    /// <summary>Frames lost because the receive or send buffer was full while the node was hung or clogged.</summary>
    public long Overflowed { get; internal set; }

    /// <summary>Frames waiting in the receive buffer.</summary>
    public int HeldReceived => _received.Count;

    /// <summary>Frames waiting in the send buffer.</summary>
    public int HeldUnsent => _unsent.Count;

    /// <summary>When the node's uplink has finished serializing the frames queued on it (bandwidth).</summary>
    internal TimeSpan UplinkBusyUntil { get; set; }

    /// <summary>When the node's downlink has finished serializing the frames queued on it.</summary>
    internal TimeSpan DownlinkBusyUntil { get; set; }

    /// <summary>True while arriving frames must wait in the receive buffer.</summary>
    internal bool HoldsReceived => IsHung || IsClogged;

    /// <summary>True while sent frames must wait in the send buffer.</summary>
    internal bool HoldsUnsent => IsHung || IsClogged;

    private int ReceivedBytes { get; set; }

    private int UnsentBytes { get; set; }

    /// <summary>Frames handed to the network by this node.</summary>
    public long FramesSent { get; internal set; }

    /// <summary>Bytes handed to the network by this node.</summary>
    public long BytesSent { get; internal set; }

    /// <summary>Frames delivered to this node.</summary>
    public long FramesReceived { get; internal set; }

    /// <summary>Bytes delivered to this node.</summary>
    public long BytesReceived { get; internal set; }

    /// <summary>Frames from or to this node that were lost (dead, partitioned, loss rate, unknown endpoint).</summary>
    public long Dropped { get; internal set; }

    internal Action<IPEndPoint, ReadOnlyMemory<byte>>? Receiver { get; private set; }

    /// <inheritdoc />
    public void Send(IPEndPoint destination, ReadOnlyMemory<byte> frame)
    {
        ArgumentNullException.ThrowIfNull(destination);
        _network.Send(this, destination, frame);
    }

    /// <summary>Stops the node's process at the network: from now on it hears and sends nothing until <see cref="Resume"/>.</summary>
    public void Hang()
    {
        IsHung = true;
        _network.Changed?.Invoke($"hang {Index}");
    }

    /// <summary>Lets the node run again: the receive buffer's backlog is delivered, then what it sent meanwhile leaves.</summary>
    public void Resume()
    {
        if (!IsHung)
        {
            return;
        }

        IsHung = false;
        _network.Changed?.Invoke($"resume {Index}");
        Release();
    }

    /// <inheritdoc />
    public void Start(Action<IPEndPoint, ReadOnlyMemory<byte>> receiver) =>
        Receiver = receiver ?? throw new ArgumentNullException(nameof(receiver));

    /// <summary>Keeps an arriving frame while the node cannot take it; false when the receive buffer is full (the frame is lost).</summary>
    internal bool HoldReceived(SimulatedLink source, byte[] bytes, int capacity)
    {
        if (ReceivedBytes + bytes.Length > capacity)
        {
            Overflowed++;
            return false;
        }

        ReceivedBytes += bytes.Length;
        _received.Enqueue((source, bytes));
        return true;
    }

    /// <summary>Keeps a frame the node sent while it cannot send; false when the send buffer is full.</summary>
    internal bool HoldUnsent(SimulatedLink target, byte[] bytes, int capacity)
    {
        if (UnsentBytes + bytes.Length > capacity)
        {
            Overflowed++;
            return false;
        }

        UnsentBytes += bytes.Length;
        _unsent.Enqueue((target, bytes));
        return true;
    }

    /// <summary>
    /// Once nothing holds the node any more: the backlog is processed first (it arrived before the
    /// node woke), then the frames it sent meanwhile go out, each in its original order.
    /// </summary>
    internal void Release()
    {
        while (!HoldsReceived && _received.TryDequeue(out var frame))
        {
            ReceivedBytes -= frame.Bytes.Length;
            _network.Arrive(frame.Source, this, frame.Bytes);
        }

        while (!HoldsUnsent && _unsent.TryDequeue(out var frame))
        {
            UnsentBytes -= frame.Bytes.Length;
            _network.Transmit(this, frame.Target, frame.Bytes);
        }
    }

    private void DropHeld()
    {
        Dropped += _received.Count + _unsent.Count;
        _network.CountDropped(_received.Count + _unsent.Count);
        _received.Clear();
        _unsent.Clear();
        ReceivedBytes = 0;
        UnsentBytes = 0;
    }
}
