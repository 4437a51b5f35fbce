using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Wire;

namespace EPostEdge.Overlay.Tests.Wire;

/// <summary>An encoded authenticated frame and its parts.</summary>
internal sealed record SampleFrame(OverlayMessage Message, NodeId Sender, byte Flags, byte[] Certificate, byte[] Key, byte[] Bytes)
{
    /// <summary>What the receiver checks: the frame parses and its MAC verifies under the link key.</summary>
    public static bool Accepted(ReadOnlySpan<byte> frame, byte[] key, out FrameHeader header) =>
        Frame.TryReadHeader(frame, out header)
        && Frame.IsAuthenticated(header.Kind)
        && LinkMac.Verify(key, frame[..header.Mac.Start], frame[header.Mac]);

    public override string ToString() => $"{Message.Kind} from {Sender.ToShortString()} flags {Flags:x2}, {Bytes.Length} bytes";
}
