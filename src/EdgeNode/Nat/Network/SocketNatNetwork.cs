using System.Net;
using System.Net.Sockets;
using EPostEdge.EdgeNode.Nat.Http;
using EPostEdge.EdgeNode.Nat.Upnp;

namespace EPostEdge.EdgeNode.Nat.Network;

/// <summary>
/// The real <see cref="INatNetwork"/>: /proc/net/route and UDP/TCP sockets. Tests create it with
/// a socket factory that opens its sockets inside a network namespace (a socket keeps the
/// namespace it was made in) and the route file of a process there.
/// </summary>
internal sealed class SocketNatNetwork : INatNetwork
{
    /// <summary>Where Linux shows the IPv4 route table (proc(5)).</summary>
    public const string ProcRouteTable = "/proc/net/route";

    private readonly string _routeTablePath;
    private readonly Func<AddressFamily, SocketType, ProtocolType, Socket> _newSocket;

    public SocketNatNetwork()
        : this(ProcRouteTable, static (family, type, protocol) => new Socket(family, type, protocol))
    {
    }

    internal SocketNatNetwork(string routeTablePath, Func<AddressFamily, SocketType, ProtocolType, Socket> newSocket)
    {
        _routeTablePath = routeTablePath;
        _newSocket = newSocket;
    }

    public string? ReadRouteTable()
    {
        try
        {
            return File.ReadAllText(_routeTablePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public IPAddress? LocalAddressToward(IPAddress remote)
    {
        // Connecting a UDP socket only picks the route and the source address: nothing is sent.
        using var socket = _newSocket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Connect(new IPEndPoint(remote, 9));
            return (socket.LocalEndPoint as IPEndPoint)?.Address;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    public INatDatagramSocket OpenDatagram(IPAddress localAddress, IPEndPoint? connectTo)
    {
        var socket = _newSocket(localAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(localAddress, 0));
            if (localAddress.AddressFamily == AddressFamily.InterNetwork)
            {
                // UDA 1.1 §1.1.2: multicast from the LAN interface toward the gateway, TTL 2.
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, localAddress.GetAddressBytes());
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, SsdpCodec.MulticastTimeToLive);
            }

            if (connectTo is not null)
            {
                socket.Connect(connectTo);
            }

            return new Datagram(socket, connectTo);
        }
        catch (SocketException e)
        {
            // The LAN address went away (DHCP renewal, cable): a failed try, not a crash.
            socket.Dispose();
            throw new NatNoServerException($"cannot open a UDP socket on {localAddress}: {e.SocketErrorCode}", e);
        }
    }

    public async Task<HttpResponse> ExchangeHttpAsync(IPEndPoint server, ReadOnlyMemory<byte> request, int maxBodyBytes, CancellationToken cancellationToken)
    {
        using var socket = _newSocket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
            while (!request.IsEmpty)
            {
                var sent = await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                request = request[sent..];
            }

            // Chunk framing may add to the body; a response this much larger is refused.
            var limit = HttpCodec.MaxHeadBytes + (2 * maxBodyBytes) + 4096;
            var buffer = new byte[8192];
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= limit)
                    {
                        throw new NatProtocolException($"the HTTP response from {server} is larger than {limit} bytes");
                    }

                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, limit));
                }

                var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                length += read;
                var status = HttpCodec.TryParseResponse(buffer.AsSpan(0, length), endOfStream: read == 0, maxBodyBytes, out var response, out var error);
                switch (status)
                {
                    case HttpParseStatus.Complete:
                        return response!;
                    case HttpParseStatus.Invalid:
                        throw new NatProtocolException($"bad HTTP response from {server}: {error}");
                    case HttpParseStatus.Incomplete when read == 0:
                        throw new NatProtocolException($"{server} closed the connection before the response was complete");
                }
            }
        }
        catch (SocketException e)
        {
            throw new NatNoServerException($"HTTP to {server}: {e.SocketErrorCode}", e);
        }
    }

    private sealed class Datagram(Socket socket, IPEndPoint? connectedTo) : INatDatagramSocket
    {
        public async ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint to, CancellationToken cancellationToken)
        {
            try
            {
                if (connectedTo is not null)
                {
                    await socket.SendAsync(datagram, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await socket.SendToAsync(datagram, SocketFlags.None, to, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (SocketException e)
            {
                // ConnectionRefused: an ICMP port unreachable for an earlier datagram, reported on
                // the next call; NetworkUnreachable and the like: the LAN is down.
                throw new NatNoServerException($"{to} is unreachable ({Describe(e)})", e);
            }
        }

        public async ValueTask<(int Length, IPEndPoint From)> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            try
            {
                if (connectedTo is not null)
                {
                    var length = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    return (length, connectedTo);
                }

                var result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cancellationToken).ConfigureAwait(false);
                return (result.ReceivedBytes, (IPEndPoint)result.RemoteEndPoint);
            }
            catch (SocketException e)
            {
                throw new NatNoServerException($"{connectedTo?.ToString() ?? "receive"}: unreachable ({Describe(e)})", e);
            }
        }

        public void Dispose() => socket.Dispose();

        private static string Describe(SocketException e) =>
            e.SocketErrorCode == SocketError.ConnectionRefused ? "ICMP port unreachable" : e.SocketErrorCode.ToString();
    }
}
