using System.Net;
using EPostEdge.Overlay.Links;

namespace EPostEdge.Overlay.Simulation;

/// <summary>
/// One simulated node's <see cref="ILink"/>: sends go to the <see cref="SimulatedNetwork"/>, which
/// delivers them through the scheduler. The link outlives the node on it: a restarted node calls
/// <see cref="Start"/> again on the same endpoint, and the counters span every life.
/// </summary>
public sealed class SimulatedLink : ILink
{
    private readonly SimulatedNetwork _network;

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

    /// <summary>False while the node is dead: everything it sends or is sent is dropped.</summary>
    public bool IsAlive { get; set; } = true;

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

    /// <inheritdoc />
    public void Start(Action<IPEndPoint, ReadOnlyMemory<byte>> receiver) =>
        Receiver = receiver ?? throw new ArgumentNullException(nameof(receiver));
}
