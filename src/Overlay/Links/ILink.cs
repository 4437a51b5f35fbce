using System.Net;

namespace EPostEdge.Overlay.Links;

/// <summary>
/// What a Pastry node needs from the network: send one frame to an endpoint, never blocking and
/// never throwing (best effort, like a datagram), and have received frames handed to it. The real
/// <see cref="TransportLink"/> carries small frames as UDP datagrams and large ones over framed
/// TCP streams; the simulator delivers frames through its scheduler.
/// </summary>
public interface ILink
{
    /// <summary>Where peers reach this node.</summary>
    IPEndPoint LocalEndPoint { get; }

    /// <summary>Queues <paramref name="frame"/> for <paramref name="destination"/>; drops it (and counts) when the queue is full.</summary>
    void Send(IPEndPoint destination, ReadOnlyMemory<byte> frame);

    /// <summary>Starts handing received frames to <paramref name="receiver"/> (source endpoint, frame bytes).</summary>
    void Start(Action<IPEndPoint, ReadOnlyMemory<byte>> receiver);
}
