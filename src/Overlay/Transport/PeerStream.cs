using System.Net.Sockets;

namespace EPostEdge.Overlay.Transport;

/// <summary>
/// A connection's <see cref="NetworkStream"/> that tells its <see cref="SocketTransport"/> when it
/// is closed, so the transport can close every connection still open when it is disposed.
/// </summary>
internal sealed class PeerStream : NetworkStream
{
    private readonly Action<PeerStream> _closed;

    public PeerStream(Socket socket, Action<PeerStream> closed)
        : base(socket, ownsSocket: true)
    {
        _closed = closed;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _closed(this);
        }
    }
}
