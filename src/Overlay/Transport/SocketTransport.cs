using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace EPostEdge.Overlay.Transport;

/// <summary>
/// The real network seam: one UDP socket for datagrams and one TCP listener for streams, bound to
/// the same address and port, so a node is reached at a single endpoint. Every socket the node
/// opens is opened here.
/// </summary>
/// <remarks>
/// <para>
/// Datagrams are read by one background loop into a bounded queue. The loop survives anything a
/// peer or the network can do to it: an oversized datagram, an ICMP port-unreachable that the
/// kernel reports as a connection reset, a full queue; each is counted in
/// <see cref="Counters"/> and dropped. Bound to <see cref="IPAddress.IPv6Any"/> the sockets are
/// dual-mode, and IPv4 peers appear with their plain IPv4 address (not IPv4-mapped IPv6).
/// </para>
/// <para>
/// Disposing closes both sockets, every connection this transport accepted or opened and that is
/// still open, and ends pending receives and accepts with <see cref="ObjectDisposedException"/>.
/// </para>
/// </remarks>
public sealed class SocketTransport : ITransport
{
    private static readonly TimeSpan AcceptErrorBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ReceiveErrorBackoff = TimeSpan.FromMilliseconds(10);

    private readonly Socket _udp;
    private readonly Socket _listener;
    private readonly bool _dualMode;
    private readonly SocketTransportOptions _options;
    private readonly Channel<Datagram> _datagrams;
    private readonly Channel<TransportStream> _acceptQueue;
    private readonly ConcurrentDictionary<PeerStream, byte> _openStreams = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Task _receiveLoop;
    private readonly Task _acceptLoop;
    private int _disposed;

    private long _datagramsSent;
    private long _datagramSendFailures;
    private long _datagramsReceived;
    private long _datagramsDroppedOversized;
    private long _datagramsDroppedQueueFull;
    private long _datagramReceiveErrors;
    private long _streamsAccepted;
    private long _streamsConnected;

    private SocketTransport(Socket udp, Socket listener, SocketTransportOptions options)
    {
        _udp = udp;
        _listener = listener;
        _options = options;
        _dualMode = udp.AddressFamily == AddressFamily.InterNetworkV6 && udp.DualMode;
        LocalEndPoint = (IPEndPoint)udp.LocalEndPoint!;

        // DropOldest: see SocketTransportOptions.ReceiveQueueCapacity.
        _datagrams = Channel.CreateBounded<Datagram>(
            new BoundedChannelOptions(options.ReceiveQueueCapacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleWriter = true,
            },
            _ => Interlocked.Increment(ref _datagramsDroppedQueueFull));

        // Wait: a full accept queue pushes back into the kernel's listen backlog.
        _acceptQueue = Channel.CreateBounded<TransportStream>(
            new BoundedChannelOptions(options.AcceptQueueCapacity)
            {
                FullMode = BoundedChannelFullMode.Wait,
                SingleWriter = true,
            });

        _receiveLoop = Task.Run(ReceiveLoopAsync);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <inheritdoc />
    public IPEndPoint LocalEndPoint { get; }

    /// <inheritdoc />
    public int MaxDatagramSize => _options.MaxDatagramSize;

    /// <summary>What this transport has sent, received, dropped and survived so far.</summary>
    public SocketTransportCounters Counters => new(
        Interlocked.Read(ref _datagramsSent),
        Interlocked.Read(ref _datagramSendFailures),
        Interlocked.Read(ref _datagramsReceived),
        Interlocked.Read(ref _datagramsDroppedOversized),
        Interlocked.Read(ref _datagramsDroppedQueueFull),
        Interlocked.Read(ref _datagramReceiveErrors),
        Interlocked.Read(ref _streamsAccepted),
        Interlocked.Read(ref _streamsConnected));

    private bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// Binds UDP and TCP to <paramref name="local"/>. With port 0 the TCP listener picks a free
    /// port first and UDP takes the same one; if UDP's twin is taken, both are released and
    /// another port is tried, up to <see cref="SocketTransportOptions.BindAttempts"/> times.
    /// </summary>
    /// <exception cref="SocketException">The address or port cannot be bound.</exception>
    public static ValueTask<SocketTransport> BindAsync(IPEndPoint local, SocketTransportOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var attempts = local.Port == 0 ? options.BindAttempts : 1;
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Socket? listener = null;
            Socket? udp = null;
            try
            {
                listener = CreateSocket(local.Address, SocketType.Stream, ProtocolType.Tcp);
                listener.Bind(local);
                var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
                udp = CreateSocket(local.Address, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(local.Address, port));
                // Listen only once both halves hold the port, so no peer connects to a port we may abandon.
                listener.Listen(options.ListenBacklog);
                return ValueTask.FromResult(new SocketTransport(udp, listener, options));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < attempts)
            {
                udp?.Dispose();
                listener?.Dispose();
            }
            catch
            {
                udp?.Dispose();
                listener?.Dispose();
                throw;
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Network errors (unreachable network, full socket buffer) are counted in
    /// <see cref="SocketTransportCounters.DatagramSendFailures"/>, not thrown: a datagram is best
    /// effort. A payload over <see cref="MaxDatagramSize"/> or an address family this transport
    /// cannot reach is a caller's bug and throws.
    /// </remarks>
    public async ValueTask SendDatagramAsync(IPEndPoint destination, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(datagram.Length, MaxDatagramSize, nameof(datagram));
        EnsureReachable(destination);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        try
        {
            await _udp.SendToAsync(datagram, SocketFlags.None, destination, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _datagramsSent);
        }
        catch (SocketException) when (!IsDisposed)
        {
            Interlocked.Increment(ref _datagramSendFailures);
        }
        catch (SocketException) when (IsDisposed)
        {
            throw new ObjectDisposedException(nameof(SocketTransport));
        }
    }

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The transport is or becomes disposed.</exception>
    public async ValueTask<Datagram> ReceiveDatagramAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        try
        {
            return await _datagrams.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(SocketTransport));
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The stream is a <see cref="NetworkStream"/> with Nagle off (overlay messages are small and
    /// latency-bound). Bound to a specific address, the connection leaves from that address.
    /// </remarks>
    /// <exception cref="TimeoutException">No connection within <see cref="SocketTransportOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="SocketException">The peer refused or is unreachable.</exception>
    public async ValueTask<TransportStream> ConnectAsync(IPEndPoint destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        EnsureReachable(destination);
        ObjectDisposedException.ThrowIf(IsDisposed, this);

        var socket = CreateSocket(LocalEndPoint.Address, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            if (!IsWildcard(LocalEndPoint.Address))
            {
                socket.Bind(new IPEndPoint(LocalEndPoint.Address, 0));
            }

            using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _options.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, _shutdown.Token);
            try
            {
                await socket.ConnectAsync(destination, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"No connection to {destination} within {_options.ConnectTimeout}.");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && IsDisposed)
            {
                throw new ObjectDisposedException(nameof(SocketTransport));
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Interlocked.Increment(ref _streamsConnected);
        return Adopt(socket);
    }

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The transport is or becomes disposed.</exception>
    public async ValueTask<TransportStream> AcceptAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        try
        {
            return await _acceptQueue.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(SocketTransport));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        // Closing the sockets ends the loops' pending receive and accept.
        _udp.Dispose();
        _listener.Dispose();
        _datagrams.Writer.TryComplete();
        _acceptQueue.Writer.TryComplete();

        // The loops end on the cancellation and never fault (they catch what a closed socket throws).
        await Task.WhenAll(_receiveLoop, _acceptLoop).ConfigureAwait(false);

        while (_acceptQueue.Reader.TryRead(out var unclaimed))
        {
            await unclaimed.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var stream in _openStreams.Keys)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        _shutdown.Dispose();
    }

    private static Socket CreateSocket(IPAddress address, SocketType type, ProtocolType protocol)
    {
        var socket = new Socket(address.AddressFamily, type, protocol);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // Dual-mode only on the IPv6 wildcard: a socket bound to a specific IPv6 address cannot take IPv4 anyway.
            socket.DualMode = address.Equals(IPAddress.IPv6Any);
        }

        return socket;
    }

    private static bool IsWildcard(IPAddress address) =>
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static IPEndPoint Normalize(EndPoint? endPoint)
    {
        var ip = (IPEndPoint)endPoint!;
        return ip.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ip.Address.MapToIPv4(), ip.Port) : ip;
    }

    private void EnsureReachable(IPEndPoint destination)
    {
        var family = destination.AddressFamily;
        if (family != _udp.AddressFamily && !(_dualMode && family == AddressFamily.InterNetwork))
        {
            throw new ArgumentException($"A transport bound to {LocalEndPoint} cannot reach {destination}.", nameof(destination));
        }
    }

    private TransportStream Adopt(Socket socket)
    {
        var remote = Normalize(socket.RemoteEndPoint);
        var stream = new PeerStream(socket, closed => _openStreams.TryRemove(closed, out _));
        _openStreams.TryAdd(stream, 0);
        if (IsDisposed)
        {
            // Raced with DisposeAsync, which may already have closed the open streams.
            stream.Dispose();
            throw new ObjectDisposedException(nameof(SocketTransport));
        }

        return new TransportStream(remote, stream);
    }

    private async Task ReceiveLoopAsync()
    {
        var shutdown = _shutdown.Token;
        // One byte more than the maximum, so an oversized datagram fills the buffer and is
        // recognised, instead of arriving silently truncated.
        var buffer = new byte[_options.MaxDatagramSize + 1];
        EndPoint anySource = _udp.AddressFamily == AddressFamily.InterNetworkV6
            ? new IPEndPoint(IPAddress.IPv6Any, 0)
            : new IPEndPoint(IPAddress.Any, 0);

        while (!shutdown.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, anySource, shutdown).ConfigureAwait(false);
            }
            catch (Exception e) when (shutdown.IsCancellationRequested || e is ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
                Interlocked.Increment(ref _datagramReceiveErrors);
                // Linux reports an ICMP port-unreachable for an earlier send as ECONNRESET on the
                // next receive: harmless, read on. Anything else is unexpected; pause briefly so a
                // persistent error cannot spin this loop.
                if (e.SocketErrorCode != SocketError.ConnectionReset && !await PauseAsync(ReceiveErrorBackoff, shutdown).ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            if (result.ReceivedBytes > _options.MaxDatagramSize)
            {
                Interlocked.Increment(ref _datagramsDroppedOversized);
                continue;
            }

            var payload = buffer.AsSpan(0, result.ReceivedBytes).ToArray();
            Interlocked.Increment(ref _datagramsReceived);
            // Never blocks: a full queue drops its oldest datagram (counted by the channel's callback).
            _datagrams.Writer.TryWrite(new Datagram(Normalize(result.RemoteEndPoint), payload));
        }
    }

    private async Task AcceptLoopAsync()
    {
        var shutdown = _shutdown.Token;
        while (!shutdown.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(shutdown).ConfigureAwait(false);
            }
            catch (Exception e) when (shutdown.IsCancellationRequested || e is ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
                // A peer that gave up before we accepted it is harmless. Anything else (out of file
                // descriptors) would fail again at once, so back off.
                if (e.SocketErrorCode is not (SocketError.ConnectionAborted or SocketError.ConnectionReset)
                    && !await PauseAsync(AcceptErrorBackoff, shutdown).ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            TransportStream accepted;
            try
            {
                socket.NoDelay = true;
                accepted = Adopt(socket);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The peer reset between accept and here, or we are shutting down.
                socket.Dispose();
                continue;
            }

            Interlocked.Increment(ref _streamsAccepted);
            try
            {
                await _acceptQueue.Writer.WriteAsync(accepted, shutdown).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                await accepted.DisposeAsync().ConfigureAwait(false);
                break;
            }
        }
    }

    /// <summary>Waits on the transport's clock; false if the transport shut down meanwhile.</summary>
    private async Task<bool> PauseAsync(TimeSpan delay, CancellationToken shutdown)
    {
        try
        {
            await Task.Delay(delay, _options.TimeProvider, shutdown).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
