using System.Buffers.Binary;
using System.Security.Cryptography;
using EPostEdge.Overlay.Certificates;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Overlay;

/// <summary>
/// The running node's answers to enrollment requests (<c>join</c> redeeming an invite made by
/// <c>epost-edge invite</c>): <see cref="Enrollment.Answer"/> over the invite ledger on disk,
/// read and written per request under the ledger's lock, so invites made by the CLI while the
/// node runs are honoured and a spent invite stays spent. Plugged in as
/// <c>PastryNode.EnrollmentHandler</c>.
/// </summary>
/// <remarks>
/// The joiner retransmits the same request bytes when a UDP reply is lost
/// (<c>EnrollmentClient</c>). Its first copy already spent the invite, so answering the copy
/// from the ledger would refuse a joiner that did nothing wrong: answered requests are
/// remembered for <see cref="Memory"/> and their copies get the same reply again.
/// </remarks>
internal sealed partial class EnrollmentDesk(OverlayFiles files, OverlayFounder? founder, NodeIdentity identity, TimeProvider time, ILogger logger)
{
    /// <summary>How long an answer is given again to a retransmitted request.</summary>
    public static readonly TimeSpan Memory = TimeSpan.FromMinutes(2);

    /// <summary>Answers remembered at most (the oldest go first).</summary>
    public const int Capacity = 64;

    private readonly Lock _lock = new();
    private readonly Dictionary<(UInt128, UInt128), (byte[] Reply, long At)> _answered = [];
    private readonly Queue<(UInt128, UInt128)> _order = new();

    /// <summary>The reply bytes for a request's bytes; null (no reply) for bytes that are not a request, or when the ledger cannot be read now (the joiner retries).</summary>
    public byte[]? Answer(ReadOnlyMemory<byte> requestBytes)
    {
        if (!EnrollRequest.TryDecode(requestBytes.Span, out var request))
        {
            return null; // garbage gets nothing back: no reflection to amplify
        }

        var key = KeyOf(requestBytes.Span);
        lock (_lock)
        {
            if (_answered.TryGetValue(key, out var earlier) && time.GetElapsedTime(earlier.At) < Memory)
            {
                return earlier.Reply;
            }

            EnrollReply reply;
            try
            {
                reply = files.UpdateInvites(ledger => Enrollment.Answer(request, ledger, founder, identity));
            }
            catch (IOException e)
            {
                LogLedgerUnavailable(e.Message);
                return null;
            }

            var bytes = reply.Encode();
            if (reply.Certificate is { } certificate)
            {
                LogEnrolled(certificate.Id.ToString(), certificate.EndPoint.ToString());
                Remember(key, bytes);
            }
            else
            {
                LogRefused(request.EndPoint.ToString(), reply.Refusal ?? "?");
            }

            return bytes;
        }
    }

    private void Remember((UInt128, UInt128) key, byte[] reply)
    {
        if (_answered.TryAdd(key, (reply, time.GetTimestamp())))
        {
            _order.Enqueue(key);
        }

        while (_order.Count > Capacity)
        {
            _answered.Remove(_order.Dequeue());
        }
    }

    private static (UInt128, UInt128) KeyOf(ReadOnlySpan<byte> bytes)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes, hash);
        return (BinaryPrimitives.ReadUInt128LittleEndian(hash), BinaryPrimitives.ReadUInt128LittleEndian(hash[16..]));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "overlay: invite redeemed, certified node {Node} at {EndPoint}")]
    private partial void LogEnrolled(string node, string endPoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "overlay: enrollment request for {EndPoint} refused: {Reason}")]
    private partial void LogRefused(string endPoint, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "overlay: the invite ledger cannot be used now (the joiner will retry): {Reason}")]
    private partial void LogLedgerUnavailable(string reason);
}
