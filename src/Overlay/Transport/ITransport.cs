using System.Net;

namespace EPostEdge.Overlay.Transport;

/// <summary>
/// The network seam (ARCHITECTURE.md "The seams"): small messages as datagrams, large ones over
/// a reliable byte stream. The real implementation is UDP + TCP on one port
/// (<see cref="SocketTransport"/>); the simulator provides an in-memory one with latency, loss
/// and partitions. Nothing else in the node opens a socket.
/// </summary>
public interface ITransport : IAsyncDisposable
{
    /// <summary>Where peers reach this node (datagrams and streams share it).</summary>
    IPEndPoint LocalEndPoint { get; }

    /// <summary>Largest datagram payload this transport carries; larger messages go by stream.</summary>
    int MaxDatagramSize { get; }

    /// <summary>
    /// Sends one datagram. Best effort, like UDP: it may be lost, duplicated or reordered, and a
    /// send to an unreachable peer is not an error.
    /// </summary>
    ValueTask SendDatagramAsync(IPEndPoint destination, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken = default);

    /// <summary>Waits for the next datagram addressed to this node.</summary>
    ValueTask<Datagram> ReceiveDatagramAsync(CancellationToken cancellationToken = default);

    /// <summary>Opens a reliable, ordered byte stream to <paramref name="destination"/>.</summary>
    ValueTask<TransportStream> ConnectAsync(IPEndPoint destination, CancellationToken cancellationToken = default);

    /// <summary>Waits for the next stream a peer opened to this node.</summary>
    ValueTask<TransportStream> AcceptAsync(CancellationToken cancellationToken = default);
}
