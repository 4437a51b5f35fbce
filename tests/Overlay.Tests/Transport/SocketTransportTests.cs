using System.Net;
using System.Net.Sockets;
using EPostEdge.Overlay.Seams;
using EPostEdge.Overlay.Transport;

namespace EPostEdge.Overlay.Tests.Transport;

// Loopback only: these tests never address anything but 127.0.0.1 and [::1].
public sealed class SocketTransportTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(20);
    private static readonly SocketTransportOptions Options = new();

    [Fact]
    public async Task Datagrams_cross_between_two_transports_on_IPv4_loopback()
    {
        await AssertDatagramsCross(IPAddress.Loopback);
    }

    [IPv6LoopbackFact]
    public async Task Datagrams_cross_between_two_transports_on_IPv6_loopback()
    {
        await AssertDatagramsCross(IPAddress.IPv6Loopback);
    }

    [IPv6LoopbackFact]
    public async Task Dual_mode_transport_sees_IPv4_peers_with_their_plain_address()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var dual = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.IPv6Any, 0), Options, timeout.Token);
        await using var v4 = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), Options, timeout.Token);

        await v4.SendDatagramAsync(new IPEndPoint(IPAddress.Loopback, dual.LocalEndPoint.Port), "ping"u8.ToArray(), timeout.Token);
        var ping = await dual.ReceiveDatagramAsync(timeout.Token);
        Assert.Equal(v4.LocalEndPoint, ping.Source);

        // Replying to the source as seen works, so the overlay can store and reuse it.
        await dual.SendDatagramAsync(ping.Source, "pong"u8.ToArray(), timeout.Token);
        var pong = await v4.ReceiveDatagramAsync(timeout.Token);
        Assert.Equal("pong"u8.ToArray(), pong.Payload.ToArray());

        await using var stream = await v4.ConnectAsync(new IPEndPoint(IPAddress.Loopback, dual.LocalEndPoint.Port), timeout.Token);
        await using var accepted = await dual.AcceptAsync(timeout.Token);
        Assert.Equal(IPAddress.Loopback, accepted.RemoteEndPoint.Address);
    }

    [Fact]
    public async Task Port_zero_binds_udp_and_tcp_to_the_same_free_port()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var node = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), Options, timeout.Token);
        Assert.NotEqual(0, node.LocalEndPoint.Port);

        // Both protocols hold the port: binding either again on it fails.
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var udpError = Assert.Throws<SocketException>(() => udp.Bind(node.LocalEndPoint));
        Assert.Equal(SocketError.AddressAlreadyInUse, udpError.SocketErrorCode);
        var tcpError = await Assert.ThrowsAsync<SocketException>(async () =>
            await SocketTransport.BindAsync(node.LocalEndPoint, Options, timeout.Token));
        Assert.Equal(SocketError.AddressAlreadyInUse, tcpError.SocketErrorCode);
    }

    [Fact]
    public async Task Port_zero_moves_on_when_the_udp_twin_of_the_tcp_port_is_taken()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        // Hold a block of UDP ports; whichever TCP port the kernel offers, the transport must end
        // up on a port where it holds both.
        var squatters = new List<Socket>();
        try
        {
            for (var i = 0; i < 64; i++)
            {
                var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                squatters.Add(squatter);
            }

            await using var node = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), Options with { BindAttempts = 64 }, timeout.Token);
            Assert.DoesNotContain(squatters, s => ((IPEndPoint)s.LocalEndPoint!).Port == node.LocalEndPoint.Port);
        }
        finally
        {
            squatters.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Stream_echoes_one_mebibyte()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var client = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), Options, timeout.Token);
        await using var server = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), Options, timeout.Token);

        var echo = Task.Run(
            async () =>
            {
                await using var accepted = await server.AcceptAsync(timeout.Token);
                Assert.Equal(client.LocalEndPoint.Address, accepted.RemoteEndPoint.Address);
                await accepted.Stream.CopyToAsync(accepted.Stream, timeout.Token);
            },
            timeout.Token);

        var sent = new SeededRandomSource(42).NextBytes(1 << 20);
        await using var connection = await client.ConnectAsync(server.LocalEndPoint, timeout.Token);
        Assert.Equal(server.LocalEndPoint, connection.RemoteEndPoint);
        Assert.IsAssignableFrom<NetworkStream>(connection.Stream);

        // Write and read at once: the echo cannot hold 1 MiB in socket buffers alone.
        var write = Task.Run(
            async () =>
            {
                await connection.Stream.WriteAsync(sent, timeout.Token);
                ((NetworkStream)connection.Stream).Socket.Shutdown(SocketShutdown.Send);
            },
            timeout.Token);
        var received = new MemoryStream();
        await connection.Stream.CopyToAsync(received, timeout.Token);
        await write;
        await echo;

        Assert.Equal(sent, received.ToArray());
        Assert.Equal(1, client.Counters.StreamsConnected);
        Assert.Equal(1, server.Counters.StreamsAccepted);
    }

    [Fact]
    public async Task Oversized_and_empty_datagrams_are_counted_and_do_not_break_the_receive_loop()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var node = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), Options, timeout.Token);
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        raw.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        var garbage = new SeededRandomSource(7);
        await raw.SendToAsync(garbage.NextBytes(node.MaxDatagramSize + 1), node.LocalEndPoint, timeout.Token);
        await raw.SendToAsync(garbage.NextBytes(60_000), node.LocalEndPoint, timeout.Token);
        await raw.SendToAsync(Array.Empty<byte>(), node.LocalEndPoint, timeout.Token);
        var exactlyMax = garbage.NextBytes(node.MaxDatagramSize);
        await raw.SendToAsync(exactlyMax, node.LocalEndPoint, timeout.Token);

        // The transport does not judge content: an empty datagram is delivered, the codec rejects it.
        var empty = await node.ReceiveDatagramAsync(timeout.Token);
        Assert.True(empty.Payload.IsEmpty);
        var max = await node.ReceiveDatagramAsync(timeout.Token);
        Assert.Equal(exactlyMax, max.Payload.ToArray());
        Assert.Equal(raw.LocalEndPoint, max.Source);
        Assert.Equal(2, node.Counters.DatagramsDroppedOversized);
        Assert.Equal(2, node.Counters.DatagramsDropped);
    }

    [Fact]
    public async Task Sending_to_a_closed_port_does_not_throw_and_receiving_goes_on()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var a = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), Options, timeout.Token);
        await using var b = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), Options, timeout.Token);
        IPEndPoint closed;
        await using (var gone = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), Options, timeout.Token))
        {
            closed = gone.LocalEndPoint;
        }

        for (var i = 0; i < 5; i++)
        {
            // Each draws an ICMP port-unreachable back to a.
            await a.SendDatagramAsync(closed, "anyone?"u8.ToArray(), timeout.Token);
        }

        await b.SendDatagramAsync(a.LocalEndPoint, "still here"u8.ToArray(), timeout.Token);
        var received = await a.ReceiveDatagramAsync(timeout.Token);
        Assert.Equal("still here"u8.ToArray(), received.Payload.ToArray());
        await a.SendDatagramAsync(closed, "anyone?"u8.ToArray(), timeout.Token);
        await b.SendDatagramAsync(a.LocalEndPoint, "and again"u8.ToArray(), timeout.Token);
        received = await a.ReceiveDatagramAsync(timeout.Token);
        Assert.Equal("and again"u8.ToArray(), received.Payload.ToArray());
    }

    [Fact]
    public async Task Connecting_to_a_closed_port_fails_with_a_socket_error()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var a = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), Options, timeout.Token);
        IPEndPoint closed;
        await using (var gone = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), Options, timeout.Token))
        {
            closed = gone.LocalEndPoint;
        }

        var error = await Assert.ThrowsAsync<SocketException>(async () => await a.ConnectAsync(closed, timeout.Token));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    [Fact]
    public async Task Connecting_to_a_peer_that_never_answers_times_out_and_the_caller_can_cancel()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var a = await SocketTransport.BindAsync(
            new IPEndPoint(IPAddress.Loopback, 0), Options with { ConnectTimeout = TimeSpan.FromMilliseconds(300) }, timeout.Token);

        // A listener that never accepts, with its backlog filled: Linux then drops further SYNs,
        // so a connect hangs, as it does to a peer behind a dead NAT mapping.
        using var deaf = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        deaf.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        deaf.Listen(0);
        var fillers = new List<Socket>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                using var quick = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
                try
                {
                    await filler.ConnectAsync(deaf.LocalEndPoint!, quick.Token);
                }
                catch (OperationCanceledException)
                {
                    break; // the backlog is full
                }
            }

            var started = DateTime.UtcNow;
            await Assert.ThrowsAsync<TimeoutException>(async () => await a.ConnectAsync((IPEndPoint)deaf.LocalEndPoint!, timeout.Token));
            Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));

            using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await a.ConnectAsync((IPEndPoint)deaf.LocalEndPoint!, caller.Token));
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task A_full_receive_queue_drops_the_oldest_datagrams_and_counts_them()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var sender = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), Options, timeout.Token);
        await using var slow = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), Options with { ReceiveQueueCapacity = 4 }, timeout.Token);

        for (byte i = 0; i < 20; i++)
        {
            await sender.SendDatagramAsync(slow.LocalEndPoint, new[] { i }, timeout.Token);
        }

        while (slow.Counters.DatagramsReceived < 20)
        {
            await Task.Delay(10, timeout.Token);
        }

        for (byte i = 16; i < 20; i++)
        {
            var datagram = await slow.ReceiveDatagramAsync(timeout.Token);
            Assert.Equal(i, datagram.Payload.Span[0]);
        }

        Assert.Equal(16, slow.Counters.DatagramsDroppedQueueFull);
    }

    [Fact]
    public async Task Dispose_ends_pending_receive_and_accept_and_closes_open_streams()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var peer = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), Options, timeout.Token);
        var node = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), Options, timeout.Token);

        await using var outbound = await peer.ConnectAsync(node.LocalEndPoint, timeout.Token);
        var inbound = await node.AcceptAsync(timeout.Token);
        var receive = node.ReceiveDatagramAsync(timeout.Token).AsTask();
        var accept = node.AcceptAsync(timeout.Token).AsTask();
        Assert.False(receive.IsCompleted);
        Assert.False(accept.IsCompleted);

        await node.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => receive);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => accept);
        // The connection the node had accepted is closed: the peer reads end-of-stream.
        var buffer = new byte[1];
        Assert.Equal(0, await outbound.Stream.ReadAsync(buffer, timeout.Token));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await inbound.Stream.ReadExactlyAsync(buffer, timeout.Token));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await node.ReceiveDatagramAsync(timeout.Token));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await node.SendDatagramAsync(peer.LocalEndPoint, new byte[1], timeout.Token));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await node.ConnectAsync(peer.LocalEndPoint, timeout.Token));
        await node.DisposeAsync(); // idempotent
    }

    [Fact]
    public async Task Caller_errors_throw_rather_than_vanish()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var v4 = await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), Options, timeout.Token);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await v4.SendDatagramAsync(v4.LocalEndPoint, new byte[v4.MaxDatagramSize + 1], timeout.Token));
        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await v4.SendDatagramAsync(new IPEndPoint(IPAddress.IPv6Loopback, 9), new byte[1], timeout.Token));
        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await v4.ConnectAsync(new IPEndPoint(IPAddress.IPv6Loopback, 9), timeout.Token));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await SocketTransport.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), Options with { MaxDatagramSize = 70_000 }, timeout.Token));
    }

    private static async Task AssertDatagramsCross(IPAddress loopback)
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        await using var a = await SocketTransport.BindAsync(new IPEndPoint(loopback, 0), Options, timeout.Token);
        await using var b = await SocketTransport.BindAsync(new IPEndPoint(loopback, 0), Options, timeout.Token);
        Assert.Equal(SocketTransportOptions.DefaultMaxDatagramSize, a.MaxDatagramSize);

        await a.SendDatagramAsync(b.LocalEndPoint, "hello"u8.ToArray(), timeout.Token);
        var atB = await b.ReceiveDatagramAsync(timeout.Token);
        Assert.Equal("hello"u8.ToArray(), atB.Payload.ToArray());
        Assert.Equal(a.LocalEndPoint, atB.Source);

        await b.SendDatagramAsync(atB.Source, "world"u8.ToArray(), timeout.Token);
        var atA = await a.ReceiveDatagramAsync(timeout.Token);
        Assert.Equal("world"u8.ToArray(), atA.Payload.ToArray());
        Assert.Equal(b.LocalEndPoint, atA.Source);

        Assert.Equal(1, a.Counters.DatagramsSent);
        Assert.Equal(1, a.Counters.DatagramsReceived);
        Assert.Equal(0, a.Counters.DatagramsDropped);
    }
}
