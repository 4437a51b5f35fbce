namespace EPostEdge.EdgeNode.Overlay;

/// <summary>DATA/overlay holds a membership the node cannot use (unreadable file, certificate that does not verify); the message says which file and why.</summary>
public sealed class OverlayFilesException : IOException
{
    public OverlayFilesException()
    {
    }

    public OverlayFilesException(string message)
        : base(message)
    {
    }

    public OverlayFilesException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
