using System.Net;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Transport;
using EPostEdge.Overlay.Wire;

namespace EPostEdge.Overlay.Pastry;

/// <summary>
/// The joiner's side of enrollment (<c>epost-edge join</c>): sends an <see cref="EnrollRequest"/>
/// to the inviter's overlay port as one unauthenticated datagram and waits for the
/// <see cref="MessageKind.EnrollReply"/>. The joiner holds no certificate yet, so this runs over a
/// bare <see cref="ITransport"/>, not a <see cref="PastryNode"/>.
/// </summary>
/// <remarks>
/// UDP may lose the request or the reply, so the same request bytes are sent again after 0.5 s,
/// then 1 s, 2 s, 4 s (doubling, capped), until <see cref="Timeout"/>. The bytes never change
/// (Ed25519 signatures are deterministic), so an inviter that already answered can recognise a
/// retransmission and answer it again instead of refusing a spent invite.
/// </remarks>
public sealed class EnrollmentClient
{
    /// <summary>The wait before the first retransmission.</summary>
    public static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between two transmissions.</summary>
    public static readonly TimeSpan MaximumRetry = TimeSpan.FromSeconds(4);

    private readonly ITransport _transport;
    private readonly TimeProvider _time;

    /// <param name="transport">Any bound transport; only its datagrams are used, and it is not disposed here.</param>
    /// <param name="time">The clock for the retry schedule and the timeout; the system clock when null.</param>
    public EnrollmentClient(ITransport transport, TimeProvider? time = null)
    {
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How long to keep trying before giving up (default 10 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Datagrams this client sent (the request and its retransmissions).</summary>
    public int Transmissions { get; private set; }

    /// <summary>
    /// The inviter's reply (a certificate or a refusal), or null when none came within
    /// <see cref="Timeout"/>. Only a well-formed reply from <paramref name="inviter"/> itself is
    /// taken; anything else arriving meanwhile is ignored. The caller verifies the certificate.
    /// </summary>
    public async Task<EnrollReply?> EnrollAsync(IPEndPoint inviter, EnrollRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inviter);
        ArgumentNullException.ThrowIfNull(request);
        var frame = Frame.EncodeUnauthenticated(MessageKind.EnrollRequest, 0, request.Encode());
        var started = _time.GetTimestamp();
        var wait = FirstRetry;
        while (true)
        {
            var remaining = Timeout - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            await _transport.SendDatagramAsync(inviter, frame, cancellationToken).ConfigureAwait(false);
            Transmissions++;
            using (var round = new CancellationTokenSource(wait < remaining ? wait : remaining, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(round.Token, cancellationToken))
            {
                try
                {
                    while (true)
                    {
                        var datagram = await _transport.ReceiveDatagramAsync(linked.Token).ConfigureAwait(false);
                        if (TryReadReply(datagram, inviter, out var reply))
                        {
                            return reply;
                        }
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // This round's wait is over: send again.
                }
            }

            wait = wait * 2 < MaximumRetry ? wait * 2 : MaximumRetry;
        }
    }

    private static bool TryReadReply(Datagram datagram, IPEndPoint inviter, out EnrollReply? reply)
    {
        reply = null;
        var span = datagram.Payload.Span;
        return SameEndPoint(datagram.Source, inviter)
            && Frame.TryReadHeader(span, out var header)
            && header.Kind == MessageKind.EnrollReply
            && EnrollReply.TryDecode(span[header.Body], out reply);
    }

    // A dual-mode socket may report an IPv4 peer as IPv4-mapped IPv6: compare both as IPv6.
    private static bool SameEndPoint(IPEndPoint a, IPEndPoint b) =>
        a.Port == b.Port && a.Address.MapToIPv6().Equals(b.Address.MapToIPv6());
}
