using EPostEdge.Overlay.Ids;

namespace EPostEdge.Overlay.Wire;

/// <summary>Where the parts of one frame lie (see <see cref="Frame"/>).</summary>
/// <param name="Kind">What the frame carries.</param>
/// <param name="Flags">The frame's flag bits.</param>
/// <param name="Sender">The claimed sender (authenticated frames; checked by the MAC).</param>
/// <param name="Certificate">The sender's certificate bytes, when included.</param>
/// <param name="Body">The message body (for unauthenticated frames: the length-prefixed blob).</param>
/// <param name="Mac">The authentication tag (authenticated frames).</param>
public readonly record struct FrameHeader(MessageKind Kind, byte Flags, NodeId Sender, Range Certificate, Range Body, Range Mac)
{
    /// <summary>True when the frame includes the sender's certificate.</summary>
    public bool HasCertificate => (Flags & Frame.CertificateIncluded) != 0;
}
