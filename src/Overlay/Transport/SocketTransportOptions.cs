namespace EPostEdge.Overlay.Transport;

/// <summary>Limits and timeouts of a <see cref="SocketTransport"/>.</summary>
public sealed record SocketTransportOptions
{
    /// <summary>
    /// The default largest datagram payload: 1200 bytes. IPv6 guarantees a 1280-byte MTU on every
    /// path (RFC 8200 §5), which leaves 1232 bytes after the IPv6 (40) and UDP (8) headers; 1200
    /// keeps some room for tunnels (PPPoE, WireGuard, 6in4) so a datagram is never fragmented,
    /// as QUIC reasons for the same number (RFC 9000 §14). IPv4 paths carry it unfragmented too.
    /// </summary>
    public const int DefaultMaxDatagramSize = 1200;

    /// <summary>Largest payload sent or accepted; larger received datagrams are counted and dropped.</summary>
    public int MaxDatagramSize { get; init; } = DefaultMaxDatagramSize;

    /// <summary>
    /// How many received datagrams wait for <see cref="SocketTransport.ReceiveDatagramAsync"/>.
    /// When the queue is full the oldest waiting datagram is dropped (and counted): under
    /// overload the node loses datagrams, like a congested router, instead of growing memory,
    /// and the freshest keep-alives and replies survive because stale ones go first.
    /// </summary>
    public int ReceiveQueueCapacity { get; init; } = 1024;

    /// <summary>
    /// How many accepted connections wait for <see cref="SocketTransport.AcceptAsync"/>. When it
    /// is full the accept loop stops accepting, so further peers wait in the kernel's listen
    /// backlog (and eventually time out) instead of holding sockets here.
    /// </summary>
    public int AcceptQueueCapacity { get; init; } = 64;

    /// <summary>The kernel's listen backlog for the TCP listener.</summary>
    public int ListenBacklog { get; init; } = 128;

    /// <summary>How long <see cref="SocketTransport.ConnectAsync"/> waits before it gives up with a <see cref="TimeoutException"/>.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>With port 0: how many free TCP ports to try before giving up because UDP's twin was taken each time.</summary>
    public int BindAttempts { get; init; } = 8;

    /// <summary>Clock for the connect timeout and the accept loop's back-off (ARCHITECTURE.md "The seams").</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxDatagramSize);
        // 65507 = 65535 - 20 (IPv4 header) - 8 (UDP header): the most a UDP datagram can carry.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxDatagramSize, 65507);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ReceiveQueueCapacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(AcceptQueueCapacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ListenBacklog);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BindAttempts);
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
