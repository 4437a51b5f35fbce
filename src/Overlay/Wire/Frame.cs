using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Wire;

/// <summary>
/// The envelope of every overlay datagram or stream frame.
/// </summary>
/// <remarks>
/// Authenticated frame:
/// <c>version(1) kind(1) flags(1) sender(20) [certificate(u16 length + bytes)] body mac(16)</c>.
/// The MAC is HMAC-SHA256 under the key of the link between sender and receiver (derived from
/// both certificates' X25519 keys), truncated to 16 bytes, over everything before it. The sender
/// includes its certificate until the receiver has shown it holds it (by sending an authenticated
/// frame back), so any node can check any frame without a handshake round trip.
/// Unauthenticated frame (<see cref="MessageKind.Hello"/>, enrollment):
/// <c>version(1) kind(1) flags(1) blob(u16 length + bytes)</c>.
/// </remarks>
public static class Frame
{
    /// <summary>The wire version this node speaks; frames of another version are counted and dropped.</summary>
    public const byte Version = 1;

    /// <summary>Bytes of the authentication tag.</summary>
    public const int MacSize = 16;

    /// <summary>Flag: the sender's certificate follows the header.</summary>
    public const byte CertificateIncluded = 1;

    /// <summary>Flag: the sender is a joined member (its messages may add it to routing state).</summary>
    public const byte SenderJoined = 2;

    /// <summary>Flag on a Hello: please answer with your own certificate.</summary>
    public const byte WantsReply = 4;

    /// <summary>Smallest authenticated frame: header and MAC with an empty body.</summary>
    public const int MinimumAuthenticatedSize = 3 + NodeId.Size + MacSize;

    /// <summary>True for kinds that carry a MAC.</summary>
    public static bool IsAuthenticated(MessageKind kind) => (byte)kind >= (byte)MessageKind.Ping;

    /// <summary>Encodes an authenticated frame, MAC included, with <paramref name="mac"/> computing the tag.</summary>
    public static byte[] EncodeAuthenticated(
        OverlayMessage message,
        NodeId sender,
        byte flags,
        ReadOnlySpan<byte> certificate,
        MacFunction mac,
        WireWriter? scratch = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(mac);
        var writer = scratch ?? new WireWriter();
        writer.Clear();
        writer.WriteByte(Version);
        writer.WriteByte((byte)message.Kind);
        flags = certificate.IsEmpty ? (byte)(flags & ~CertificateIncluded) : (byte)(flags | CertificateIncluded);
        writer.WriteByte(flags);
        writer.WriteId(sender);
        if (!certificate.IsEmpty)
        {
            writer.WriteShortBlob(certificate);
        }

        message.WriteBody(writer);
        var frame = new byte[writer.Length + MacSize];
        writer.WrittenSpan.CopyTo(frame);
        mac(frame.AsSpan(0, writer.Length), frame.AsSpan(writer.Length));
        return frame;
    }

    /// <summary>Encodes an unauthenticated frame carrying one opaque blob.</summary>
    public static byte[] EncodeUnauthenticated(MessageKind kind, byte flags, ReadOnlySpan<byte> blob)
    {
        if (IsAuthenticated(kind))
        {
            throw new ArgumentException($"{kind} frames are authenticated", nameof(kind));
        }

        var writer = new WireWriter(blob.Length + 8);
        writer.WriteByte(Version);
        writer.WriteByte((byte)kind);
        writer.WriteByte(flags);
        writer.WriteShortBlob(blob);
        return writer.ToArray();
    }

    /// <summary>Splits a frame into its parts without checking the MAC; false for anything malformed.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> frame, out FrameHeader header)
    {
        header = default;
        var reader = new WireReader(frame);
        if (!reader.TryReadByte(out var version) || version != Version
            || !reader.TryReadByte(out var kindByte) || !Enum.IsDefined((MessageKind)kindByte)
            || !reader.TryReadByte(out var flags))
        {
            return false;
        }

        var kind = (MessageKind)kindByte;
        if (!IsAuthenticated(kind))
        {
            if (!reader.TryReadShortBlob(out _) || reader.Remaining != 0)
            {
                return false;
            }

            header = new FrameHeader(kind, flags, default, default, new Range(5, frame.Length), default);
            return true;
        }

        if (frame.Length < MinimumAuthenticatedSize || !reader.TryReadId(out var sender))
        {
            return false;
        }

        Range certificate = default;
        if ((flags & CertificateIncluded) != 0)
        {
            var start = frame.Length - reader.Remaining + 2;
            if (!reader.TryReadShortBlob(out var certificateBytes) || certificateBytes.IsEmpty)
            {
                return false;
            }

            certificate = new Range(start, start + certificateBytes.Length);
        }

        var bodyStart = frame.Length - reader.Remaining;
        var macStart = frame.Length - MacSize;
        if (bodyStart > macStart)
        {
            return false;
        }

        header = new FrameHeader(kind, flags, sender, certificate, new Range(bodyStart, macStart), new Range(macStart, frame.Length));
        return true;
    }
}
