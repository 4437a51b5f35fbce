using System.Net;
using EPostEdge.Overlay.Seams;

namespace EPostEdge.EdgeNode.Nat.Network;

/// <summary>
/// One request/response over UDP with retransmission (RFC 6886 §3.1, RFC 6887 §8.1.1): send,
/// wait, send again with a doubled wait, until a datagram the caller accepts arrives.
/// Datagrams it does not accept (late answers to earlier requests, junk) are ignored.
/// </summary>
internal static class DatagramExchange
{
    /// <summary>Largest datagram read (PCP's maximum message, RFC 6887 §7, is 1100 bytes).</summary>
    public const int MaxDatagram = 1500;

    /// <summary>The first accepted answer.</summary>
    /// <exception cref="NatNoServerException">No accepted answer after every try, or ICMP port unreachable.</exception>
    public static async Task<byte[]> RequestAsync(
        INatDatagramSocket socket,
        IPEndPoint to,
        ReadOnlyMemory<byte> request,
        UdpRetransmission schedule,
        TimeProvider time,
        IRandomSource random,
        Func<ReadOnlyMemory<byte>, bool> accept,
        CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxDatagram];
        var tries = 0;
        foreach (var wait in schedule.Waits(random))
        {
            tries++;
            await socket.SendAsync(request, to, cancellationToken).ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(wait, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                while (true)
                {
                    var (length, _) = await socket.ReceiveAsync(buffer, linked.Token).ConfigureAwait(false);
                    var datagram = buffer.AsMemory(0, length);
                    if (accept(datagram))
                    {
                        return datagram.ToArray();
                    }
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // No answer in this wait: send again.
            }
        }

        throw new NatNoServerException($"no answer from {to} after {tries} tries");
    }
}
