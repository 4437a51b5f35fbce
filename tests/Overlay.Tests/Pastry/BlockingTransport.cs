using System.Net;
using EPostEdge.Overlay.Transport;

namespace EPostEdge.Overlay.Tests.Pastry;

/// <summary>
/// A real <see cref="SocketTransport"/> behind a switchboard: datagrams and stream connects from
/// this node to a blocked destination are dropped, as a broken path drops them. Partitions and
/// non-transitive connectivity are made by blocking both directions of chosen pairs (each side's
/// outgoing traffic), at the transport seam, with real sockets underneath.
/// </summary>
internal sealed class BlockingTransport(ITransport inner, Switchboard switchboard) : ITransport
{
    public IPEndPoint LocalEndPoint => inner.LocalEndPoint;

    public int MaxDatagramSize => inner.MaxDatagramSize;

    public ValueTask SendDatagramAsync(IPEndPoint destination, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken = default) =>
        switchboard.IsBlocked(inner.LocalEndPoint, destination) ? ValueTask.CompletedTask : inner.SendDatagramAsync(destination, datagram, cancellationToken);

    public ValueTask<Datagram> ReceiveDatagramAsync(CancellationToken cancellationToken = default) => inner.ReceiveDatagramAsync(cancellationToken);

    public ValueTask<TransportStream> ConnectAsync(IPEndPoint destination, CancellationToken cancellationToken = default) =>
        switchboard.IsBlocked(inner.LocalEndPoint, destination)
            ? ValueTask.FromException<TransportStream>(new TimeoutException($"{destination} is blocked"))
            : inner.ConnectAsync(destination, cancellationToken);

    public ValueTask<TransportStream> AcceptAsync(CancellationToken cancellationToken = default) => inner.AcceptAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

/// <summary>Which directed paths between endpoints are broken.</summary>
internal sealed class Switchboard
{
    private readonly object _gate = new();
    private readonly HashSet<(int From, int To)> _blocked = [];

    public bool IsBlocked(IPEndPoint from, IPEndPoint to)
    {
        lock (_gate)
        {
            return _blocked.Count > 0 && _blocked.Contains((from.Port, to.Port));
        }
    }

    /// <summary>Breaks the path between <paramref name="a"/> and <paramref name="b"/> both ways.</summary>
    public void Block(IPEndPoint a, IPEndPoint b)
    {
        lock (_gate)
        {
            _blocked.Add((a.Port, b.Port));
            _blocked.Add((b.Port, a.Port));
        }
    }

    /// <summary>Restores every path.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _blocked.Clear();
        }
    }
}
