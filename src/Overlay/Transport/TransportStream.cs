using System.Net;

namespace EPostEdge.Overlay.Transport;

/// <summary>A reliable stream between two nodes, with the peer's endpoint.</summary>
/// <param name="RemoteEndPoint">The other end.</param>
/// <param name="Stream">The duplex byte stream; dispose it to close the connection.</param>
public sealed record TransportStream(IPEndPoint RemoteEndPoint, Stream Stream) : IAsyncDisposable
{
    /// <inheritdoc />
    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}
