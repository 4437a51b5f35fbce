namespace EPostEdge.Overlay.Transport;

/// <summary>A snapshot of what a <see cref="SocketTransport"/> has seen, for the health page and tests.</summary>
/// <param name="DatagramsSent">Datagrams handed to the kernel.</param>
/// <param name="DatagramSendFailures">Sends the kernel refused (unreachable network, no buffer); best effort, so not thrown.</param>
/// <param name="DatagramsReceived">Datagrams queued for the reader.</param>
/// <param name="DatagramsDroppedOversized">Received datagrams larger than the maximum, dropped.</param>
/// <param name="DatagramsDroppedQueueFull">Queued datagrams dropped because the reader fell behind.</param>
/// <param name="DatagramReceiveErrors">Receive errors survived, e.g. ICMP port-unreachable reported as a connection reset.</param>
/// <param name="StreamsAccepted">Inbound connections accepted.</param>
/// <param name="StreamsConnected">Outbound connections opened.</param>
public readonly record struct SocketTransportCounters(
    long DatagramsSent,
    long DatagramSendFailures,
    long DatagramsReceived,
    long DatagramsDroppedOversized,
    long DatagramsDroppedQueueFull,
    long DatagramReceiveErrors,
    long StreamsAccepted,
    long StreamsConnected)
{
    /// <summary>All received datagrams that never reached the reader.</summary>
    public long DatagramsDropped => DatagramsDroppedOversized + DatagramsDroppedQueueFull;
}
