using System.Net;

namespace EPostEdge.EdgeNode.Nat.Network;

/// <summary>A UDP socket of <see cref="INatNetwork"/>.</summary>
internal interface INatDatagramSocket : IDisposable
{
    /// <summary>Sends one datagram (to a multicast group with TTL <see cref="Upnp.SsdpCodec.MulticastTimeToLive"/> from the bound address's interface).</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint to, CancellationToken cancellationToken);

    /// <summary>Receives one datagram into <paramref name="buffer"/> (longer ones are cut).</summary>
    /// <exception cref="NatNoServerException">The socket is connected and the peer answered ICMP port unreachable.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<(int Length, IPEndPoint From)> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}
