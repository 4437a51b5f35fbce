using System.Net;
using System.Net.Sockets;

namespace EPostEdge.EdgeNode.Tests.Nat.Igd;

/// <summary>Whether the router really forwards: a peer in the WAN namespace sends to the router's WAN address and the node listens in the LAN namespace.</summary>
internal static class Forwarding
{
    /// <summary>Sends a UDP datagram from a fresh WAN socket (so no earlier conntrack entry applies) and says whether the node got it.</summary>
    public static async Task<bool> UdpArrivesAsync(MiniupnpdGateway gateway, int externalPort, int internalPort, TimeSpan wait)
    {
        using var node = gateway.Lan.NewSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        node.Bind(new IPEndPoint(MiniupnpdGateway.LanNode, internalPort));
        using var peer = gateway.Wan.NewSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        peer.Bind(new IPEndPoint(MiniupnpdGateway.WanPeer, 0));
        var payload = "ping from the Internet"u8.ToArray();
        await peer.SendToAsync(payload, new IPEndPoint(MiniupnpdGateway.WanGateway, externalPort));
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            var buffer = new byte[64];
            var received = await node.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
            return buffer.AsSpan(0, received.ReceivedBytes).SequenceEqual(payload)
                && ((IPEndPoint)received.RemoteEndPoint).Address.Equals(MiniupnpdGateway.WanPeer);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Connects over TCP from the WAN namespace and says whether the node accepted it.</summary>
    public static async Task<bool> TcpConnectsAsync(MiniupnpdGateway gateway, int externalPort, int internalPort, TimeSpan wait)
    {
        using var listener = gateway.Lan.NewSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(MiniupnpdGateway.LanNode, internalPort));
        listener.Listen();
        using var peer = gateway.Wan.NewSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            var accepting = listener.AcceptAsync(timeout.Token).AsTask();
            await peer.ConnectAsync(new IPEndPoint(MiniupnpdGateway.WanGateway, externalPort), timeout.Token);
            using var accepted = await accepting;
            return ((IPEndPoint)accepted.RemoteEndPoint!).Address.Equals(MiniupnpdGateway.WanPeer);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            return false;
        }
    }
}
